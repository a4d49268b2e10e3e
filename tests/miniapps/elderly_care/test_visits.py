"""Care visits: the care or grid worker over the elder's grid checks in and out where they
stand, one home at a time, and only they check out; the care report shows the admins over
a subtree how fast SOS calls were answered, the check-ins kept, the visits made, who is
overdue a visit and which visits were short."""

from __future__ import annotations

import asyncio
import datetime as dt

from litestar import Litestar

from backend.kernel.roles import Role
from miniapps.elderly_care.tables import Visit
from tests.conftest import Client, TokenFor, TokenForPhone, bearer
from tests.miniapps.elderly_care.circle import (
    ADMIN_C04,
    APP,
    C03,
    DAUGHTER,
    WORKER_G07,
    WORKER_G08,
    CareClock,
    Person,
    enrolled_elder,
    join_circle,
    someone,
)
from tests.miniapps.payment.helpers import user_id_of

HOME = {"latitude": 34.8051, "longitude": 113.5552}


async def _care_worker(client: Client, token_for: TokenFor) -> Person:
    token = await token_for(Role.CARE_WORKER)
    return Person(token, await user_id_of(client, token))


async def test_a_worker_checks_in_and_out_one_home_at_a_time(
    app: Litestar, client: Client, token_for: TokenFor, token_for_phone: TokenForPhone
) -> None:
    clock = CareClock(app)
    start = clock.now
    elder, elder_id = await enrolled_elder(client, token_for_phone)
    daughter = await someone(client, token_for_phone, DAUGHTER)
    await join_circle(client, elder, elder_id, daughter)
    worker = await _care_worker(client, token_for)
    path = f"{APP}/elders/{elder_id}/visits"

    at_once = await asyncio.gather(
        *(client.post(path, json=HOME, headers=worker.headers) for _ in range(3))
    )
    assert sorted(a.status_code for a in at_once) == [201, 409, 409], [a.text for a in at_once]
    assert {a.json()["code"] for a in at_once if a.status_code == 409} == {"care_visit_open"}
    [visit] = [a.json() for a in at_once if a.status_code == 201]
    assert (visit["worker"]["id"], visit["arrived_latitude"], visit["left_at"]) == (
        worker.user_id,
        34.8051,
        None,
    )

    by_family = await client.post(path, json=HOME, headers=daughter.headers)
    assert (by_family.status_code, by_family.json()["code"]) == (403, "care_visitors_only")
    elsewhere = await someone(client, token_for_phone, WORKER_G08)
    assert (await client.post(path, json=HOME, headers=elsewhere.headers)).status_code == 404
    grid_worker = await someone(client, token_for_phone, WORKER_G07)
    not_theirs = await client.post(
        f"{APP}/visits/{visit['id']}/leave", json=HOME, headers=grid_worker.headers
    )
    assert (not_theirs.status_code, not_theirs.json()["code"]) == (403, "care_visitor_own")
    unseen = await client.post(
        f"{APP}/visits/{visit['id']}/leave", json=HOME, headers=elsewhere.headers
    )
    assert (unseen.status_code, unseen.json()["code"]) == (404, "care_visit_not_found")

    clock.at(35 * 60 + 20, start)
    left = await client.post(
        f"{APP}/visits/{visit['id']}/leave",
        json={**HOME, "notes": "血压正常,已陪同散步"},
        headers=worker.headers,
    )
    assert left.status_code == 200, left.text
    assert (left.json()["minutes"], left.json()["notes"]) == (35, "血压正常,已陪同散步")
    again = await client.post(
        f"{APP}/visits/{visit['id']}/leave", json=HOME, headers=worker.headers
    )
    assert (again.status_code, again.json()["code"]) == (409, "care_visit_ended")
    listed = await client.get(path, headers=daughter.headers)
    assert [v["id"] for v in listed.json()["items"]] == [visit["id"]]
    # Checked out, the worker may check in at the next home.
    assert (await client.post(path, json=HOME, headers=worker.headers)).status_code == 201
    assert await Visit.count() == 2


