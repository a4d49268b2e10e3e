"""HTTP of objections to a refused 法律援助申请 (法律援助法 Art. 49)."""

from __future__ import annotations

from typing import Annotated

from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from backend.sdk import AnyRequest, RowId, claims_of, problems, strictly
from miniapps.legal_aid import refusals
from miniapps.legal_aid.errors import LegalProblem as Problem
from miniapps.legal_aid.refusal_schemas import (
    ObjectionIn,
    ObjectionReviewIn,
    RefusalList,
    RefusalView,
)
from miniapps.legal_aid.runtime import LegalRuntime
from miniapps.legal_aid.schemas import ORG_PATH

REFUSAL = "/refusals/{refusal_id:int}"
UNSEEN = {404: [Problem.REFUSAL_NOT_FOUND]}


async def _view(request: AnyRequest, refusal_id: int) -> RefusalView:
    return refusals.view(await refusals.seen_by(claims_of(request), refusal_id))


@get("/refusals/mine", operation_id="ListMyAidRefusals")
async def my_refusals(request: AnyRequest) -> RefusalList:
    """The caller's refused 法律援助申请, newest first, with any objection to each."""
    return await refusals.mine(claims_of(request))


@get(
    "/refusals/objections",
    operation_id="ListAidObjections",
    responses=problems({403: [Problem.NOT_DISTRICT_ADMIN]}),
)
async def objections(
    request: AnyRequest,
    district: Annotated[
        str,
        QueryParameter(
            description="The district's org path, e.g. zz/gx.", max_length=200, pattern=ORG_PATH
        ),
    ],
) -> RefusalList:
    """A district's objections waiting for review, for its justice bureau.

    Its district admins; the oldest review time first; each read is audited."""
    return await refusals.to_review(claims_of(request), district)


@get(REFUSAL, operation_id="GetAidRefusal", responses=problems(UNSEEN))
async def get_refusal(request: AnyRequest, refusal_id: FromPath[RowId]) -> RefusalView:
    """One refusal with its objection, for its applicant and the district's bureau."""
    return await _view(request, refusal_id)


@post(
    f"{REFUSAL}/objection",
    status_code=200,
    operation_id="ObjectToAidRefusal",
    responses=problems(
        {
            **UNSEEN,
            403: [Problem.NOT_YOUR_REFUSAL],
            409: [Problem.REFUSAL_STATE, Problem.OBJECTION_LATE],
        }
    ),
)
async def object_to(
    request: AnyRequest,
    refusal_id: FromPath[RowId],
    data: JSONBody[ObjectionIn],
    legal: NamedDependency[LegalRuntime],
) -> RefusalView:
    """Object to the refusal, by its applicant, once, within 15 days of it.

    The district's justice bureau reviews it within 5 working days."""
    objection = strictly(await request.json(), ObjectionIn)
    await refusals.object_to(
        actor=claims_of(request), refusal_id=refusal_id, objection=objection, legal=legal
    )
    return await _view(request, refusal_id)


@post(
    f"{REFUSAL}/review",
    status_code=200,
    operation_id="ReviewAidObjection",
    responses=problems({**UNSEEN, 403: [Problem.NOT_DISTRICT_ADMIN], 409: [Problem.REFUSAL_STATE]}),
)
async def review(
    request: AnyRequest,
    refusal_id: FromPath[RowId],
    data: JSONBody[ObjectionReviewIn],
    legal: NamedDependency[LegalRuntime],
) -> RefusalView:
    """Uphold the refusal or overturn it, by the district's bureau.

    Overturning opens the legal-aid case; the applicant is told either way."""
    verdict = strictly(await request.json(), ObjectionReviewIn)
    await refusals.review(
        actor=claims_of(request), refusal_id=refusal_id, verdict=verdict, legal=legal
    )
    return await _view(request, refusal_id)


REFUSAL_ROUTES = [my_refusals, objections, get_refusal, object_to, review]
