"""A question goes to an on-duty lawyer of the asker's district: one who knows its subject
first, then the least loaded; nobody off duty, nobody of another district. With nobody on
duty it waits in the pool of the district's legal-aid centre, for one lawyer there to take."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter

from litestar import Litestar

from miniapps.legal_aid.consultations import Asking, open_all
from miniapps.legal_aid.schemas import Speciality
from miniapps.legal_aid.tables import Consultation, Lawyer
from tests.conftest import Client, TokenForPhone
from tests.miniapps.legal_aid.desk import (
    ADMIN_GX,
    APP,
    RESIDENT,
    RESIDENT_JINSHUI,
    LegalClock,
    ask,
    listed,
    new_lawyer,
    on_duty,
    someone,
    station,
)

NOW = dt.datetime(2026, 12, 2, 2, 0, tzinfo=dt.UTC)  # a Wednesday, 10:00 in the city


async def test_a_question_goes_to_who_knows_it_then_to_the_least_loaded(
    app: Litestar, client: Client, token_for_phone: TokenForPhone
) -> None:
    LegalClock(app, NOW)
    admin = await someone(client, token_for_phone, ADMIN_GX)
    resident = await someone(client, token_for_phone, RESIDENT)
    desk = await station(client, admin, kind="station")
    lawyers = {}
    for phone, knows, duty in [
        ("13900000101", {"labour"}, True),
        ("13900000102", {"family"}, True),
        ("13900000103", {"labour", "contract"}, True),
        ("13900000104", {"labour"}, False),
    ]:
        person = await new_lawyer(client, token_for_phone, admin, phone)
        lawyer_id = await listed(client, admin, desk, person, knows)
        if duty:
            await on_duty(client, admin, lawyer_id, NOW)
        lawyers[phone] = person.user_id

    family = await ask(client, resident, "family", "离婚后孩子的抚养权怎么判?")
    assert (family["lawyer_id"], family["station_id"]) == (lawyers["13900000102"], desk)
    labour = await asyncio.gather(*(ask(client, resident) for _ in range(4)))
    routed = Counter(c["lawyer_id"] for c in labour)
    assert routed == {lawyers["13900000101"]: 2, lawyers["13900000103"]: 2}
    # The off-duty specialist got nothing; the others' loads count what they were given.
    loads = {r["user_id"]: r["open_count"] for r in await Lawyer.select()}
    assert loads[lawyers["13900000104"]] == 0
    assert sorted(loads.values()) == [0, 1, 2, 2]
    traffic = await ask(client, resident, "traffic", "电动车被撞了对方不赔怎么办?")
    assert traffic["lawyer_id"] == lawyers["13900000102"]  # nobody knows it: the least loaded

    elsewhere = await someone(client, token_for_phone, RESIDENT_JINSHUI)
    jinshui = await ask(client, elsewhere)
    assert (jinshui["district"], jinshui["lawyer_id"], jinshui["station_id"]) == (
        "zz/jinshui",
        None,
        None,
    )


async def test_with_nobody_on_duty_a_question_waits_for_one_lawyer_of_the_centre(
    app: Litestar, client: Client, token_for_phone: TokenForPhone
) -> None:
    LegalClock(app, NOW)
    admin = await someone(client, token_for_phone, ADMIN_GX)
    resident = await someone(client, token_for_phone, RESIDENT)
    other_desk = await station(client, admin, kind="station")
    centre = await station(client, admin, kind="centre")
    first = await new_lawyer(client, token_for_phone, admin, "13900000111")
    second = await new_lawyer(client, token_for_phone, admin, "13900000112")
    outsider = await new_lawyer(client, token_for_phone, admin, "13900000113")
    await listed(client, admin, centre, first, {"labour"})
    await listed(client, admin, centre, second, {"family"})
    await listed(client, admin, other_desk, outsider, {"labour"})

    asked = await ask(client, resident)
    assert (asked["station_id"], asked["lawyer_id"]) == (centre, None)
    url = f"{APP}/consultations/{asked['id']}"
    queue = await client.get(f"{APP}/consultations/queue", headers=second.headers)
    assert [c["id"] for c in queue.json()["items"]] == [asked["id"]]
    assert (await client.get(url, headers=outsider.headers)).status_code == 404
    empty = await client.get(f"{APP}/consultations/queue", headers=outsider.headers)
    assert empty.json()["items"] == []
    not_theirs = await client.post(f"{url}/take", headers=outsider.headers)
    assert (not_theirs.status_code, not_theirs.json()["code"]) == (
        404,
        "legal_consultation_not_found",
    )

    at_once = await asyncio.gather(
        client.post(f"{url}/take", headers=first.headers),
        client.post(f"{url}/take", headers=second.headers),
    )
    assert sorted(a.status_code for a in at_once) == [200, 409], [a.text for a in at_once]
    [taken] = [a.json() for a in at_once if a.status_code == 200]
    assert taken["lawyer_id"] in {first.user_id, second.user_id}
    loads = {r["user_id"]: r["open_count"] for r in await Lawyer.select()}
    assert loads == {
        first.user_id: int(taken["lawyer_id"] == first.user_id),
        second.user_id: int(taken["lawyer_id"] == second.user_id),
        outsider.user_id: 0,
    }
    # Taken, it is the taker's alone: the other lawyer of the centre no longer sees it.
    loser = second if taken["lawyer_id"] == first.user_id else first
    assert (await client.get(url, headers=loser.headers)).status_code == 404
    assert await Consultation.count() == 1


async def test_questions_asked_at_once_spread_evenly_over_the_lawyers_on_duty(
    app: Litestar, client: Client, token_for_phone: TokenForPhone
) -> None:
    LegalClock(app, NOW)
    admin = await someone(client, token_for_phone, ADMIN_GX)
    resident = await someone(client, token_for_phone, RESIDENT)
    desk = await station(client, admin, kind="station")
    for phone in ("13900000141", "13900000142", "13900000143"):
        lawyer = await new_lawyer(client, token_for_phone, admin, phone)
        await on_duty(client, admin, await listed(client, admin, desk, lawyer, {"labour"}), NOW)
    asked = await asyncio.gather(*(ask(client, resident) for _ in range(30)))
    assert sorted(Counter(c["lawyer_id"] for c in asked).values()) == [10, 10, 10]
    assert sorted(r["open_count"] for r in await Lawyer.select()) == [10, 10, 10]


async def test_questions_opened_by_several_servers_at_once_spread_evenly(
    app: Litestar, client: Client, token_for_phone: TokenForPhone
) -> None:
    """One server writes the questions asked at once in one transaction; several servers
    (or their workers) write theirs in transactions of their own at the same time."""
    LegalClock(app, NOW)
    admin = await someone(client, token_for_phone, ADMIN_GX)
    resident = await someone(client, token_for_phone, RESIDENT)
    desk = await station(client, admin, kind="station")
    for phone in ("13900000151", "13900000152", "13900000153"):
        lawyer = await new_lawyer(client, token_for_phone, admin, phone)
        await on_duty(client, admin, await listed(client, admin, desk, lawyer, {"labour"}), NOW)
    asking = Asking(
        asker_id=resident.user_id,
        district="zz/gx",
        category=Speciality.LABOUR,
        question="公司拖欠工资三个月怎么办?",
        asked_at=NOW,
        due=NOW + dt.timedelta(hours=4),
    )
    await asyncio.gather(*(open_all([asking]) for _ in range(30)))
    assert sorted(r["open_count"] for r in await Lawyer.select()) == [10, 10, 10]
