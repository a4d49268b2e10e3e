"""Legal-aid cases (法律援助案件): opened once when the service engine grants a 法律援助申请,
seen by their applicant, their lawyer and the district's centre (its admins and the heads
of its legal-aid centres), to anyone else not there; every read by staff audited. The
centre assigns a lawyer on duty who has no conflict of interest in the case, by name or
leaving the choice to the load."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

import msgspec

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
    Unprocessable,
    active_among,
    audit,
    district_of,
    fetch_rows,
    notify,
    people,
    unit_of_work,
    work_calendar,
)
from miniapps.legal_aid.aid_notices import CASE_ASSIGNED, CASE_OPENED, CASE_TO_ASSIGN, case_link
from miniapps.legal_aid.aid_schemas import AssignIn, CaseStatus, ConflictIn
from miniapps.legal_aid.directory import SUPERVISORS, holds_lawyer_role, lawyer_in
from miniapps.legal_aid.errors import LegalProblem
from miniapps.legal_aid.hours import CITY_TIME
from miniapps.legal_aid.notices import PART
from miniapps.legal_aid.runtime import LegalRuntime
from miniapps.legal_aid.schemas import StationKind

log = logging.getLogger(__name__)
READ = "legal_aid.case_read"
ITEM_CODE = "legal_aid"  # the 法律援助申请 of the service engine's catalogue
ASSIGN_DAYS = 3  # working days the centre has to assign a lawyer


class SeenCase(msgspec.Struct, frozen=True, kw_only=True):
    row: Mapping[str, Any]
    role: str  # applicant, lawyer or centre


def is_granted(event: Event) -> bool:
    """A 法律援助申请 the engine decided to grant."""
    moved: ApplicationMoved = event.payload
    granted = moved.action == "decide" and moved.outcome == Outcome.APPROVED
    return moved.item_code == ITEM_CODE and granted


async def open_case(event: Event, job: JobContext) -> None:
    """Open the case of a granted application, once however often the event comes; the
    applicant and the centre are told."""
    moved: ApplicationMoved = event.payload
    district = district_of(moved.assignee_org)
    if district is None:
        # The item is handled by districts: a grant above one has no centre to go to.
        log.error(
            "legal aid granted for %s outside any district (%s)", moved.ref, moved.assignee_org
        )
        return
    await open_granted(
        application_id=moved.application_id,
        ref=moved.ref,
        applicant_id=moved.applicant_id,
        district=district,
        # The deadline runs from the grant, however late a worker comes to the event.
        now=event.occurred_at,
    )


async def open_granted(
    *, application_id: int, ref: str, applicant_id: int, district: str, now: dt.datetime
) -> None:
    """The case of a granted application (by the engine, or by the bureau overturning its
    refusal), opened once; the applicant and the centre are told."""
    due = await working_days_after(now, ASSIGN_DAYS)
    async with unit_of_work():
        rows = await fetch_rows(
            "INSERT INTO legal_aid_case (application_id, ref_no, applicant_id, district, status,"
            " granted_at, assign_due_at, escalated) VALUES ($1, $2, $3, $4, $5, $6, $7, 0)"
            " ON CONFLICT (application_id) DO NOTHING RETURNING id",
            application_id,
            ref,
            applicant_id,
            district,
            CaseStatus.AWAITING_LAWYER.value,
            now,
            due,
        )
        if not rows:
            return
        case_id = int(rows[0]["id"])
        await tell(CASE_OPENED, Audience.users(applicant_id), case_id, ref=ref)
        await tell(CASE_TO_ASSIGN, await centre_audience(district), case_id, ref=ref)


async def working_days_after(now: dt.datetime, days: int) -> dt.datetime:
    """The end, in the city's time, of the `days`-th working day after `now`."""
    calendar = await work_calendar()
    last = calendar.add_working_days(now.astimezone(CITY_TIME).date(), days).date
    midnight = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), CITY_TIME)
    return midnight.astimezone(dt.UTC)


async def centre_heads(district: str) -> set[int]:
    rows = await fetch_rows(
        "SELECT head_id FROM legal_aid_station WHERE district = $1 AND kind = $2"
        " AND head_id IS NOT NULL",
        district,
        StationKind.CENTRE.value,
    )
    return {int(r["head_id"]) for r in rows}


