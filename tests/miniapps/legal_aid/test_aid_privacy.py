"""A legal-aid case is seen by its applicant, its lawyer and the district's centre (its
admins and its centre's head), and by nobody else, who is told it does not exist: not an
unassigned lawyer of the same centre, a lawyer or admin of another district, or another
resident. Every read by staff is audited."""

from __future__ import annotations

import collections
import datetime as dt

from backend.directory.users.tables import AuditEntry
from tests.conftest import Client, TokenForPhone
from tests.miniapps.legal_aid.aid_desk import centre, opened_case
from tests.miniapps.legal_aid.desk import (
    ADMIN_JINSHUI,
    APP,
    RESIDENT,
    RESIDENT_JINSHUI,
    new_lawyer,
    someone,
)

OTHER_RESIDENT = "13800000002"


async def test_only_the_applicant_the_lawyer_and_the_centre_see_a_case(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    desk = await centre(client, token_for_phone, dt.datetime.now(dt.UTC))
    assigned, unassigned = desk.lawyers
    resident = await someone(client, token_for_phone, RESIDENT)
    case_id = await opened_case(resident.user_id)
    given = await client.post(
        f"{APP}/cases/{case_id}/lawyer",
        json={"lawyer_id": assigned.user_id},
        headers=desk.admin.headers,
    )
    assert given.status_code == 200, given.text
    case = f"{APP}/cases/{case_id}"

    for reader in (resident, assigned, desk.admin, desk.head):
        assert (await client.get(case, headers=reader.headers)).status_code == 200
    jinshui_admin = await someone(client, token_for_phone, ADMIN_JINSHUI)
    jinshui_lawyer = await new_lawyer(
        client, token_for_phone, jinshui_admin, "13900000310", "zz/jinshui"
    )
    outsiders = [
        unassigned,
        jinshui_admin,
        jinshui_lawyer,
        await someone(client, token_for_phone, RESIDENT_JINSHUI),
        await someone(client, token_for_phone, OTHER_RESIDENT),
    ]
    for outsider in outsiders:
        seen = await client.get(case, headers=outsider.headers)
        assert (seen.status_code, seen.json()["code"]) == (404, "legal_case_not_found")
        noted = await client.post(f"{case}/notes", json={"text": "看看"}, headers=outsider.headers)
        assert noted.status_code == 404
        mine = await client.get(f"{APP}/cases/mine", headers=outsider.headers)
        assert mine.json()["items"] == []
    refused = await client.get(
        f"{APP}/cases/centre", params={"district": "zz/gx"}, headers=jinshui_admin.headers
    )
    assert (refused.status_code, refused.json()["code"]) == (403, "legal_not_centre")
    listed = await client.get(
        f"{APP}/cases/centre", params={"district": "zz/gx"}, headers=desk.head.headers
    )
    assert [c["id"] for c in listed.json()["items"]] == [case_id]

    readers = await AuditEntry.select(AuditEntry.actor_id).where(
        AuditEntry.action == "legal_aid.case_read"
    )
    # The admin's assignment and read, the lawyer's read, the head's read and list: each
    # read by staff is one entry or more, and nobody else's is there.
    counts = collections.Counter(r["actor_id"] for r in readers)
    assert set(counts) == {desk.admin.user_id, desk.head.user_id, assigned.user_id}
    assert counts[assigned.user_id] >= 1
    assert counts[desk.head.user_id] >= 2
