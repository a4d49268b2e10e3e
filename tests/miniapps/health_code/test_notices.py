"""What the health code tells people: in each person's own language (the colour too), and
with a deep link that opens the screen it concerns."""

from __future__ import annotations

import datetime as dt

from backend.directory.users.tables import UserAccount
from backend.kernel.roles import Role
from miniapps.health_code.status import end_lapsed_statuses
from miniapps.health_code.tables import HealthStatus
from push.tables import InboxItem, Notification
from tests.conftest import Client, TokenFor, TokenForPhone, bearer
from tests.support import notices_recorded

RESIDENT = "13800000001"  # lives in grid g07, whose grid worker is told of a red code
STATUSES = "/v1/miniapps/health_code/statuses"


async def _me(client: Client, token: str) -> int:
    return int((await client.get("/v1/me", headers=bearer(token))).json()["user_id"])


async def _inbox_of(user_id: int) -> list[dict[str, object]]:
    await notices_recorded()
    return list(
        await InboxItem.select(InboxItem.title, InboxItem.body, InboxItem.deep_link)
        .where(InboxItem.user_id == user_id)
        .order_by(InboxItem.id)
    )


async def _set(client: Client, token_for: TokenFor, user_id: int, body: dict[str, str]) -> None:
    official = bearer(await token_for(Role.HEALTH_OFFICIAL))
    response = await client.put(f"{STATUSES}/{user_id}", json=body, headers=official)
    assert response.status_code == 200, response.text


async def test_a_colour_is_told_in_the_holders_language(
    client: Client, token_for: TokenFor, token_for_phone: TokenForPhone
) -> None:
    resident = await _me(client, await token_for_phone(RESIDENT))
    await _set(client, token_for, resident, {"colour": "red", "reason": "密接"})
    await notices_recorded()
    await UserAccount.update({UserAccount.locale: "en"}).where(UserAccount.id == resident)
    await _set(client, token_for, resident, {"colour": "yellow"})
    assert await _inbox_of(resident) == [
        {
            "title": "您的健康码已转为红码",
            "body": "原因:密接",
            "deep_link": "yimen://miniapps/health_code/status",
        },
        {
            "title": "Your health code is now yellow",
            "body": "Open the health code for details",
            "deep_link": "yimen://miniapps/health_code/status",
        },
    ]


async def test_grid_workers_are_told_of_a_red_code_with_a_link(
    client: Client, token_for: TokenFor, token_for_phone: TokenForPhone
) -> None:
    resident = await _me(client, await token_for_phone(RESIDENT))
    worker = await _me(client, await token_for(Role.GRID_WORKER))
    await _set(client, token_for, resident, {"colour": "red"})
    assert await _inbox_of(worker) == [
        {
            "title": "网格内出现红码",
            "body": "请按规定跟进(网格 zz/gx/fengyang/c03/g07)",
            "deep_link": "yimen://miniapps/health_code",
        }
    ]


async def test_a_lapsed_colour_says_its_validity_ended(
    client: Client, token_for: TokenFor, token_for_phone: TokenForPhone
) -> None:
    resident = await _me(client, await token_for_phone(RESIDENT))
    await UserAccount.update({UserAccount.locale: "en"}).where(UserAccount.id == resident)
    week = (dt.datetime.now(dt.UTC) + dt.timedelta(days=7)).isoformat()
    await _set(client, token_for, resident, {"colour": "yellow", "valid_until": week})
    await HealthStatus.update(
        {HealthStatus.valid_until: dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)}
    ).where(HealthStatus.user_id == resident)
    assert await end_lapsed_statuses() == 1
    told = (await _inbox_of(resident))[-1]
    assert told == {
        "title": "Your health code is now green",
        "body": "The previous colour's validity has ended",
        "deep_link": "yimen://miniapps/health_code/status",
    }
    recorded = await Notification.select(Notification.template).where(
        Notification.source == "health_code"
    )
    assert {r["template"] for r in recorded} == {"health_code.status_changed"}
