"""HTTP of legal-aid cases (法律援助案件)."""

from __future__ import annotations

from typing import Annotated

from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from backend.sdk import AnyRequest, RowId, claims_of, problems, strictly
from miniapps.legal_aid import aid_cases, aid_views, aid_work
from miniapps.legal_aid.aid_schemas import (
    AidCaseList,
    AidCaseView,
    AssignIn,
    CaseNoteIn,
    CaseRatingIn,
    CloseOutIn,
    ConflictIn,
    HearingIn,
    ReviewIn,
)
from miniapps.legal_aid.errors import LegalProblem as Problem
from miniapps.legal_aid.runtime import LegalRuntime
from miniapps.legal_aid.schemas import ORG_PATH

CASE = "/cases/{case_id:int}"
UNSEEN = {404: [Problem.CASE_NOT_FOUND]}
NOT_NOW = [Problem.CASE_STATE]
LAWYER_WORK = {**UNSEEN, 403: [Problem.NOT_YOUR_CASE], 409: NOT_NOW}


async def _view(request: AnyRequest, case_id: int) -> AidCaseView:
    return await aid_views.view_of(await aid_cases.seen_by(claims_of(request), case_id))


@get("/cases/mine", operation_id="ListMyAidCases")
async def my_cases(request: AnyRequest) -> AidCaseList:
    """The caller's legal-aid cases: as applicant, or as their lawyer; newest first."""
    return await aid_views.mine(claims_of(request))


@get(
    "/cases/centre",
    operation_id="ListCentreAidCases",
    responses=problems({403: [Problem.NOT_CENTRE]}),
)
async def centre_cases(
    request: AnyRequest,
    district: Annotated[
        str,
        QueryParameter(
            description="The district's org path, e.g. zz/gx.", max_length=200, pattern=ORG_PATH
        ),
    ],
) -> AidCaseList:
    """A district's open legal-aid cases, for its centre.

    Its admins and the heads of its legal-aid centres. Those waiting for a lawyer come
    first, then those whose close-out waits for review; each read is audited."""
    return await aid_views.centre_cases(claims_of(request), district)


@get(CASE, operation_id="GetAidCase", responses=problems(UNSEEN))
async def get_case(request: AnyRequest, case_id: FromPath[RowId]) -> AidCaseView:
    """One legal-aid case with its progress notes and hearings.

    For its applicant, its lawyer and the district's centre; to anyone else it does not
    exist. A read by staff is audited."""
    return await _view(request, case_id)


@post(
    f"{CASE}/lawyer",
    status_code=200,
    operation_id="AssignAidLawyer",
    responses=problems(
        {
            **UNSEEN,
            403: [Problem.NOT_CENTRE],
            409: [Problem.CASE_STATE, Problem.NO_LAWYER_FREE],
            422: [Problem.LAWYER_CONFLICTED, Problem.NOT_A_LAWYER, Problem.LAWYER_OFF_DUTY],
        }
    ),
)
async def assign(
    request: AnyRequest,
    case_id: FromPath[RowId],
    data: JSONBody[AssignIn],
    legal: NamedDependency[LegalRuntime],
) -> AidCaseView:
    """Assign (or replace) the case's lawyer, by the centre.

    One listed in the district and on duty now, never one with a conflict in the case; with
    none named, the one of those with the fewest open cases. The applicant and the lawyer
    are told."""
    chosen = strictly(await request.json(), AssignIn)
    await aid_cases.assign(actor=claims_of(request), case_id=case_id, chosen=chosen, legal=legal)
    return await _view(request, case_id)


