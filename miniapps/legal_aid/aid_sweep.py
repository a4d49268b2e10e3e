"""What legal-aid cases do on their own: a case with no lawyer 3 working days after it was
granted is escalated to the centre once, and an objection not reviewed in time to the
city; a hearing is reminded to the applicant the day before. Each is claimed by one
conditional update, so two workers sweeping send it once."""

from __future__ import annotations

import datetime as dt

from backend.sdk import Audience, JobContext, fetch_rows, unit_of_work
from miniapps.legal_aid.aid_cases import centre_audience, tell
from miniapps.legal_aid.aid_notices import CASE_OVERDUE, HEARING_SOON
from miniapps.legal_aid.aid_schemas import CaseStatus
from miniapps.legal_aid.mediation_notices import shown
from miniapps.legal_aid.refusals import escalate_reviews
from miniapps.legal_aid.runtime import LegalRuntime

HEARING_NOTICE = dt.timedelta(hours=24)


async def sweep_cases(job: JobContext) -> int:
    """One pass; how many cases, hearings and objections someone was told of."""
    now = job.services.runtime(LegalRuntime).clock()
    return await _escalate(now) + await _remind_hearings(now) + await escalate_reviews(now)


async def _escalate(now: dt.datetime) -> int:
    async with unit_of_work():
        rows = await fetch_rows(
            "UPDATE legal_aid_case SET escalated = 1 WHERE status = $1 AND escalated = 0"
            " AND assign_due_at <= $2 RETURNING id, district, ref_no",
            CaseStatus.AWAITING_LAWYER.value,
            now,
        )
        for row in rows:
            audience = await centre_audience(str(row["district"]))
            await tell(CASE_OVERDUE, audience, int(row["id"]), ref=str(row["ref_no"]))
    return len(rows)


async def _remind_hearings(now: dt.datetime) -> int:
    """The court sits whoever holds the case: the applicant is reminded of a hearing of any
    case not closed, also one waiting for a new lawyer."""
    async with unit_of_work():
        rows = await fetch_rows(
            "UPDATE legal_aid_hearing SET reminded = $1 WHERE reminded = $2 AND starts_at > $3"
            " AND starts_at <= $4 AND case_id IN (SELECT id FROM legal_aid_case"
            " WHERE status <> $5) RETURNING case_id, starts_at, court",
            True,
            False,
            now,
            now + HEARING_NOTICE,
            CaseStatus.CLOSED.value,
        )
        for row in rows:
            case = await fetch_rows(
                "SELECT applicant_id FROM legal_aid_case WHERE id = $1", row["case_id"]
            )
            await tell(
                HEARING_SOON,
                Audience.users(int(case[0]["applicant_id"])),
                int(row["case_id"]),
                when=shown(row["starts_at"]),
                court=str(row["court"]),
            )
    return len(rows)
