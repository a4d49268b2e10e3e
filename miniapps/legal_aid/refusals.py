"""Objections to a refused 法律援助申请 (法律援助法 Art. 49): the refusal is kept when the
engine decides it; its applicant may object within OBJECTION_DAYS; the district's justice
bureau (its admins) reviews the objection within REVIEW_DAYS working days, escalated once
when it does not, and upholds the refusal or overturns it, which opens the case. The
applicant is told the outcome. Seen by its applicant and the bureau; to anyone else it does
not exist."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from backend.sdk import (
    ApplicationMoved,
    Audience,
    Claims,
    Conflict,
    Event,
    Forbidden,
    JobContext,
    NotFound,
    Outcome,
    Role,
    Template,
    audit,
    district_of,
    fetch_rows,
    notify,
    unit_of_work,
)
from miniapps.legal_aid.aid_cases import ITEM_CODE, open_granted, working_days_after
from miniapps.legal_aid.aid_notices import (
    OBJECTION_OVERDUE,
    OBJECTION_TO_REVIEW,
    REFUSAL_OVERTURNED,
    REFUSAL_UPHELD,
    refusal_link,
)
from miniapps.legal_aid.directory import SUPERVISORS
from miniapps.legal_aid.errors import LegalProblem
from miniapps.legal_aid.notices import PART
from miniapps.legal_aid.refusal_schemas import (
    ObjectionIn,
    ObjectionReviewIn,
    RefusalList,
    RefusalStatus,
    RefusalView,
)
from miniapps.legal_aid.runtime import LegalRuntime

log = logging.getLogger(__name__)
READ = "legal_aid.refusal_read"
OBJECTION_DAYS = dt.timedelta(days=15)  # the city's window to object to a refusal
REVIEW_DAYS = 5  # working days the bureau has to review an objection (Art. 49: 五日内)


async def tell(template: Template, audience: Audience, refusal_id: int, **data: str) -> None:
    await notify(
        audience=audience,
        template=template,
        data=data,
        source=PART,
        deep_link=refusal_link(refusal_id),
    )


def is_refused(event: Event) -> bool:
    """A 法律援助申请 the engine refused."""
    moved: ApplicationMoved = event.payload
    if moved.item_code != ITEM_CODE:
        return False
    # Refused by a decision (不予援助), or turned away before one (不予受理): either may be
    # objected to.
    decided_no = moved.action == "decide" and moved.outcome == Outcome.REJECTED
    return decided_no or moved.action == "reject"


async def keep_refusal(event: Event, job: JobContext) -> None:
    """Keep the refusal, once however often the event comes, for an objection to it."""
    moved: ApplicationMoved = event.payload
    district = district_of(moved.assignee_org)
    if district is None:
        log.error(
            "legal aid refused for %s outside any district (%s)", moved.ref, moved.assignee_org
        )
        return
    now = event.occurred_at  # the window runs from the refusal, not from its handling
    await fetch_rows(
        "INSERT INTO legal_aid_refusal (application_id, ref_no, applicant_id, district, status,"
        " refused_at, object_by, escalated) VALUES ($1, $2, $3, $4, $5, $6, $7, 0)"
        " ON CONFLICT (application_id) DO NOTHING",
        moved.application_id,
        moved.ref,
        moved.applicant_id,
        district,
        RefusalStatus.REFUSED.value,
        now,
        now + OBJECTION_DAYS,
    )


async def seen_by(actor: Claims, refusal_id: int) -> Mapping[str, Any]:
    rows = await fetch_rows("SELECT * FROM legal_aid_refusal WHERE id = $1", refusal_id)
    if not rows:
        raise NotFound(LegalProblem.REFUSAL_NOT_FOUND)
    row = rows[0]
    if int(row["applicant_id"]) == actor.user_id:
        return row
    if not actor.covers(str(row["district"]), *SUPERVISORS):
        raise NotFound(LegalProblem.REFUSAL_NOT_FOUND)
    await audit(actor, READ, int(row["applicant_id"]), {"id": row["id"]})
    return row


async def _locked(refusal_id: int) -> Mapping[str, Any]:
    rows = await fetch_rows(
        "UPDATE legal_aid_refusal SET status = status WHERE id = $1 RETURNING *", refusal_id
    )
    return rows[0]


async def object_to(
    *, actor: Claims, refusal_id: int, objection: ObjectionIn, legal: LegalRuntime
) -> None:
    """The applicant objects, once, before the window closes; the bureau is told."""
    row = await seen_by(actor, refusal_id)
    if int(row["applicant_id"]) != actor.user_id:
        raise Forbidden(LegalProblem.NOT_YOUR_REFUSAL)
    now = legal.clock()
    due = await working_days_after(now, REVIEW_DAYS)
    async with unit_of_work():
        row = await _locked(refusal_id)
        if row["status"] != RefusalStatus.REFUSED.value:
            raise Conflict(LegalProblem.REFUSAL_STATE, status=str(row["status"]))
        if now > row["object_by"]:
            raise Conflict(LegalProblem.OBJECTION_LATE)
        await fetch_rows(
            "UPDATE legal_aid_refusal SET status = $2, objection = $3, objected_at = $4,"
            " review_due_at = $5 WHERE id = $1",
            refusal_id,
            RefusalStatus.OBJECTED.value,
            objection.reason,
            now,
            due,
        )
        bureau = Audience.role_above(Role.DISTRICT_ADMIN, str(row["district"]))
        await tell(OBJECTION_TO_REVIEW, bureau, refusal_id, ref=str(row["ref_no"]))


async def review(
    *, actor: Claims, refusal_id: int, verdict: ObjectionReviewIn, legal: LegalRuntime
) -> None:
    """The bureau upholds the refusal or overturns it, opening the case; the applicant is
    told either way."""
    row = await seen_by(actor, refusal_id)
    if int(row["applicant_id"]) == actor.user_id:
        raise Forbidden(LegalProblem.NOT_DISTRICT_ADMIN)
    now = legal.clock()
    status = RefusalStatus.UPHELD if verdict.uphold else RefusalStatus.OVERTURNED
    async with unit_of_work():
        row = await _locked(refusal_id)
        if row["status"] != RefusalStatus.OBJECTED.value:
            raise Conflict(LegalProblem.REFUSAL_STATE, status=str(row["status"]))
        await fetch_rows(
            "UPDATE legal_aid_refusal SET status = $2, reviewed_by = $3, reviewed_at = $4,"
            " review_note = $5 WHERE id = $1",
            refusal_id,
            status.value,
            actor.user_id,
            now,
            verdict.note,
        )
        applicant = Audience.users(int(row["applicant_id"]))
        ref = str(row["ref_no"])
        if verdict.uphold:
            await tell(REFUSAL_UPHELD, applicant, refusal_id, ref=ref, note=verdict.note)
            return
        await tell(REFUSAL_OVERTURNED, applicant, refusal_id, ref=ref)
        await open_granted(
            application_id=int(row["application_id"]),
            ref=ref,
            applicant_id=int(row["applicant_id"]),
            district=str(row["district"]),
            now=now,
        )


async def escalate_reviews(now: dt.datetime) -> int:
    """Objections past their review time are escalated once, to the city's platform admins
    above the district's bureau."""
    async with unit_of_work():
        rows = await fetch_rows(
            "UPDATE legal_aid_refusal SET escalated = 1 WHERE status = $1 AND escalated = 0"
            " AND review_due_at <= $2 RETURNING id, district, ref_no",
            RefusalStatus.OBJECTED.value,
            now,
        )
        for row in rows:
            audience = Audience.role_above(Role.PLATFORM_ADMIN, str(row["district"]))
            await tell(OBJECTION_OVERDUE, audience, int(row["id"]), ref=str(row["ref_no"]))
    return len(rows)