async def centre_audience(district: str) -> Audience:
    """The district's admins and the heads of its legal-aid centres who still hold a
    lawyer's role there."""
    heads = [h for h in await centre_heads(district) if await holds_lawyer_role(h, district)]
    return msgspec.structs.replace(
        Audience.role_above(Role.DISTRICT_ADMIN, district), user_ids=sorted(heads)
    )


async def is_centre(actor: Claims, district: str) -> bool:
    if actor.covers(district, *SUPERVISORS):
        return True
    return lawyer_in(actor, district) and actor.user_id in await centre_heads(district)


async def seen_by(actor: Claims, case_id: int) -> SeenCase:
    rows = await fetch_rows("SELECT * FROM legal_aid_case WHERE id = $1", case_id)
    if not rows:
        raise NotFound(LegalProblem.CASE_NOT_FOUND)
    row = rows[0]
    if int(row["applicant_id"]) == actor.user_id:
        return SeenCase(row=row, role="applicant")
    district = str(row["district"])
    if row["lawyer_id"] == actor.user_id and lawyer_in(actor, district):
        role = "lawyer"
    elif await is_centre(actor, district) and not await _conflicted_head(actor, row):
        role = "centre"
    else:
        raise NotFound(LegalProblem.CASE_NOT_FOUND)
    await audit(actor, READ, int(row["applicant_id"]), {"id": row["id"]})
    return SeenCase(row=row, role=role)


async def _conflicted_head(actor: Claims, row: Mapping[str, Any]) -> bool:
    """A centre head with a conflict in the case (acting for the other party, say) does not
    read the applicant's file; the district's admins are above that."""
    if actor.covers(str(row["district"]), *SUPERVISORS):
        return False
    return actor.user_id in await conflicts_of(int(row["id"]))


async def locked(case_id: int, *statuses: CaseStatus) -> Mapping[str, Any]:
    """The case, locked to the end of the transaction, if it is at one of `statuses`."""
    rows = await fetch_rows(
        "UPDATE legal_aid_case SET status = status WHERE id = $1 RETURNING *", case_id
    )
    if rows[0]["status"] not in {s.value for s in statuses}:
        raise Conflict(LegalProblem.CASE_STATE, status=str(rows[0]["status"]))
    return rows[0]


async def assign(*, actor: Claims, case_id: int, chosen: AssignIn, legal: LegalRuntime) -> None:
    """The centre assigns (or replaces) the case's lawyer: one listed in the district, on
    duty now and without a conflict in the case; or, with none named, the one of those
    with the fewest open cases. Conflicts are read after the case is locked, so one
    recorded meanwhile is seen."""
    seen = await seen_by(actor, case_id)
    if seen.role != "centre":
        raise Forbidden(LegalProblem.NOT_CENTRE)
    now = legal.clock()
    async with unit_of_work():
        row = await locked(case_id, CaseStatus.AWAITING_LAWYER, CaseStatus.ASSIGNED)
        conflicted = await conflicts_of(case_id) | {int(row["applicant_id"])}
        if chosen.lawyer_id is None:
            lawyer = await _least_loaded(str(row["district"]), now, conflicted)
        else:
            lawyer = await _checked(chosen.lawyer_id, str(row["district"]), now, conflicted)
        await fetch_rows(
            "UPDATE legal_aid_case SET lawyer_id = $2, status = $3,"
            " assigned_at = COALESCE(assigned_at, $4)"
            " WHERE id = $1",
            case_id,
            lawyer,
            CaseStatus.ASSIGNED.value,
            now,
        )
        name = (await people([lawyer])).get(lawyer)
        audience = Audience.users(int(row["applicant_id"]), lawyer)
        await tell(
            CASE_ASSIGNED,
            audience,
            case_id,
            ref=str(row["ref_no"]),
            lawyer=name.name if name else "",
        )


async def conflicts_of(case_id: int) -> set[int]:
    rows = await fetch_rows("SELECT lawyer_id FROM legal_aid_conflict WHERE case_id = $1", case_id)
    return {int(r["lawyer_id"]) for r in rows}


