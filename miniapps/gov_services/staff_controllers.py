"""HTTP of staff work: the worklist, a case as its handlers see it, and the actions that take
it from 受理 to 送达. Each action answers the case as it then stands, its version as ETag."""

from __future__ import annotations

from typing import Annotated

from litestar import Response, get, post
from litestar.params import FromPath, FromQuery, HeaderParameter, JSONBody, QueryParameter

from backend.sdk import (
    ROW_ID_MAX,
    AnyRequest,
    KernelCode,
    PageCursor,
    PageLimit,
    RowId,
    claims_of,
    holding_role,
    problems,
    requires_role,
    utc_now,
)
from miniapps.gov_services import handling, supplement
from miniapps.gov_services.cases import version_in
from miniapps.gov_services.errors import GovServicesCode as Code
from miniapps.gov_services.staff_schemas import (
    CaseView,
    DueFilter,
    NoteIn,
    SupplementRequestIn,
    WorkPage,
)
from miniapps.gov_services.staff_views import case_view_by_id, read_case
from miniapps.gov_services.worklist import WORK_ROLES, work_page

IfMatch = Annotated[
    str | None,
    HeaderParameter(
        name="If-Match",
        max_length=64,
        description="The application's version (its ETag) the action is taken from.",
    ),
]
STAFF = [requires_role(*WORK_ROLES)]
SEEN = {404: [Code.APPLICATION_NOT_FOUND], 403: [Code.APPLICATION_OUTSIDE_SCOPE]}
ACTED = {
    **SEEN,
    400: [Code.APPLICATION_IF_MATCH_INVALID],
    409: [Code.APPLICATION_ACTION_ILLEGAL, Code.APPLICATION_CLAIMED, Code.APPLICATION_CHANGED],
    412: [Code.APPLICATION_CHANGED],
}


def tagged(view: CaseView) -> Response[CaseView]:
    return Response(view, headers={"ETag": f'"{view.version}"'})


@get(
    "/work",
    operation_id="ListWork",
    responses=problems({400: [KernelCode.CURSOR_INVALID], 403: [KernelCode.FORBIDDEN]}),
)
async def list_work(
    request: AnyRequest,
    item_id: Annotated[
        int | None,
        QueryParameter(ge=1, le=ROW_ID_MAX, description="Only cases of this service item."),
    ] = None,
    due: Annotated[
        DueFilter | None,
        QueryParameter(
            description="`soon`: due within two working days; `overdue`: past the due date."
        ),
    ] = None,
    cursor: PageCursor = None,
    limit: FromQuery[PageLimit] = 20,
) -> WorkPage:
    """The cases the caller owes the next step on (待办件), soonest due first.

    Those at a step of a role the caller holds, handled by an org inside the caller's scope
    for that role; cases not yet accepted (with no due date) come last. The next page is
    the one after `next_cursor`."""
    actor = holding_role(request, *WORK_ROLES)
    return await work_page(actor=actor, item_id=item_id, due=due, cursor=cursor, limit=limit)


@get(
    "/work/{application_id:int}", operation_id="GetWorkCase", guards=STAFF, responses=problems(SEEN)
)
async def get_case(request: AnyRequest, application_id: FromPath[RowId]) -> Response[CaseView]:
    """A case as its handlers see it.

    Its answers, materials, history and clock, and the actions the caller may take now.
    For those who hold its step's role, or approve its extension, over its org. Each read
    is audited. Its `ETag` is its version, for `If-Match` on the next action."""
    return tagged(await read_case(actor=claims_of(request), application_id=application_id))


@post(
    "/work/{application_id:int}/claim",
    status_code=200,
    operation_id="ClaimApplication",
    guards=STAFF,
    responses=problems(ACTED),
)
async def claim(
    request: AnyRequest, application_id: FromPath[RowId], if_match: IfMatch = None
) -> Response[CaseView]:
    """Claim the case (签收): it is the caller's to work on until released or moved on.

    A case another officer holds is a 409 `application_claimed`, also for the second of
    two claims sent at once."""
    actor = claims_of(request)
    await handling.claim(
        actor=actor, application_id=application_id, expected_version=version_in(if_match)
    )
    return tagged(await case_view_by_id(actor, application_id))


@post(
    "/work/{application_id:int}/release",
    status_code=200,
    operation_id="ReleaseApplication",
    guards=STAFF,
    responses=problems(ACTED),
)
async def release(
    request: AnyRequest, application_id: FromPath[RowId], if_match: IfMatch = None
) -> Response[CaseView]:
    """Give up the caller's claim on the case: any officer of its step may claim it."""
    actor = claims_of(request)
    await handling.release(
        actor=actor, application_id=application_id, expected_version=version_in(if_match)
    )
    return tagged(await case_view_by_id(actor, application_id))


@post(
    "/work/{application_id:int}/accept",
    status_code=200,
    operation_id="AcceptApplication",
    guards=STAFF,
    responses=problems(ACTED),
)
async def accept(
    request: AnyRequest,
    application_id: FromPath[RowId],
    data: JSONBody[NoteIn],
    if_match: IfMatch = None,
) -> Response[CaseView]:
    """Accept the application (受理): its clock starts.

    The due date is the promised limit in working days counted from the day after, on the
    working-day calendar (provisional where it crosses a year whose holidays are not
    loaded); the case goes on to its next step."""
    actor = claims_of(request)
    await handling.accept(
        actor=actor,
        application_id=application_id,
        expected_version=version_in(if_match),
        note=data.note,
        at=utc_now(),
    )
    return tagged(await case_view_by_id(actor, application_id))


@post(
    "/work/{application_id:int}/advance",
    status_code=200,
    operation_id="AdvanceApplication",
    guards=STAFF,
    responses=problems(ACTED),
)
async def advance(
    request: AnyRequest,
    application_id: FromPath[RowId],
    data: JSONBody[NoteIn],
    if_match: IfMatch = None,
) -> Response[CaseView]:
    """Pass a review (审核): the case goes on to its next step.

    The next step may be another department's or another level's (a street's 初审, then the
    district's 审核)."""
    actor = claims_of(request)
    await handling.advance(
        actor=actor,
        application_id=application_id,
        expected_version=version_in(if_match),
        note=data.note,
    )
    return tagged(await case_view_by_id(actor, application_id))


@post(
    "/work/{application_id:int}/return-for-supplement",
    status_code=200,
    operation_id="ReturnApplicationForSupplement",
    guards=STAFF,
    responses=problems(
        {
            **ACTED,
            409: [*ACTED[409], Code.APPLICATION_PAUSE_NOT_ALLOWED],
            422: [Code.APPLICATION_SUPPLEMENT_LIST_INVALID],
        }
    ),
)
async def return_for_supplement(
    request: AnyRequest,
    application_id: FromPath[RowId],
    data: JSONBody[SupplementRequestIn],
    if_match: IfMatch = None,
) -> Response[CaseView]:
    """Return the application for 补正, listing everything missing at once.

    The clock stands still until the resident answers; the working days used so far are
    kept. Where the item does not stop its clock for a 补正, an accepted case cannot be
    returned (409 `application_pause_not_allowed`)."""
    actor = claims_of(request)
    await supplement.return_for_supplement(
        actor=actor,
        application_id=application_id,
        expected_version=version_in(if_match),
        data=data,
        at=utc_now(),
    )
    return tagged(await case_view_by_id(actor, application_id))
