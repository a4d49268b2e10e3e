"""Legal-aid cases as their applicant, their lawyer and the centre read them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from backend.sdk import Claims, Forbidden, audit, fetch_rows, people, unit_of_work
from miniapps.legal_aid.aid_cases import READ, SeenCase, conflicts_of, is_centre
from miniapps.legal_aid.aid_schemas import (
    AidCaseList,
    AidCaseView,
    CaseNoteView,
    CaseResult,
    CaseStatus,
    HearingView,
)
from miniapps.legal_aid.directory import SUPERVISORS, lawyer_in
from miniapps.legal_aid.errors import LegalProblem

MOST_LISTED = 100


async def view_of(seen: SeenCase) -> AidCaseView:
    """One case with its progress notes and hearings."""
    row = seen.row
    notes = await fetch_rows(
        "SELECT id, text, at FROM legal_aid_case_note WHERE case_id = $1 ORDER BY id", row["id"]
    )
    hearings = await fetch_rows(
        "SELECT id, starts_at, court FROM legal_aid_hearing WHERE case_id = $1 ORDER BY starts_at",
        row["id"],
    )
    [view] = await _views([row])
    return msgspec.structs.replace(
        view,
        notes=[CaseNoteView(id=int(n["id"]), text=str(n["text"]), at=n["at"]) for n in notes],
        hearings=[
            HearingView(id=int(h["id"]), starts_at=h["starts_at"], court=str(h["court"]))
            for h in hearings
        ],
    )


async def _views(rows: Sequence[Mapping[str, Any]]) -> list[AidCaseView]:
    named = await people({int(r["lawyer_id"]) for r in rows if r["lawyer_id"]})
    return [
        AidCaseView(
            id=int(r["id"]),
            application_id=int(r["application_id"]),
            ref=str(r["ref_no"]),
            applicant_id=int(r["applicant_id"]),
            district=str(r["district"]),
            status=CaseStatus(r["status"]),
            granted_at=r["granted_at"],
            assign_due_at=r["assign_due_at"],
            escalated=int(r["escalated"]),
            lawyer_id=r["lawyer_id"],
            lawyer_name=named[int(r["lawyer_id"])].name
            if r["lawyer_id"] and int(r["lawyer_id"]) in named
            else None,
            assigned_at=r["assigned_at"],
            result=CaseResult(r["result"]) if r["result"] else None,
            summary=r["summary"],
            documents=str(r["documents"]).split("\n") if r["documents"] else [],
            review_note=r["review_note"],
            closed_at=r["closed_at"],
            rating=r["rating"],
        )
        for r in rows
    ]


async def mine(actor: Claims) -> AidCaseList:
    """The caller's cases: those they applied for, and those they work as lawyer while
    they hold the lawyer's role there (a staff read, audited)."""
    me = actor.user_id
    rows = await fetch_rows(
        "SELECT * FROM legal_aid_case WHERE applicant_id = $1 OR lawyer_id = $1"
        " ORDER BY id DESC LIMIT $2",
        me,
        MOST_LISTED,
    )
    own = [r for r in rows if int(r["applicant_id"]) == me]
    worked = [
        r for r in rows if int(r["applicant_id"]) != me and lawyer_in(actor, str(r["district"]))
    ]
    async with unit_of_work():
        for row in worked:
            await audit(actor, READ, int(row["applicant_id"]), {"id": row["id"]})
    listed = sorted([*own, *worked], key=lambda r: int(r["id"]), reverse=True)
    return AidCaseList(items=await _views(listed))


async def centre_cases(actor: Claims, district: str) -> AidCaseList:
    """A district's open cases, for its centre: those waiting for a lawyer first, then
    those under review; each read audited."""
    if not await is_centre(actor, district):
        raise Forbidden(LegalProblem.NOT_CENTRE)
    rows = await fetch_rows(
        "SELECT * FROM legal_aid_case WHERE district = $1 AND status <> $2"
        " ORDER BY CASE status WHEN $3 THEN 0 WHEN $4 THEN 1 ELSE 2 END, id LIMIT $5",
        district,
        CaseStatus.CLOSED.value,
        CaseStatus.AWAITING_LAWYER.value,
        CaseStatus.REVIEWING.value,
        MOST_LISTED,
    )
    if not actor.covers(district, *SUPERVISORS):  # a head: not the cases they are conflicted in
        rows = [r for r in rows if actor.user_id not in await conflicts_of(int(r["id"]))]
    async with unit_of_work():
        for row in rows:
            await audit(actor, READ, int(row["applicant_id"]), {"id": row["id"]})
    return AidCaseList(items=await _views(rows))