def view(row: Mapping[str, Any]) -> RefusalView:
    return RefusalView(
        id=int(row["id"]),
        application_id=int(row["application_id"]),
        ref=str(row["ref_no"]),
        applicant_id=int(row["applicant_id"]),
        district=str(row["district"]),
        status=RefusalStatus(row["status"]),
        refused_at=row["refused_at"],
        object_by=row["object_by"],
        objection=row["objection"],
        objected_at=row["objected_at"],
        review_due_at=row["review_due_at"],
        escalated=int(row["escalated"]),
        reviewed_at=row["reviewed_at"],
        review_note=row["review_note"],
    )


async def mine(actor: Claims) -> RefusalList:
    rows = await fetch_rows(
        "SELECT * FROM legal_aid_refusal WHERE applicant_id = $1 ORDER BY id DESC LIMIT 100",
        actor.user_id,
    )
    return RefusalList(items=[view(r) for r in rows])


async def to_review(actor: Claims, district: str) -> RefusalList:
    """A district's objections waiting for review, the oldest first; each read audited."""
    if not actor.covers(district, *SUPERVISORS):
        raise Forbidden(LegalProblem.NOT_DISTRICT_ADMIN)
    rows = await fetch_rows(
        "SELECT * FROM legal_aid_refusal WHERE district = $1 AND status = $2"
        " ORDER BY review_due_at, id LIMIT 100",
        district,
        RefusalStatus.OBJECTED.value,
    )
    async with unit_of_work():
        for row in rows:
            await audit(actor, READ, int(row["applicant_id"]), {"id": row["id"]})
    return RefusalList(items=[view(r) for r in rows])
