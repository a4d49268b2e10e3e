"""What attacks on people's mediation found, each kept as a guarantee: a mediator cannot push
another out, a recused mediator's agreement dies with their recusal, a mediator's own list is
an audited staff read, a phone is not texted over and over, every signed-up invitee is found,
and the report counts each wait in the period it ended."""

from __future__ import annotations

import datetime as dt

from litestar import Litestar

from backend.directory.users.service import open_account
from backend.directory.users.tables import AuditEntry
from backend.kernel.contract import JobContext
from backend.kernel.services import services_of
from backend.kernel.vault import Vault
from miniapps.legal_aid.mediation_sweep import sweep_mediations
from miniapps.legal_aid.tables import Mediation, MediationRecusal
from tests.conftest import Client, TokenForPhone
from tests.miniapps.legal_aid.desk import ADMIN_GX, APP, LegalClock, Person, someone
from tests.miniapps.legal_aid.mediating import act, apply, assigned, sides, told

C03 = "zz/gx/fengyang/c03"
AGREEMENT = "双方同意按本协议履行各自义务。"


async def _mediator(client: Client, token_for_phone: TokenForPhone, phone: str) -> Person:
    admin = await someone(client, token_for_phone, ADMIN_GX)
    made = await client.post(
        "/v1/staff",
        json={"phone": phone, "name": "调解员乙", "role": "mediator", "scope_path": C03},
        headers=admin.headers,
    )
    assert made.status_code == 201, made.text
    return await someone(client, token_for_phone, phone)


