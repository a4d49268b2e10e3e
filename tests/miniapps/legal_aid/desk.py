"""A district's legal desk, made through the API as the apps would: its centre and a station,
lawyers provisioned by the district's admin, listed and put on duty."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from litestar import Litestar

from backend.kernel.services import services_of
from miniapps.legal_aid.runtime import LegalRuntime
from tests.conftest import Client, TokenForPhone, bearer
from tests.miniapps.payment.helpers import user_id_of

APP = "/v1/miniapps/legal_aid"
RESIDENT, RESIDENT_JINSHUI = "13800000001", "13800000016"
ADMIN_GX, ADMIN_JINSHUI, PLATFORM = "13800000006", "13800000017", "13800000007"
DEMO_LAWYER = "13800000012"
GX, JINSHUI = "zz/gx", "zz/jinshui"


class Person:
    def __init__(self, token: str, user_id: int) -> None:
        self.token = token
        self.user_id = user_id
        self.headers = bearer(token)


async def someone(client: Client, token_for_phone: TokenForPhone, phone: str) -> Person:
    token = await token_for_phone(phone)
    return Person(token, await user_id_of(client, token))


class LegalClock:
    """The clock legal services count their deadlines by, moved by hand."""

    def __init__(self, app: Litestar, now: dt.datetime) -> None:
        self.now = now
        self.runtime = services_of(app).runtime(LegalRuntime)
        self.runtime.clock = lambda: self.now


async def station(
    client: Client, admin: Person, *, kind: str, org_path: str = GX, head_id: int | None = None
) -> int:
    added = await client.post(
        f"{APP}/stations",
        json={
            "name": f"{kind} of {org_path}",
            "kind": kind,
            "org_path": org_path,
            "head_id": head_id,
        },
        headers=admin.headers,
    )
    assert added.status_code == 201, added.text
    return int(added.json()["id"])


async def new_lawyer(
    client: Client, token_for_phone: TokenForPhone, admin: Person, phone: str, district: str = GX
) -> Person:
    """A lawyer the district's admin provisions: a new account holding the lawyer role."""
    made = await client.post(
        "/v1/staff",
        json={
            "phone": phone,
            "name": f"律师{phone[-2:]}",
            "role": "lawyer",
            "scope_path": district,
        },
        headers=admin.headers,
    )
    assert made.status_code == 201, made.text
    return await someone(client, token_for_phone, phone)


async def listed(
    client: Client, admin: Person, station_id: int, lawyer: Person, specialities: Iterable[str]
) -> int:
    answer = await client.post(
        f"{APP}/stations/{station_id}/lawyers",
        json={"user_id": lawyer.user_id, "specialities": sorted(specialities)},
        headers=admin.headers,
    )
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


async def on_duty(
    client: Client, admin: Person, lawyer_id: int, now: dt.datetime, hours: int = 8
) -> None:
    answer = await client.post(
        f"{APP}/lawyers/{lawyer_id}/shifts",
        json={
            "starts_at": (now - dt.timedelta(hours=1)).isoformat(),
            "ends_at": (now + dt.timedelta(hours=hours)).isoformat(),
        },
        headers=admin.headers,
    )
    assert answer.status_code == 201, answer.text


async def ask(
    client: Client,
    who: Person,
    category: str = "labour",
    question: str = "公司拖欠工资三个月怎么办?",
) -> dict[str, object]:
    asked = await client.post(
        f"{APP}/consultations",
        json={"category": category, "question": question},
        headers=who.headers,
    )
    assert asked.status_code == 201, asked.text
    answer: dict[str, object] = asked.json()
    return answer
