"""A colour's validity: it must end in the future, and when it ends the resident is green
again, with a history row and a push, once, however many workers run the cron."""

from __future__ import annotations

import asyncio
import datetime as dt

from backend.kernel.roles import Role
from miniapps.health_code.status import end_lapsed_statuses
from miniapps.health_code.tables import HealthStatus, StatusChange
from push.tables import Notification
from tests.conftest import Client, TokenFor, bearer
from tests.support import notices_recorded

STATUSES = "/v1/miniapps/health_code/statuses"


async def _resident(client: Client, token_for: TokenFor) -> int:
    me = await client.get("/v1/me", headers=bearer(await token_for(Role.RESIDENT)))
    return int(me.json()["user_id"])


async def test_a_validity_in_the_past_is_refused(client: Client, token_for: TokenFor) -> None:
    resident = await _resident(client, token_for)
    past = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat()
    response = await client.put(
        f"{STATUSES}/{resident}",
        json={"colour": "yellow", "valid_until": past},
        headers=bearer(await token_for(Role.HEALTH_OFFICIAL)),
    )
    assert response.status_code == 422
    assert response.json()["code"] == "status_validity_past"
    assert await HealthStatus.count() == 0


async def test_a_lapsed_colour_gives_way_to_green_once(client: Client, token_for: TokenFor) -> None:
    resident = await _resident(client, token_for)
    official = bearer(await token_for(Role.HEALTH_OFFICIAL))
    week = (dt.datetime.now(dt.UTC) + dt.timedelta(days=7)).isoformat()
    set_yellow = await client.put(
        f"{STATUSES}/{resident}",
        json={"colour": "yellow", "reason": "行程", "valid_until": week},
        headers=official,
    )
    assert set_yellow.status_code == 200, set_yellow.text
    assert await end_lapsed_statuses() == 0  # still valid
    await HealthStatus.update(
        {HealthStatus.valid_until: dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)}
    ).where(HealthStatus.user_id == resident)
    await notices_recorded()
    told = await Notification.count()

    assert sum(await asyncio.gather(end_lapsed_statuses(), end_lapsed_statuses())) == 1
    assert await end_lapsed_statuses() == 0
    mine = await client.get(
        "/v1/miniapps/health_code/status", headers=bearer(await token_for(Role.RESIDENT))
    )
    assert mine.json()["colour"] == "green"
    assert mine.json()["valid_until"] is None
    history = await StatusChange.select(StatusChange.colour, StatusChange.source).where(
        StatusChange.user_id == resident
    )
    assert [(h["colour"], h["source"]) for h in history] == [
        ("yellow", ""),
        ("green", "validity"),
    ]
    await notices_recorded()
    assert await Notification.count() == told + 1