async def test_a_committee_mediator_cannot_recuse_the_assigned_mediator_and_take_the_case(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    """Recusal is the mediator's own declaration or a party's request (RecusalIn, docs):
    another mediator of the committee may not push the assigned mediator out."""
    s = await sides(client, token_for_phone)
    rival = await _mediator(client, token_for_phone, "13900000301")
    mediation_id = await assigned(client, s)
    pushed = await client.post(
        f"{APP}/mediations/{mediation_id}/recusals",
        json={"mediator_id": s.mediator.user_id, "reason": "我来接手"},
        headers=rival.headers,
    )
    assert (pushed.status_code, pushed.json()["code"]) == (403, "legal_not_a_party"), pushed.text
    row = await Mediation.select(Mediation.mediator_id).where(Mediation.id == mediation_id).first()
    assert row == {"mediator_id": s.mediator.user_id}
    assert await MediationRecusal.count().where(MediationRecusal.mediation_id == mediation_id) == 0


async def test_an_agreement_written_by_a_recused_mediator_cannot_be_settled_under_the_next(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    """A party asks the mediator who wrote the agreement to step aside: what that mediator
    wrote, and the confirmations given to it, must not survive into the next mediator's
    hands and settle the dispute."""
    s = await sides(client, token_for_phone)
    successor = await _mediator(client, token_for_phone, "13900000302")
    mediation_id = await assigned(client, s)
    written = await act(client, s.mediator, mediation_id, "agreement", {"text": AGREEMENT})
    digest = written["agreement"]["text_hash"]
    await act(client, s.applicant, mediation_id, "agreement/confirm", {"text_hash": digest})
    await act(
        client,
        s.other,
        mediation_id,
        "recusals",
        {"mediator_id": s.mediator.user_id, "reason": "调解员与申请人是亲属"},
    )
    await act(client, successor, mediation_id, "mediator", {"mediator_id": successor.user_id})
    # The other party confirms the recused mediator's text: the dispute must not settle on it.
    done = await client.post(
        f"{APP}/mediations/{mediation_id}/agreement/confirm",
        json={"text_hash": digest},
        headers=s.other.headers,
    )
    row = await Mediation.select(Mediation.status).where(Mediation.id == mediation_id).first()
    assert row == {"status": "assigned"}, done.text


async def test_the_assigned_mediators_own_list_is_an_audited_staff_read(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    """Every read by staff is audited: the mediator's /mine shows the dispute's summary and
    the other party's name just as GET /{id} does, but leaves no audit entry."""
    s = await sides(client, token_for_phone)
    mediation_id = await assigned(client, s)
    before = await AuditEntry.count().where(
        (AuditEntry.action == "legal_aid.mediation_read")
        & (AuditEntry.actor_id == s.mediator.user_id)
    )
    mine = await client.get(f"{APP}/mediations/mine", headers=s.mediator.headers)
    assert [(m["id"], m["role"]) for m in mine.json()["items"]] == [(mediation_id, "mediator")]
    assert mine.json()["items"][0]["summary"]
    after = await AuditEntry.count().where(
        (AuditEntry.action == "legal_aid.mediation_read")
        & (AuditEntry.actor_id == s.mediator.user_id)
    )
    assert after == before + 1


async def test_the_sweep_does_not_invite_someone_to_an_invitation_already_past_its_time(
    app: Litestar, client: Client, token_for_phone: TokenForPhone, vault: Vault
) -> None:
    """The invited party signs up after the answer window closed but before a sweep ran:
    the sweep binds them and pushes "answer by <a moment already past>", then lapses it."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    clock = LegalClock(app, now)
    s = await sides(client, token_for_phone)
    applied = await apply(client, s.applicant, "13900000303")
    clock.now = dt.datetime.fromisoformat(applied["answer_due_at"]) + dt.timedelta(minutes=5)
    newcomer, _ = await open_account(phone="13900000303", vault=vault)
    job = JobContext(app_id="legal_aid", services=services_of(app))
    await sweep_mediations(job)
    row = await Mediation.select(Mediation.status).where(Mediation.id == int(applied["id"])).first()
    assert row == {"status": "lapsed"}
    assert await told(newcomer, "人民调解邀请") == 0


async def test_one_resident_cannot_text_the_same_stranger_over_and_over(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    """Each application to a number with no account texts it through the host's SMS
    provider; nothing limits a resident, so one account texts any number without end (cost
    to the city and harassment of the number's owner)."""
    from backend.kernel.events.tables import OutboxEvent

    s = await sides(client, token_for_phone)
    victim = "13900000304"
    answers = []
    for _ in range(10):
        answers.append(
            (
                await client.post(
                    f"{APP}/mediations",
                    json={
                        "other_phone": victim,
                        "other_name": "王五",
                        "category": "property",
                        "summary": "邻居装修噪音扰民,协商未果,申请调解",
                    },
                    headers=s.applicant.headers,
                )
            ).status_code
        )
    texts = await OutboxEvent.count().where(OutboxEvent.name == "legal_aid.party_invited")
    assert texts <= 1, (answers, texts)


async def test_a_newcomer_is_found_by_the_sweep_however_many_invitations_wait(
    app: Litestar, client: Client, token_for_phone: TokenForPhone, vault: Vault
) -> None:
    """The sweep reads the oldest 500 open invitations with no account each minute: past
    500 strangers who never sign up, a newer invitee who did is never told."""
    from miniapps.legal_aid.mediation import PHONE_PURPOSE

    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    LegalClock(app, now)
    s = await sides(client, token_for_phone)
    first = await apply(client, s.applicant, "13900000305")
    template = await Mediation.select().where(Mediation.id == int(first["id"])).first()
    assert template is not None
    template.pop("id")
    rows = []
    for n in range(500):
        phone = f"136{n:08d}"
        rows.append(
            Mediation(
                **{
                    **template,
                    "applicant_id": 100_000 + n,  # as many residents, each waiting on one
                    "other_phone_sealed": vault.seal(phone, purpose=PHONE_PURPOSE),
                    "other_phone_lookup": vault.lookup(phone, purpose=PHONE_PURPOSE),
                }
            )
        )
    await Mediation.insert(*rows)
    late = await apply(client, s.applicant, "13900000306")
    newcomer, _ = await open_account(phone="13900000306", vault=vault)
    job = JobContext(app_id="legal_aid", services=services_of(app))
    for _ in range(3):
        await sweep_mediations(job)
    row = await Mediation.select(Mediation.other_id).where(Mediation.id == int(late["id"])).first()
    assert row == {"other_id": newcomer}
    assert await told(newcomer, "人民调解邀请") == 1


async def test_the_report_counts_a_wait_for_a_mediator_that_ended_in_its_period(
    app: Litestar, client: Client, token_for_phone: TokenForPhone
) -> None:
    """mean_assign_minutes looks only at mediations *applied* in the period: one applied
    40 days ago that waited 38 days for a mediator, assigned yesterday, is left out of the
    30-day report, so the longest waits never show."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    clock = LegalClock(app, now - dt.timedelta(days=40))
    s = await sides(client, token_for_phone)
    mediation_id = int((await apply(client, s.applicant))["id"])
    clock.now = now - dt.timedelta(days=39)
    await act(client, s.other, mediation_id, "answer", {"accept": True})
    clock.now = now - dt.timedelta(days=1)
    await act(client, s.mediator, mediation_id, "mediator", {"mediator_id": s.mediator.user_id})
    clock.now = now
    admin = await someone(client, token_for_phone, ADMIN_GX)
    report = await client.get(
        f"{APP}/legal-report", params={"district": "zz/gx", "days": 30}, headers=admin.headers
    )
    assert report.status_code == 200, report.text
    assert report.json()["mean_assign_minutes"] == 38 * 24 * 60


async def test_an_agreement_removed_after_settlement_shows_as_not_intact(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    """`agreement.intact` tells a reader the confirmed text was changed behind the API; if
    the text is emptied out (set NULL) the view just drops `agreement`, so nothing says
    that a settled, hash-recorded agreement is gone."""
    s = await sides(client, token_for_phone)
    mediation_id = await assigned(client, s)
    written = await act(client, s.mediator, mediation_id, "agreement", {"text": AGREEMENT})
    for party in (s.applicant, s.other):
        await act(
            client,
            party,
            mediation_id,
            "agreement/confirm",
            {"text_hash": written["agreement"]["text_hash"]},
        )
    await Mediation.update({Mediation.agreement: None}).where(Mediation.id == mediation_id)
    seen = await client.get(f"{APP}/mediations/{mediation_id}", headers=s.applicant.headers)
    assert seen.json()["status"] == "settled"
    assert seen.json()["agreement"] is not None
    assert seen.json()["agreement"]["intact"] is False


async def test_a_mediator_no_longer_on_the_committee_does_not_read_it_through_mine(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    """GET /{id} hides a mediation from an assigned mediator who no longer holds the
    mediator role over its community, but /mine still lists it to them, summary and all."""
    from backend.directory.users.tables import RoleAssignment

    s = await sides(client, token_for_phone)
    mediation_id = await assigned(client, s)
    await RoleAssignment.delete().where(
        (RoleAssignment.user == s.mediator.user_id) & (RoleAssignment.role == "mediator")
    )
    former = await someone(client, token_for_phone, "13800000013")  # a token of the roles now held
    one = await client.get(f"{APP}/mediations/{mediation_id}", headers=former.headers)
    assert one.status_code == 404
    mine = await client.get(f"{APP}/mediations/mine", headers=former.headers)
    assert mine.json()["items"] == []


async def test_a_mediator_who_stepped_aside_is_not_pushed_the_case_to_assign(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    """One who stepped aside "does not see the mediation", yet the committee's push on
    acceptance (category and link) goes to every mediator over the community."""
    s = await sides(client, token_for_phone)
    await _mediator(client, token_for_phone, "13900000307")
    mediation_id = int((await apply(client, s.applicant))["id"])
    await act(client, s.mediator, mediation_id, "recusals", {"reason": "与申请人系亲属"})
    await act(client, s.other, mediation_id, "answer", {"accept": True})
    assert await told(s.mediator.user_id, "待指派调解员") == 0
