"""A mediation is seen by its two parties, its mediator and its committee, and by nobody
else, who is told it does not exist: the other party never sees the applicant's other
disputes, nor does a lawyer, a community's staff or another district."""

from __future__ import annotations

from backend.directory.users.tables import AuditEntry
from tests.conftest import Client, TokenForPhone
from tests.miniapps.legal_aid.desk import ADMIN_GX, ADMIN_JINSHUI, APP, RESIDENT_JINSHUI, someone
from tests.miniapps.legal_aid.mediating import act, apply, sides

STRANGER_PHONE = "13900000210"
# The demo lawyer, grid worker and community admin of c03: staff, none of this committee.
LAWYER, GRID_WORKER, COMMUNITY_ADMIN = "13800000012", "13800000003", "13800000005"


async def test_only_the_parties_the_mediator_and_the_committee_see_a_mediation(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    s = await sides(client, token_for_phone)
    theirs = int((await apply(client, s.applicant))["id"])
    elsewhere = int((await apply(client, s.applicant, STRANGER_PHONE))["id"])

    for reader, role in (
        (s.applicant, "applicant"),
        (s.other, "other_party"),
        (s.mediator, "committee"),
    ):
        seen = await client.get(f"{APP}/mediations/{theirs}", headers=reader.headers)
        assert (seen.status_code, seen.json()["role"]) == (200, role)
    admin = await someone(client, token_for_phone, ADMIN_GX)
    assert (
        await client.get(f"{APP}/mediations/{theirs}", headers=admin.headers)
    ).status_code == 200

    # The other party of one dispute knows nothing of the applicant's other one.
    hidden = await client.get(f"{APP}/mediations/{elsewhere}", headers=s.other.headers)
    assert (hidden.status_code, hidden.json()["code"]) == (404, "legal_mediation_not_found")
    answered = await client.post(
        f"{APP}/mediations/{elsewhere}/answer", json={"accept": True}, headers=s.other.headers
    )
    assert answered.status_code == 404
    mine = await client.get(f"{APP}/mediations/mine", headers=s.other.headers)
    assert [m["id"] for m in mine.json()["items"]] == [theirs]

    for phone in (LAWYER, GRID_WORKER, COMMUNITY_ADMIN, RESIDENT_JINSHUI, ADMIN_JINSHUI):
        outsider = await someone(client, token_for_phone, phone)
        for mediation_id in (theirs, elsewhere):
            seen = await client.get(f"{APP}/mediations/{mediation_id}", headers=outsider.headers)
            assert seen.status_code == 404, phone
        mine = await client.get(f"{APP}/mediations/mine", headers=outsider.headers)
        assert mine.json()["items"] == []
    assert (
        await client.get(f"{APP}/mediations/{elsewhere + 1}", headers=s.applicant.headers)
    ).status_code == 404


async def test_only_the_invited_party_answers_and_staff_reads_are_audited(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    s = await sides(client, token_for_phone)
    mediation_id = int((await apply(client, s.applicant))["id"])
    own = await client.post(
        f"{APP}/mediations/{mediation_id}/answer",
        json={"accept": True},
        headers=s.applicant.headers,
    )
    assert (own.status_code, own.json()["code"]) == (403, "legal_not_other_party")
    await act(client, s.other, mediation_id, "answer", {"accept": False})
    again = await client.post(
        f"{APP}/mediations/{mediation_id}/answer", json={"accept": True}, headers=s.other.headers
    )
    assert (again.status_code, again.json()["code"]) == (409, "legal_mediation_state")

    await client.get(f"{APP}/mediations/{mediation_id}", headers=s.mediator.headers)
    await client.get(f"{APP}/mediations/{mediation_id}", headers=s.other.headers)
    reads = await AuditEntry.select(AuditEntry.actor_id).where(
        AuditEntry.action == "legal_aid.mediation_read"
    )
    assert [r["actor_id"] for r in reads] == [s.mediator.user_id]