async def test_the_care_report_shows_answers_checkins_and_overdue_or_short_visits(
    app: Litestar, client: Client, token_for: TokenFor, token_for_phone: TokenForPhone
) -> None:
    clock = CareClock(app)
    start = clock.now
    elder, elder_id = await enrolled_elder(client, token_for_phone)
    daughter = await someone(client, token_for_phone, DAUGHTER)
    await join_circle(client, elder, elder_id, daughter)
    worker = await _care_worker(client, token_for)
    admin = bearer(await token_for(Role.COMMUNITY_ADMIN))

    planned = await client.put(
        f"{APP}/elders/{elder_id}/visit-plan",
        json={"every_days": 7, "min_minutes": 30},
        headers=worker.headers,
    )
    assert planned.status_code == 200, planned.text
    by_elder = await client.put(
        f"{APP}/elders/{elder_id}/visit-plan", json={"every_days": 1}, headers=elder.headers
    )
    assert (by_elder.status_code, by_elder.json()["code"]) == (403, "care_staff_only")

    visit = (
        await client.post(f"{APP}/elders/{elder_id}/visits", json=HOME, headers=worker.headers)
    ).json()
    clock.at(10 * 60, start)
    await client.post(f"{APP}/visits/{visit['id']}/leave", json=HOME, headers=worker.headers)

    sos = (await client.post(f"{APP}/elders/{elder_id}/sos", json={}, headers=elder.headers)).json()
    clock.at(10 * 60 + 45, start)
    answered = await client.post(f"{APP}/alarms/{sos['id']}/acknowledge", headers=daughter.headers)
    assert answered.status_code == 200, answered.text

    # An SOS in another district is not the community's.
    elsewhere = await someone(client, token_for_phone, "13800000016")
    far = await client.post(f"{APP}/elders", json={}, headers=elsewhere.headers)
    assert far.status_code == 201, far.text
    far_sos = await client.post(
        f"{APP}/elders/{far.json()['id']}/sos", json={}, headers=elsewhere.headers
    )
    assert far_sos.status_code == 201, far_sos.text

    checkins = {"starts": "00:00", "ends": "23:00", "days": [1, 2, 3, 4, 5, 6, 7]}
    await client.put(f"{APP}/elders/{elder_id}/checkin-plan", json=checkins, headers=elder.headers)
    kept = await client.post(f"{APP}/elders/{elder_id}/checkins", headers=elder.headers)
    assert kept.status_code == 200, kept.text

    shown = await client.get(f"{APP}/care-report", params={"under": C03}, headers=admin)
    assert shown.status_code == 200, shown.text
    report = shown.json()
    assert (report["checkins_due"], report["checkins_kept"], report["checkin_rate"]) == (1, 1, 1.0)
    assert (report["sos_raised"], report["sos_answered"], report["sos_median_answer_seconds"]) == (
        1,
        1,
        45,
    )
    assert report["visits_done"] == 1
    assert [(s["visit_id"], s["minutes"], s["min_minutes"]) for s in report["short"]] == [
        (visit["id"], 10, 30)
    ]
    assert report["overdue"] == []

    clock.at(7 * 24 * 3600, start)
    later = (await client.get(f"{APP}/care-report", params={"under": C03}, headers=admin)).json()
    assert [(o["elder_id"], o["name"]) for o in later["overdue"]] == [(elder_id, "王居民")]
    assert dt.datetime.fromisoformat(later["overdue"][0]["due_at"]) == start + dt.timedelta(days=7)

    other = bearer(await token_for_phone(ADMIN_C04))
    refused = await client.get(f"{APP}/care-report", params={"under": C03}, headers=other)
    assert (refused.status_code, refused.json()["code"]) == (403, "care_not_admin_over")
    by_worker = await client.get(
        f"{APP}/care-report", params={"under": C03}, headers=worker.headers
    )
    assert by_worker.status_code == 403