_ON_DUTY = (
    "SELECT l.user_id FROM legal_aid_lawyer l WHERE l.district = $1 AND EXISTS (SELECT 1"
    " FROM legal_aid_shift s WHERE s.lawyer_id = l.id AND s.starts_at <= $2 AND s.ends_at > $2)"
)


async def _checked(lawyer: int, district: str, now: dt.datetime, conflicted: set[int]) -> int:
    if lawyer in conflicted:
        raise Unprocessable(LegalProblem.LAWYER_CONFLICTED)
    listed = await fetch_rows(
        "SELECT id FROM legal_aid_lawyer WHERE user_id = $1 AND district = $2", lawyer, district
    )
    usable = listed and await holds_lawyer_role(lawyer, district) and await active_among([lawyer])
    if not usable:
        raise Unprocessable(LegalProblem.NOT_A_LAWYER)
    on_duty = await fetch_rows(_ON_DUTY + " AND l.user_id = $3", district, now, lawyer)
    if not on_duty:
        raise Unprocessable(LegalProblem.LAWYER_OFF_DUTY)
    return lawyer


async def _least_loaded(district: str, now: dt.datetime, conflicted: set[int]) -> int:
    loads = {
        int(r["lawyer_id"]): int(r["open"])
        for r in await fetch_rows(
            "SELECT lawyer_id, COUNT(*) AS open FROM legal_aid_case WHERE district = $1"
            " AND lawyer_id IS NOT NULL AND status <> $2 GROUP BY lawyer_id",
            district,
            CaseStatus.CLOSED.value,
        )
    }
    on_duty = await active_among(
        int(r["user_id"]) for r in await fetch_rows(_ON_DUTY, district, now)
    )
    for lawyer in sorted(on_duty, key=lambda user: (loads.get(user, 0), user)):
        if lawyer not in conflicted and await holds_lawyer_role(lawyer, district):
            return lawyer
    raise Conflict(LegalProblem.NO_LAWYER_FREE)


async def record_conflict(
    *, actor: Claims, case_id: int, conflict: ConflictIn, legal: LegalRuntime
) -> None:
    """The centre records a lawyer's conflict, or the case's lawyer declares their own;
    a conflicted lawyer who held the case gives it back to the centre."""
    seen = await seen_by(actor, case_id)
    if seen.role == "applicant" or (
        seen.role == "lawyer" and conflict.lawyer_id not in (None, actor.user_id)
    ):
        raise Forbidden(LegalProblem.NOT_CENTRE)
    if seen.role == "centre" and conflict.lawyer_id is None:
        raise Unprocessable(LegalProblem.NOT_A_LAWYER)
    lawyer = conflict.lawyer_id or actor.user_id
    async with unit_of_work():
        # Also while the close-out waits for review: a lawyer found to act for the other
        # party does not see their close-out accepted.
        row = await locked(
            case_id, CaseStatus.AWAITING_LAWYER, CaseStatus.ASSIGNED, CaseStatus.REVIEWING
        )
        if lawyer not in await conflicts_of(case_id):
            await fetch_rows(
                "INSERT INTO legal_aid_conflict (case_id, lawyer_id, reason, recorded_by, at)"
                " VALUES ($1, $2, $3, $4, $5)",
                case_id,
                lawyer,
                conflict.reason,
                actor.user_id,
                legal.clock(),
            )
        if row["lawyer_id"] == lawyer:
            # Back with the centre: 3 working days from now to assign anew, and escalated
            # once more if it does not.
            await fetch_rows(
                "UPDATE legal_aid_case SET lawyer_id = NULL, status = $2, assign_due_at = $3,"
                " escalated = 0, result = NULL, summary = NULL, documents = NULL,"
                " filed_at = NULL WHERE id = $1",
                case_id,
                CaseStatus.AWAITING_LAWYER.value,
                await working_days_after(legal.clock(), ASSIGN_DAYS),
            )
            district = str(row["district"])
            await tell(
                CASE_TO_ASSIGN, await centre_audience(district), case_id, ref=str(row["ref_no"])
            )


async def tell(template: Template, audience: Audience, case_id: int, **data: str) -> None:
    await notify(
        audience=audience, template=template, data=data, source=PART, deep_link=case_link(case_id)
    )
