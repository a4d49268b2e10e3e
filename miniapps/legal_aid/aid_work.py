"""The work on a legal-aid case: its lawyer's progress notes and hearings (the applicant
told at once and reminded the day before), the close-out the centre reviews, and the
applicant's rating of their lawyer once it is closed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from backend.sdk import (
    Audience,
    Claims,
    Conflict,
    Forbidden,
    Unprocessable,
    fetch_rows,
    unit_of_work,
)
from miniapps.legal_aid.aid_cases import centre_audience, locked, seen_by, tell
from miniapps.legal_aid.aid_notices import (
    CASE_CLOSED,
    CLOSE_OUT_FILED,
    CLOSE_OUT_RETURNED,
    HEARING_SET,
)
from miniapps.legal_aid.aid_schemas import (
    CaseNoteIn,
    CaseRatingIn,
    CaseStatus,
    CloseOutIn,
    HearingIn,
    ReviewIn,
)
from miniapps.legal_aid.errors import LegalProblem
from miniapps.legal_aid.mediation_notices import shown
from miniapps.legal_aid.runtime import LegalRuntime

FURTHEST_HEARING = dt.timedelta(days=366)


async def _lawyers_case(actor: Claims, case_id: int) -> Mapping[str, Any]:
    """The case, locked, if the caller is its lawyer and it is being worked."""
    seen = await seen_by(actor, case_id)
    if seen.role != "lawyer":
        raise Forbidden(LegalProblem.NOT_YOUR_CASE)
    row = await locked(case_id, CaseStatus.ASSIGNED)
    if row["lawyer_id"] != actor.user_id:
        raise Forbidden(LegalProblem.NOT_YOUR_CASE)
    return row


async def add_note(*, actor: Claims, case_id: int, note: CaseNoteIn, legal: LegalRuntime) -> None:
    async with unit_of_work():
        await _lawyers_case(actor, case_id)
        await fetch_rows(
            "INSERT INTO legal_aid_case_note (case_id, author_id, text, at)"
            " VALUES ($1, $2, $3, $4)",
            case_id,
            actor.user_id,
            note.text,
            legal.clock(),
        )


async def add_hearing(
    *, actor: Claims, case_id: int, hearing: HearingIn, legal: LegalRuntime
) -> None:
    now = legal.clock()
    if not now < hearing.starts_at <= now + FURTHEST_HEARING:
        raise Unprocessable(LegalProblem.HEARING_INVALID)
    async with unit_of_work():
        row = await _lawyers_case(actor, case_id)
        await fetch_rows(
            "INSERT INTO legal_aid_hearing (case_id, starts_at, court, reminded)"
            " VALUES ($1, $2, $3, $4)",
            case_id,
            hearing.starts_at,
            hearing.court,
            False,
        )
        await tell(
            HEARING_SET,
            Audience.users(int(row["applicant_id"])),
            case_id,
            when=shown(hearing.starts_at),
            court=hearing.court,
        )


async def file_close_out(
    *, actor: Claims, case_id: int, close_out: CloseOutIn, legal: LegalRuntime
) -> None:
    """The lawyer files the result and the case's documents; the centre reviews them."""
    async with unit_of_work():
        row = await _lawyers_case(actor, case_id)
        await fetch_rows(
            "UPDATE legal_aid_case SET status = $2, result = $3, summary = $4, documents = $5,"
            " filed_at = $6 WHERE id = $1",
            case_id,
            CaseStatus.REVIEWING.value,
            close_out.result.value,
            close_out.summary,
            "\n".join(close_out.documents),
            legal.clock(),
        )
        audience = await centre_audience(str(row["district"]))
        await tell(CLOSE_OUT_FILED, audience, case_id, ref=str(row["ref_no"]))


async def review(*, actor: Claims, case_id: int, verdict: ReviewIn, legal: LegalRuntime) -> None:
    """The centre accepts the close-out, closing the case and asking the applicant to rate
    the lawyer, or sends it back to the lawyer."""
    seen = await seen_by(actor, case_id)
    if seen.role != "centre":
        raise Forbidden(LegalProblem.NOT_CENTRE)
    now = legal.clock()
    async with unit_of_work():
        row = await locked(case_id, CaseStatus.REVIEWING)
        status = CaseStatus.CLOSED if verdict.accept else CaseStatus.ASSIGNED
        await fetch_rows(
            "UPDATE legal_aid_case SET status = $2, review_note = $3, closed_at = $4 WHERE id = $1",
            case_id,
            status.value,
            verdict.note,
            now if verdict.accept else None,
        )
        ref = str(row["ref_no"])
        if verdict.accept:
            await tell(CASE_CLOSED, Audience.users(int(row["applicant_id"])), case_id, ref=ref)
        else:
            await tell(CLOSE_OUT_RETURNED, Audience.users(int(row["lawyer_id"])), case_id, ref=ref)


async def rate(*, actor: Claims, case_id: int, rating: CaseRatingIn) -> None:
    """The applicant rates their lawyer, once, after the case closed."""
    seen = await seen_by(actor, case_id)
    if seen.role != "applicant":
        raise Forbidden(LegalProblem.NOT_YOUR_CASE)
    async with unit_of_work():
        rated = await fetch_rows(
            "UPDATE legal_aid_case SET rating = $2, rating_comment = $3 WHERE id = $1"
            " AND status = $4 AND rating IS NULL RETURNING id",
            case_id,
            rating.stars,
            rating.comment,
            CaseStatus.CLOSED.value,
        )
        if not rated:
            raise Conflict(LegalProblem.CASE_RATED)
