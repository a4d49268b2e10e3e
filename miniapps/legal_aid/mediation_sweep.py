"""What people's mediation does on its own: text an invited party with no account, tell
them by push once they have one, close invitations nobody answered, remind both parties
of a session the day before and of the court's 30 days a week before they end. Each
reminder is claimed by one conditional update, so two workers running the sweep send it
once."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from backend.sdk import (
    Audience,
    Event,
    JobContext,
    SmsMessage,
    Template,
    fetch_rows,
    mask_name,
    notify,
    people,
    people_by_phone,
    unit_of_work,
)
from miniapps.legal_aid.mediation import PHONE_PURPOSE, PartyInvited, tell_invited
from miniapps.legal_aid.mediation_notices import (
    COURT_SOON,
    MEDIATION_LAPSED,
    SESSION_SOON,
    mediation_link,
    shown,
)
from miniapps.legal_aid.mediation_schemas import MediationStatus
from miniapps.legal_aid.notices import PART
from miniapps.legal_aid.runtime import LegalRuntime

log = logging.getLogger(__name__)
SESSION_NOTICE = dt.timedelta(hours=24)
COURT_NOTICE = dt.timedelta(days=7)
MOST_AT_ONCE = 500


async def text_invitation(event: Event, job: JobContext) -> None:
    """Text the invited party who had no account when invited; a vendor's passing fault
    raises, and the event is delivered again later."""
    invited: PartyInvited = event.payload
    rows = await fetch_rows(
        "SELECT applicant_id, other_phone_sealed FROM legal_aid_mediation WHERE id = $1"
        " AND other_id IS NULL AND status = $2 AND invite_outcome IS NULL",
        invited.mediation_id,
        MediationStatus.INVITED.value,
    )
    if not rows:
        return
    settings = job.services.settings
    outcome = "not_texted"
    if settings.texts_invitations:
        applicant = (await people([int(rows[0]["applicant_id"])])).get(int(rows[0]["applicant_id"]))
        phone = job.services.vault.open(str(rows[0]["other_phone_sealed"]), purpose=PHONE_PURPOSE)
        result = await job.services.sms.send(
            SmsMessage(
                phone=phone,
                template=settings.sms_invite_template_code,
                params={"name": mask_name(applicant.name) if applicant else "居民"},
            )
        )
        if not result.outcome.final:
            raise RuntimeError(f"the invitation was not texted: {result.outcome}")
        outcome = result.outcome.value
    await fetch_rows(
        "UPDATE legal_aid_mediation SET invite_outcome = $2 WHERE id = $1",
        invited.mediation_id,
        outcome,
    )


async def sweep_mediations(job: JobContext) -> int:
    """One pass of every chore; how many mediations someone was told of."""
    legal = job.services.runtime(LegalRuntime)
    now = legal.clock()
    told = await _lapse(now)  # first: nobody is invited to what has just lapsed
    told += await _find_invited(job, now)
    told += await _remind_sessions(now)
    return told + await _remind_court(now)


async def _find_invited(job: JobContext, now: dt.datetime) -> int:
    """Invited parties who have signed up since are known by their account, and told; the
    waiting invitations are gone through a page at a time, every one of them."""
    told, after = 0, 0
    while True:
        rows = await fetch_rows(
            "SELECT id, applicant_id, other_phone_sealed, answer_due_at FROM legal_aid_mediation"
            " WHERE status = $1 AND other_id IS NULL AND answer_due_at > $2 AND id > $3"
            " ORDER BY id LIMIT $4",
            MediationStatus.INVITED.value,
            now,
            after,
            MOST_AT_ONCE,
        )
        told += await _bind_found(job, rows, now)
        if len(rows) < MOST_AT_ONCE:
            return told
        after = int(rows[-1]["id"])


async def _bind_found(job: JobContext, rows: Sequence[Mapping[str, Any]], now: dt.datetime) -> int:
    vault = job.services.vault
    phones = {
        int(r["id"]): vault.open(str(r["other_phone_sealed"]), purpose=PHONE_PURPOSE) for r in rows
    }
    found = await people_by_phone(set(phones.values()), vault)
    applicants = await people({int(r["applicant_id"]) for r in rows})
    told = 0
    for row in rows:
        other = found.get(phones[int(row["id"])])
        if other is None or other.id == int(row["applicant_id"]):
            continue
        async with unit_of_work():
            bound = await fetch_rows(
                "UPDATE legal_aid_mediation SET other_id = $2 WHERE id = $1"
                " AND other_id IS NULL AND status = $3 AND answer_due_at > $4 RETURNING id",
                row["id"],
                other.id,
                MediationStatus.INVITED.value,
                now,
            )
            if bound:
                applicant = applicants.get(int(row["applicant_id"]))
                name = applicant.name if applicant else ""
                await tell_invited(int(row["id"]), other.id, name, row["answer_due_at"])
                told += 1
    return told


async def _lapse(now: dt.datetime) -> int:
    async with unit_of_work():
        rows = await fetch_rows(
            "UPDATE legal_aid_mediation SET status = $1, closed_at = $2"
            " WHERE status = $3 AND answer_due_at <= $2 RETURNING id, applicant_id",
            MediationStatus.LAPSED.value,
            now,
            MediationStatus.INVITED.value,
        )
        for row in rows:
            await _tell(MEDIATION_LAPSED, [int(row["applicant_id"])], int(row["id"]))
    return len(rows)


async def _remind_sessions(now: dt.datetime) -> int:
    async with unit_of_work():
        rows = await fetch_rows(
            "UPDATE legal_aid_session SET reminded = $1 WHERE reminded = $2"
            " AND starts_at > $3 AND starts_at <= $4 RETURNING mediation_id, starts_at, place",
            True,
            False,
            now,
            now + SESSION_NOTICE,
        )
        told = 0
        for row in rows:
            mediation = await _mediation(int(row["mediation_id"]))
            if mediation["status"] != MediationStatus.ASSIGNED.value:
                continue  # a session of a mediation closed since meets no more
            told += 1
            await _tell(
                SESSION_SOON,
                _everyone(mediation),
                int(mediation["id"]),
                when=shown(row["starts_at"]),
                place=str(row["place"]),
            )
    return told


async def _remind_court(now: dt.datetime) -> int:
    async with unit_of_work():
        rows = await fetch_rows(
            "UPDATE legal_aid_mediation SET court_reminded = $1 WHERE court_reminded = $2"
            " AND status = $3 AND court_due_at > $4 AND court_due_at <= $5 RETURNING *",
            True,
            False,
            MediationStatus.SETTLED.value,
            now,
            now + COURT_NOTICE,
        )
        for row in rows:
            parties = [int(row["applicant_id"]), int(row["other_id"])]
            await _tell(COURT_SOON, parties, int(row["id"]), due=shown(row["court_due_at"]))
    return len(rows)


async def _mediation(mediation_id: int) -> Mapping[str, Any]:
    rows = await fetch_rows("SELECT * FROM legal_aid_mediation WHERE id = $1", mediation_id)
    return rows[0]


def _everyone(row: Mapping[str, Any]) -> list[int]:
    ids = [row["applicant_id"], row["other_id"], row["mediator_id"]]
    return [int(i) for i in ids if i is not None]


async def _tell(template: Template, users: list[int], mediation_id: int, **data: str) -> None:
    await notify(
        audience=Audience.users(*users),
        template=template,
        data=data,
        source=PART,
        deep_link=mediation_link(mediation_id),
    )
