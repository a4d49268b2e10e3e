"""Legal services hold where they were attacked: nobody answers their own question, a
lawyer who lost the role sees nothing more, a station's head is a lawyer of its district in
an existing unit, a refused attachment leaves no file, a far-off shift is refused, whoever
an escalation tells sees the question, the queue's reads are audited, and a question of
blanks is no question."""

from __future__ import annotations

import asyncio
import datetime as dt
import io

from litestar import Litestar
from PIL import Image

from backend.directory.users.tables import RoleAssignment
from backend.kernel.services import services_of
from backend.kernel.storage import Storage
from miniapps.legal_aid.tables import Attachment, Consultation
from tests.conftest import Client, TokenForPhone
from tests.miniapps.legal_aid.desk import (
    ADMIN_GX,
    APP,
    DEMO_LAWYER,
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

NOW = dt.datetime(2026, 12, 2, 2, 0, tzinfo=dt.UTC)  # Wednesday 10:00 in the city


def _jpeg(seed: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (seed, 90, 160)).save(out, "JPEG")
    return out.getvalue()


async def test_a_lawyer_who_asks_is_never_routed_their_own_question(
    app: Litestar, client: Client, token_for_phone: TokenForPhone
) -> None:
    """The demo lawyer lives in zz/gx, so is a resident there too: on duty, their own
    question goes to another lawyer."""
    LegalClock(app, NOW)
    admin = await someone(client, token_for_phone, ADMIN_GX)
    desk = await station(client, admin, kind="station")
    me = await someone(client, token_for_phone, DEMO_LAWYER)
    other = await new_lawyer(client, token_for_phone, admin, "13900000201")
    await on_duty(client, admin, await listed(client, admin, desk, me, {"labour"}), NOW)
    await on_duty(client, admin, await listed(client, admin, desk, other, {"family"}), NOW)
    asked = await ask(client, me)
    assert asked["lawyer_id"] == other.user_id


async def test_a_lawyer_whose_role_is_taken_away_is_routed_and_shown_nothing(
    app: Litestar, client: Client, token_for_phone: TokenForPhone
) -> None:
    LegalClock(app, NOW)
    admin = await someone(client, token_for_phone, ADMIN_GX)
    desk = await station(client, admin, kind="station")
    gone = await new_lawyer(client, token_for_phone, admin, "13900000202")
    await on_duty(client, admin, await listed(client, admin, desk, gone, {"labour"}), NOW)
    await RoleAssignment.delete().where(
        (RoleAssignment.user == gone.user_id) & (RoleAssignment.role == "lawyer")
    )
    resident = await someone(client, token_for_phone, RESIDENT)
    asked = await ask(client, resident)
    assert (asked["lawyer_id"], asked["station_id"]) == (None, None)
    pooled = await ask(client, resident)
    await Consultation.update({Consultation.lawyer_id: gone.user_id}).where(
        Consultation.id == pooled["id"]
    )
    # A fresh token: its holder holds no lawyer role now.
    gone = await someone(client, token_for_phone, "13900000202")
    url = f"{APP}/consultations/{pooled['id']}"
    assert (await client.get(url, headers=gone.headers)).status_code == 404
    answered = await client.post(f"{url}/messages", json={"text": "我来答"}, headers=gone.headers)
    assert answered.status_code == 404


class CountingStorage(Storage):
    def __init__(self, inner: Storage) -> None:
        self.inner = inner
        self.keys: list[str] = []

    async def put(self, data: bytes, *, suffix: str) -> str:
        key = await self.inner.put(data, suffix=suffix)
        self.keys.append(key)
        return key

    async def get(self, key: str) -> bytes:
        return await self.inner.get(key)


async def test_attachments_refused_under_the_lock_leave_no_file(
    app: Litestar, client: Client, token_for_phone: TokenForPhone
) -> None:
    LegalClock(app, NOW)
    storage = CountingStorage(services_of(app).storage)
    services_of(app).storage = storage
    admin = await someone(client, token_for_phone, ADMIN_GX)
    desk = await station(client, admin, kind="station")
    lawyer = await new_lawyer(client, token_for_phone, admin, "13900000203")
    await on_duty(client, admin, await listed(client, admin, desk, lawyer, {"labour"}), NOW)
    resident = await someone(client, token_for_phone, RESIDENT)
    url = f"{APP}/consultations/{(await ask(client, resident))['id']}/attachments"
    sent = await asyncio.gather(
        *(
            client.post(
                url, content=_jpeg(n), headers={**resident.headers, "Content-Type": "image/jpeg"}
            )
            for n in range(8)
        )
    )
    assert sorted(a.status_code for a in sent) == [201] * 5 + [409] * 3
    kept = {r["storage_key"] for r in await Attachment.select(Attachment.storage_key)}
    assert set(storage.keys) == kept


async def test_a_station_head_is_a_lawyer_of_its_district(
    app: Litestar, client: Client, token_for_phone: TokenForPhone
) -> None:
    LegalClock(app, NOW)
    admin = await someone(client, token_for_phone, ADMIN_GX)
    outsider = await someone(client, token_for_phone, RESIDENT_JINSHUI)
    made = await client.post(
        f"{APP}/stations",
        json={"name": "站", "kind": "station", "org_path": "zz/gx", "head_id": outsider.user_id},
        headers=admin.headers,
    )
    assert (made.status_code, made.json()["code"]) == (422, "legal_not_a_lawyer")


async def test_a_station_is_in_an_org_unit_that_exists(
    app: Litestar, client: Client, token_for_phone: TokenForPhone
) -> None:
    LegalClock(app, NOW)
    admin = await someone(client, token_for_phone, ADMIN_GX)
    made = await client.post(
        f"{APP}/stations",
        json={"name": "站", "kind": "centre", "org_path": "zz/gx/no-such-street"},
        headers=admin.headers,
    )
    assert (made.status_code, made.json()["code"]) == (422, "org_unit_unknown")


async def test_a_shift_at_the_end_of_time_is_refused(
    app: Litestar, client: Client, token_for_phone: TokenForPhone
) -> None:
    LegalClock(app, NOW)
    admin = await someone(client, token_for_phone, ADMIN_GX)
    desk = await station(client, admin, kind="station")
    lawyer = await new_lawyer(client, token_for_phone, admin, "13900000204")
    lawyer_id = await listed(client, admin, desk, lawyer, {"labour"})
    shift = await client.post(
        f"{APP}/lawyers/{lawyer_id}/shifts",
        json={"starts_at": "9999-12-31T10:00:00-14:00", "ends_at": "9999-12-31T23:59:59-14:00"},
        headers=admin.headers,
    )
    assert (shift.status_code, shift.json()["code"]) == (422, "legal_shift_invalid")


async def test_the_centre_head_told_at_the_second_step_sees_the_question(
    app: Litestar, client: Client, token_for_phone: TokenForPhone
) -> None:
    from miniapps.legal_aid.escalation import escalate_overdue
    from miniapps.legal_aid.runtime import LegalRuntime
    from push.tables import InboxItem
    from tests.support import notices_recorded

    clock = LegalClock(app, NOW)
    admin = await someone(client, token_for_phone, ADMIN_GX)
    head = await new_lawyer(client, token_for_phone, admin, "13900000205")
    desk = await station(client, admin, kind="station", head_id=head.user_id)
    centre_head = await new_lawyer(client, token_for_phone, admin, "13900000206")
    await station(client, admin, kind="centre", head_id=centre_head.user_id)
    lawyer = await new_lawyer(client, token_for_phone, admin, "13900000207")
    await on_duty(client, admin, await listed(client, admin, desk, lawyer, {"labour"}), NOW)
    resident = await someone(client, token_for_phone, RESIDENT)
    asked = await ask(client, resident)
    legal = services_of(app).runtime(LegalRuntime)
    clock.now = NOW + dt.timedelta(days=1)
    assert await escalate_overdue(legal) == 1
    clock.now = NOW + dt.timedelta(days=2)
    assert await escalate_overdue(legal) == 1
    await notices_recorded()
    told = {r["user_id"] for r in await InboxItem.select(InboxItem.user_id)}
    assert centre_head.user_id in told
    shown = await client.get(f"{APP}/consultations/{asked['id']}", headers=centre_head.headers)
    assert shown.status_code == 200, shown.text


async def test_a_lawyers_queue_is_audited(
    app: Litestar, client: Client, token_for_phone: TokenForPhone
) -> None:
    from backend.directory.users.tables import AuditEntry

    LegalClock(app, NOW)
    admin = await someone(client, token_for_phone, ADMIN_GX)
    centre = await station(client, admin, kind="centre")
    lawyer = await new_lawyer(client, token_for_phone, admin, "13900000208")
    await listed(client, admin, centre, lawyer, {"labour"})
    resident = await someone(client, token_for_phone, RESIDENT)
    await ask(client, resident, question="我丈夫家暴,我想离婚,孩子怎么办?")
    queue = await client.get(f"{APP}/consultations/queue", headers=lawyer.headers)
    assert queue.json()["items"][0]["question"] == "我丈夫家暴,我想离婚,孩子怎么办?"
    audited = await AuditEntry.count().where(AuditEntry.action == "legal_aid.consultation_read")
    assert audited == 1


async def test_a_blank_question_is_refused(
    app: Litestar, client: Client, token_for_phone: TokenForPhone
) -> None:
    LegalClock(app, NOW)
    admin = await someone(client, token_for_phone, ADMIN_GX)
    desk = await station(client, admin, kind="station")
    lawyer = await new_lawyer(client, token_for_phone, admin, "13900000209")
    await on_duty(client, admin, await listed(client, admin, desk, lawyer, {"labour"}), NOW)
    resident = await someone(client, token_for_phone, RESIDENT)
    blank = await client.post(
        f"{APP}/consultations",
        json={"category": "labour", "question": " " * 10},
        headers=resident.headers,
    )
    assert blank.status_code == 400, blank.text
    assert await Consultation.count() == 0
