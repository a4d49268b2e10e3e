"""First writes that race: however many requests arrive at once for one resident or one
community, one row results and every answer is a success or a 409, never a 500. Each race
is run for several rounds from an empty table, so that on PostgreSQL the requests really
overlap between one request's check for the row and its insert."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import httpx
from piccolo.table import Table

from backend.kernel.roles import Role
from miniapps.health_code.phone import HealthCodePhone
from miniapps.health_code.tables import HealthStatus, HolderKey, RiskLevel
from tests.conftest import Client, TokenFor, bearer

ROUNDS, AT_ONCE = 8, 8
C03 = "zz/gx/fengyang/c03"


async def _race(
    request: Callable[[int], Awaitable[httpx.Response]], table: type[Table], ok: int
) -> int:
    """Race `request` from an empty `table` for every round; the successes of the last."""
    successes = 0
    for _ in range(ROUNDS):
        await table.delete(force=True)
        answers = await asyncio.gather(*(request(n) for n in range(AT_ONCE)))
        assert {a.status_code for a in answers} <= {ok, 409}, [a.text for a in answers]
        successes = sum(a.status_code == ok for a in answers)
        assert successes >= 1
        assert await table.count() == 1
    return successes


async def test_first_colours_set_at_once_make_one_status(
    client: Client, token_for: TokenFor
) -> None:
    resident = await client.get("/v1/me", headers=bearer(await token_for(Role.RESIDENT)))
    official = bearer(await token_for(Role.HEALTH_OFFICIAL))
    url = f"/v1/miniapps/health_code/statuses/{resident.json()['user_id']}"

    async def set_colour(n: int) -> httpx.Response:
        colour = ("yellow", "red")[n % 2]
        return await client.put(url, json={"colour": colour, "reason": f"#{n}"}, headers=official)

    last_round = await _race(set_colour, HealthStatus, 200)
    status = await HealthStatus.select(HealthStatus.version).first()
    assert status is not None
    assert status["version"] == last_round  # every change of the last round counted once


async def test_first_risk_levels_set_at_once_make_one_row(
    client: Client, token_for: TokenFor
) -> None:
    official = bearer(await token_for(Role.HEALTH_OFFICIAL))

    async def set_level(n: int) -> httpx.Response:
        return await client.put(
            f"/v1/miniapps/health_code/risk-levels/{C03}",
            json={"level": ("medium", "high")[n % 2]},
            headers=official,
        )

    await _race(set_level, RiskLevel, 200)


async def test_first_phones_enrolled_at_once_make_one_holder_key(
    client: Client, token_for: TokenFor
) -> None:
    resident = bearer(await token_for(Role.RESIDENT))
    phones = [HealthCodePhone() for _ in range(AT_ONCE)]

    async def enrol(n: int) -> httpx.Response:
        return await client.post(
            "/v1/miniapps/health_code/phone",
            json={"public_key": phones[n].public_key},
            headers=resident,
        )

    await _race(enrol, HolderKey, 204)
    holder = await HolderKey.select(HolderKey.public_key).first()
    assert holder is not None
    assert holder["public_key"] in {phone.public_key for phone in phones}