@post(
    f"{CASE}/conflicts",
    status_code=200,
    operation_id="RecordAidConflict",
    responses=problems(
        {**UNSEEN, 403: [Problem.NOT_CENTRE], 409: NOT_NOW, 422: [Problem.NOT_A_LAWYER]}
    ),
)
async def record_conflict(
    request: AnyRequest,
    case_id: FromPath[RowId],
    data: JSONBody[ConflictIn],
    legal: NamedDependency[LegalRuntime],
) -> dict[str, bool]:
    """Record a lawyer's conflict of interest in the case.

    By the centre, naming the lawyer (one who represents the other party, say), or by the
    case's lawyer of themselves, until the case is closed; if they held it, it goes back to
    the centre, any close-out of theirs withdrawn. A conflicted lawyer
    is never assigned to it again."""
    conflict = strictly(await request.json(), ConflictIn)
    await aid_cases.record_conflict(
        actor=claims_of(request), case_id=case_id, conflict=conflict, legal=legal
    )
    return {"recorded": True}


@post(f"{CASE}/notes", operation_id="AddAidCaseNote", responses=problems(LAWYER_WORK))
async def add_note(
    request: AnyRequest,
    case_id: FromPath[RowId],
    data: JSONBody[CaseNoteIn],
    legal: NamedDependency[LegalRuntime],
) -> AidCaseView:
    """Record a progress note, by the case's lawyer."""
    note = strictly(await request.json(), CaseNoteIn)
    await aid_work.add_note(actor=claims_of(request), case_id=case_id, note=note, legal=legal)
    return await _view(request, case_id)


@post(
    f"{CASE}/hearings",
    operation_id="AddAidHearing",
    responses=problems({**LAWYER_WORK, 422: [Problem.HEARING_INVALID]}),
)
async def add_hearing(
    request: AnyRequest,
    case_id: FromPath[RowId],
    data: JSONBody[HearingIn],
    legal: NamedDependency[LegalRuntime],
) -> AidCaseView:
    """Record a hearing date, by the case's lawyer.

    The applicant is told at once and reminded the day before."""
    hearing = strictly(await request.json(), HearingIn)
    await aid_work.add_hearing(
        actor=claims_of(request), case_id=case_id, hearing=hearing, legal=legal
    )
    return await _view(request, case_id)


@post(
    f"{CASE}/close-out",
    status_code=200,
    operation_id="FileAidCloseOut",
    responses=problems(LAWYER_WORK),
)
async def file_close_out(
    request: AnyRequest,
    case_id: FromPath[RowId],
    data: JSONBody[CloseOutIn],
    legal: NamedDependency[LegalRuntime],
) -> AidCaseView:
    """File the close-out record (result, summary, documents), by the case's lawyer.

    The centre reviews it."""
    close_out = strictly(await request.json(), CloseOutIn)
    await aid_work.file_close_out(
        actor=claims_of(request), case_id=case_id, close_out=close_out, legal=legal
    )
    return await _view(request, case_id)


@post(
    f"{CASE}/review",
    status_code=200,
    operation_id="ReviewAidCloseOut",
    responses=problems({**UNSEEN, 403: [Problem.NOT_CENTRE], 409: NOT_NOW}),
)
async def review(
    request: AnyRequest,
    case_id: FromPath[RowId],
    data: JSONBody[ReviewIn],
    legal: NamedDependency[LegalRuntime],
) -> AidCaseView:
    """Accept the close-out, closing the case, or send it back; by the centre."""
    verdict = strictly(await request.json(), ReviewIn)
    await aid_work.review(actor=claims_of(request), case_id=case_id, verdict=verdict, legal=legal)
    return await _view(request, case_id)


@post(
    f"{CASE}/rating",
    status_code=200,
    operation_id="RateAidLawyer",
    responses=problems({**UNSEEN, 403: [Problem.NOT_YOUR_CASE], 409: [Problem.CASE_RATED]}),
)
async def rate(
    request: AnyRequest, case_id: FromPath[RowId], data: JSONBody[CaseRatingIn]
) -> AidCaseView:
    """Rate the case's lawyer, by the applicant, once the case is closed; once."""
    rating = strictly(await request.json(), CaseRatingIn)
    await aid_work.rate(actor=claims_of(request), case_id=case_id, rating=rating)
    return await _view(request, case_id)


AID_ROUTES = [
    my_cases,
    centre_cases,
    get_case,
    assign,
    record_conflict,
    add_note,
    add_hearing,
    file_close_out,
    review,
    rate,
]
