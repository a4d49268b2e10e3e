"""Requests that race for one row: each race ends with that one row and 2xx answers.

Every round sends its requests at once through the app (`asyncio.gather`); on PostgreSQL
they run on separate pooled connections, so the read-then-write they used to do
interleaves. Many rounds make an overlap certain rather than lucky.
"""

from __future__ import annotations

import asyncio

from backend.kernel.roles import Role
from push.tables import Device, Preference
from tests.conftest import Client, TokenFor, bearer

ROUNDS = 12
AT_ONCE = 8


async def _me(client: Client, token: str) -> int:
    return int((await client.get("/v1/me", headers=bearer(token))).json()["user_id"])


async def test_first_preferences_set_at_once_leave_one_row(
    client: Client, token_for: TokenFor
) -> None:
    token = await token_for(Role.RESIDENT)
    user_id = await _me(client, token)
    for _ in range(ROUNDS):
        await Preference.delete().where(Preference.user_id == user_id)
        bodies = [{"muted_categories": [f"news{n}"]} for n in range(AT_ONCE)]
        answers = await asyncio.gather(
            *(client.put("/v1/push/preferences", json=b, headers=bearer(token)) for b in bodies)
        )
        assert [a.status_code for a in answers] == [200] * AT_ONCE, answers[-1].text
        # each caller is answered with what it set, not with a neighbour's write
        assert [a.json()["muted_categories"] for a in answers] == [
            b["muted_categories"] for b in bodies
        ]
        assert await Preference.count().where(Preference.user_id == user_id) == 1
        kept = (await client.get("/v1/push/preferences", headers=bearer(token))).json()
        assert kept in [{"quiet_hours": None, **b} for b in bodies]


async def test_one_phone_registered_at_once_is_one_device(
    client: Client, token_for: TokenFor
) -> None:
    token = await token_for(Role.RESIDENT)
    for round_ in range(ROUNDS):
        phone = {"address": f"token-race-{round_:03d}", "platform": "android"}
        answers = await asyncio.gather(
            *(client.post("/v1/devices", json=phone, headers=bearer(token)) for _ in range(AT_ONCE))
        )
        statuses = sorted(a.status_code for a in answers)
        assert statuses == [200] * (AT_ONCE - 1) + [201], answers[-1].text
        assert len({a.json()["id"] for a in answers}) == 1
        assert await Device.count().where(Device.address == phone["address"]) == 1


async def test_a_phone_handed_over_while_both_register_belongs_to_one_then_the_newest(
    client: Client, token_for: TokenFor
) -> None:
    old, new = await token_for(Role.RESIDENT), await token_for(Role.GRID_WORKER)
    old_id, new_id = await _me(client, old), await _me(client, new)
    for round_ in range(ROUNDS):
        phone = {"address": f"token-handover-{round_:03d}", "platform": "ios"}
        answers = await asyncio.gather(
            *(
                client.post("/v1/devices", json=phone, headers=bearer(token))
                for token in [old, new] * (AT_ONCE // 2)
            )
        )
        assert sorted(a.status_code for a in answers) == [200] * (AT_ONCE - 1) + [201]
        rows = await Device.select(Device.user_id).where(Device.address == phone["address"])
        assert len(rows) == 1
        assert rows[0]["user_id"] in (old_id, new_id)
        # once the race is over, the newest registration owns the phone, whoever held it
        for token, owner in ((new, new_id), (old, old_id)):
            again = await client.post("/v1/devices", json=phone, headers=bearer(token))
            assert again.status_code == 200
            row = await Device.select(Device.user_id).where(Device.address == phone["address"])
            assert row == [{"user_id": owner}]
