"""An elder and their circle, made through the API as the apps would."""

from __future__ import annotations

import datetime as dt

from litestar import Litestar

from backend.kernel.roles import Role
from backend.kernel.services import services_of
from miniapps.elderly_care.runtime import CareRuntime
from tests.conftest import Client, TokenFor, TokenForPhone, bearer
from tests.miniapps.payment.helpers import user_id_of

APP = "/v1/miniapps/elderly_care"
ELDER, DAUGHTER, SON, NEPHEW = "13800000001", "13800000002", "13800000011", "13800000012"
WORKER_G07, WORKER_G08 = "13800000003", "13800000004"
ADMIN_C03, ADMIN_C04, ADMIN_GX = "13800000005", "13800000015", "13800000006"
C03 = "zz/gx/fengyang/c03"


class Person:
    def __init__(self, token: str, user_id: int) -> None:
        self.token = token
        self.user_id = user_id
        self.headers = bearer(token)


async def someone(client: Client, token_for_phone: TokenForPhone, phone: str) -> Person:
    token = await token_for_phone(phone)
    return Person(token, await user_id_of(client, token))


async def enrolled_elder(client: Client, token_for_phone: TokenForPhone) -> tuple[Person, int]:
    elder = await someone(client, token_for_phone, ELDER)
    answer = await client.post(f"{APP}/elders", json={}, headers=elder.headers)
    assert answer.status_code == 201, answer.text
    return elder, int(answer.json()["id"])


async def join_circle(client: Client, elder: Person, elder_id: int, member: Person) -> int:
    """The member asks with the elder's invite and the elder accepts; the binding's id."""
    invite = (await client.get(f"{APP}/elders/{elder_id}/invite", headers=elder.headers)).json()
    asked = await client.post(
        f"{APP}/family/asks",
        json={"invite": invite["invite"], "relation": "家人"},
        headers=member.headers,
    )
    assert asked.status_code == 201, asked.text
    binding = int(asked.json()["id"])
    accepted = await client.post(
        f"{APP}/elders/{elder_id}/family/{binding}/accept", json={}, headers=elder.headers
    )
    assert accepted.status_code == 200, accepted.text
    return binding


async def set_timing(
    client: Client, token_for: TokenFor, *, window: int = 5, gap: int = 60, escalate: int = 300
) -> None:
    admin = bearer(await token_for(Role.COMMUNITY_ADMIN))
    answer = await client.put(
        f"{APP}/sos-rules",
        json={
            "community": C03,
            "cancel_window_seconds": window,
            "ring_gap_seconds": gap,
            "escalate_after_seconds": escalate,
        },
        headers=admin,
    )
    assert answer.status_code == 200, answer.text


class CareClock:
    """The clock elderly care times its alarms by, moved by hand."""

    def __init__(self, app: Litestar) -> None:
        self.now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        self.runtime = services_of(app).runtime(CareRuntime)
        self.runtime.clock = lambda: self.now

    def at(self, seconds: float, since: dt.datetime) -> None:
        self.now = since + dt.timedelta(seconds=seconds)
