"""A consultation is seen by its asker, its lawyer, the station's head and the district's
admins, and by nobody else, not even another lawyer of the station once it is taken; every
read by staff is audited. The lawyer's first reply answers it, each side is told of the
other's messages, and the asker's rating closes it once."""

from __future__ import annotations

import datetime as dt

from litestar import Litestar

from backend.directory.users.tables import AuditEntry
from miniapps.legal_aid.tables import ConsultMessage, Lawyer
from push.tables import InboxItem
from tests.conftest import Client, TokenForPhone
from tests.miniapps.legal_aid.desk import (
    ADMIN_GX,
    ADMIN_JINSHUI,
    APP,
    RESIDENT,
    RESIDENT_JINSHUI,
    LegalClock,
    Person,
    ask,
    listed,
    new_lawyer,
    on_duty,
    someone,
    station,
)
from tests.support import notices_recorded

NOW = dt.datetime(2026, 12, 2, 2, 0, tzinfo=dt.UTC)


class Desk:
    def __init__(self, admin: Person, head: Person, lawyer: Person, colleague: Person) -> None:
        self.admin, self.head, self.lawyer, self.colleague = admin, head, lawyer, colleague


async def _desk(client: Client, token_for_phone: TokenForPhone) -> Desk:
    """A station with a head; its lawyer on duty, a colleague off duty."""
    admin = await someone(client, token_for_phone, ADMIN_GX)
    head = await new_lawyer(client, token_for_phone, admin, "13900000120")
    desk = await station(client, admin, kind="station", head_id=head.user_id)
    lawyer = await new_lawyer(client, token_for_phone, admin, "13900000121")
    colleague = await new_lawyer(client, token_for_phone, admin, "13900000122")
    await on_duty(client, admin, await listed(client, admin, desk, lawyer, {"labour"}), NOW)
    await listed(client, admin, desk, colleague, {"labour"})
    return Desk(admin, head, lawyer, colleague)


async def test_a_consultation_is_seen_by_its_parties_and_supervisors_alone(
    app: Litestar, client: Client, token_for_phone: TokenForPhone
) -> None:
    LegalClock(app, NOW)
    desk = await _desk(client, token_for_phone)
    resident = await someone(client, token_for_phone, RESIDENT)
    asked = await ask(client, resident)
    assert asked["lawyer_id"] == desk.lawyer.user_id
    url = f"{APP}/consultations/{asked['id']}"

    for who in (resident, desk.lawyer, desk.head, desk.admin):
        shown = await client.get(url, headers=who.headers)
        assert shown.status_code == 200, shown.text
        assert shown.json()["question"] == "公司拖欠工资三个月怎么办?"
    for phone in (RESIDENT_JINSHUI, ADMIN_JINSHUI):
        other = await someone(client, token_for_phone, phone)
        hidden = await client.get(url, headers=other.headers)
        assert (hidden.status_code, hidden.json()["code"]) == (404, "legal_consultation_not_found")
    assert (await client.get(url, headers=desk.colleague.headers)).status_code == 404
    mine = await client.get(f"{APP}/consultations/mine", headers=resident.headers)
    assert [c["id"] for c in mine.json()["items"]] == [asked["id"]]
    queue = await client.get(f"{APP}/consultations/queue", headers=desk.colleague.headers)
    assert queue.json()["items"] == []

    audited = await AuditEntry.select(AuditEntry.actor_id).where(
        AuditEntry.action == "legal_aid.consultation_read"
    )
    readers = {desk.lawyer.user_id, desk.head.user_id, desk.admin.user_id}
    assert {row["actor_id"] for row in audited} == readers


async def test_the_lawyer_answers_in_a_thread_and_the_rating_closes_it_once(
    app: Litestar, client: Client, token_for_phone: TokenForPhone
) -> None:
    LegalClock(app, NOW)
    desk = await _desk(client, token_for_phone)
    resident = await someone(client, token_for_phone, RESIDENT)
    asked = await ask(client, resident)
    url = f"{APP}/consultations/{asked['id']}"

    early = await client.post(f"{url}/rating", json={"stars": 5}, headers=resident.headers)
    assert (early.status_code, early.json()["code"]) == (409, "legal_not_answered")
    by_head = await client.post(
        f"{url}/messages", json={"text": "我来答"}, headers=desk.head.headers
    )
    assert (by_head.status_code, by_head.json()["code"]) == (403, "legal_not_your_consultation")
    answered = await client.post(
        f"{url}/messages",
        json={"text": "可以向劳动监察大队投诉,或申请劳动仲裁。"},
        headers=desk.lawyer.headers,
    )
    assert answered.status_code == 201, answered.text
    assert (answered.json()["status"], answered.json()["answered_at"]) == (
        "answered",
        NOW.isoformat().replace("+00:00", "Z"),
    )
    followed = await client.post(
        f"{url}/messages", json={"text": "仲裁要钱吗?"}, headers=resident.headers
    )
    assert [m["by_lawyer"] for m in followed.json()["messages"]] == [True, False]
    await notices_recorded()
    told = await InboxItem.select(InboxItem.user_id, InboxItem.title)
    assert (resident.user_id, "咨询有新回复") in {(r["user_id"], r["title"]) for r in told}
    assert (desk.lawyer.user_id, "新的法律咨询") in {(r["user_id"], r["title"]) for r in told}

    by_lawyer = await client.post(f"{url}/rating", json={"stars": 5}, headers=desk.lawyer.headers)
    assert (by_lawyer.status_code, by_lawyer.json()["code"]) == (403, "legal_not_your_consultation")
    rated = await client.post(
        f"{url}/rating", json={"stars": 4, "comment": "很清楚"}, headers=resident.headers
    )
    assert rated.status_code == 200, rated.text
    assert (rated.json()["status"], rated.json()["rating"]) == ("closed", 4)
    again = await client.post(f"{url}/rating", json={"stars": 1}, headers=resident.headers)
    assert (again.status_code, again.json()["code"]) == (409, "legal_rated")
    closed = await client.post(f"{url}/messages", json={"text": "还有"}, headers=resident.headers)
    assert (closed.status_code, closed.json()["code"]) == (409, "legal_consultation_closed")
    assert await ConsultMessage.count() == 2
    load = await Lawyer.select(Lawyer.open_count).where(Lawyer.user_id == desk.lawyer.user_id)
    assert load == [{"open_count": 0}]
