"""A district's admins keep its legal directory: stations in its org units, lawyers who
hold the role there, each at one station, and shifts that lie ahead and last two weeks at
most. Everyone else is refused, and a refusal writes nothing."""

from __future__ import annotations

import datetime as dt

from litestar import Litestar

from miniapps.legal_aid.tables import Consultation, Lawyer, Shift, Station
from tests.conftest import Client, TokenForPhone
from tests.miniapps.legal_aid.desk import (
    ADMIN_GX,
    ADMIN_JINSHUI,
    APP,
    DEMO_LAWYER,
    RESIDENT,
    RESIDENT_JINSHUI,
    LegalClock,
    listed,
    new_lawyer,
    someone,
    station,
)

NOW = dt.datetime(2026, 12, 2, 2, 0, tzinfo=dt.UTC)


async def test_only_the_districts_admins_keep_its_directory(
    app: Litestar, client: Client, token_for_phone: TokenForPhone
) -> None:
    LegalClock(app, NOW)
    admin = await someone(client, token_for_phone, ADMIN_GX)
    other_admin = await someone(client, token_for_phone, ADMIN_JINSHUI)
    resident = await someone(client, token_for_phone, RESIDENT)
    body = {"name": "凤阳法律服务站", "kind": "station", "org_path": "zz/gx/fengyang"}
    for who in (other_admin, resident):
        refused = await client.post(f"{APP}/stations", json=body, headers=who.headers)
        assert (refused.status_code, refused.json()["code"]) == (403, "legal_not_district_admin")
    city_wide = await client.post(
        f"{APP}/stations", json={**body, "org_path": "zz"}, headers=admin.headers
    )
    assert city_wide.status_code == 403
    desk = await station(client, admin, kind="station", org_path="zz/gx/fengyang")
    shown = await client.get(
        f"{APP}/stations", params={"district": "zz/gx"}, headers=resident.headers
    )
    assert [(s["id"], s["district"]) for s in shown.json()["items"]] == [(desk, "zz/gx")]

    lawyer = await someone(client, token_for_phone, DEMO_LAWYER)
    not_a_lawyer = await someone(client, token_for_phone, RESIDENT_JINSHUI)
    url = f"{APP}/stations/{desk}/lawyers"
    refused = await client.post(
        url,
        json={"user_id": not_a_lawyer.user_id, "specialities": ["labour"]},
        headers=admin.headers,
    )
    assert (refused.status_code, refused.json()["code"]) == (422, "legal_not_a_lawyer")
    elsewhere = await new_lawyer(client, token_for_phone, other_admin, "13900000150", "zz/jinshui")
    refused = await client.post(
        url, json={"user_id": elsewhere.user_id, "specialities": ["labour"]}, headers=admin.headers
    )
    assert (refused.status_code, refused.json()["code"]) == (422, "legal_not_a_lawyer")
    by_other = await client.post(
        url,
        json={"user_id": lawyer.user_id, "specialities": ["labour"]},
        headers=other_admin.headers,
    )
    assert by_other.status_code == 403
    lawyer_id = await listed(client, admin, desk, lawyer, {"labour", "family"})
    twice = await client.post(
        url, json={"user_id": lawyer.user_id, "specialities": ["traffic"]}, headers=admin.headers
    )
    assert (twice.status_code, twice.json()["code"]) == (409, "legal_lawyer_listed")
    roster = await client.get(url, headers=admin.headers)
    assert [(v["name"], v["specialities"], v["on_duty"]) for v in roster.json()["items"]] == [
        ("钱律师", ["family", "labour"], False)
    ]
    assert (await client.get(url, headers=resident.headers)).status_code == 403

    shifts = f"{APP}/lawyers/{lawyer_id}/shifts"
    hour = dt.timedelta(hours=1)
    for starts, ends in [
        (NOW + 2 * hour, NOW + hour),  # ends before it starts
        (NOW - 3 * hour, NOW - hour),  # over already
        (NOW, NOW + dt.timedelta(days=15)),  # too long
    ]:
        bad = await client.post(
            shifts,
            json={"starts_at": starts.isoformat(), "ends_at": ends.isoformat()},
            headers=admin.headers,
        )
        assert (bad.status_code, bad.json()["code"]) == (422, "legal_shift_invalid"), bad.text
    naive = await client.post(
        shifts,
        json={"starts_at": "2026-12-02T10:00:00", "ends_at": "2026-12-02T18:00:00"},
        headers=admin.headers,
    )
    assert naive.status_code == 400
    on = await client.post(
        shifts,
        json={"starts_at": NOW.isoformat(), "ends_at": (NOW + 8 * hour).isoformat()},
        headers=other_admin.headers,
    )
    assert on.status_code == 403
    assert (await Station.count(), await Lawyer.count(), await Shift.count()) == (1, 1, 0)


async def test_a_bad_question_is_refused_and_nothing_is_written(
    app: Litestar, client: Client, token_for_phone: TokenForPhone
) -> None:
    LegalClock(app, NOW)
    resident = await someone(client, token_for_phone, RESIDENT)
    for body, status in [
        ({"category": "labour", "question": ""}, 400),
        ({"category": "labour", "question": "太短"}, 400),
        ({"category": "labour", "question": "长" * 2001}, 400),
        ({"category": "labour", "question": "有 NUL\u0000 的问题在这里"}, 400),
        ({"category": "astrology", "question": "我今年运势怎么样啊请问"}, 400),
        ({"category": "labour", "question": "公司拖欠工资怎么办呢", "lawyer_id": 1}, 400),
        ({"category": "labour", "question": 12345678901}, 400),
    ]:
        refused = await client.post(f"{APP}/consultations", json=body, headers=resident.headers)
        assert refused.status_code == status, (body, refused.text)
        assert refused.headers["content-type"].startswith("application/problem+json")
    assert await Consultation.count() == 0
