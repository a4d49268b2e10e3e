"""HTTP of the actions that close or lengthen a case (reject, extend, decide, deliver), and
the resident's answer to a 补正."""

from __future__ import annotations

from litestar import Response, post
from litestar.params import FromPath, JSONBody

from backend.sdk import (
    AnyRequest,
    Role,
    RowId,
    claims_of,
    problems,
    requires_role,
    utc_now,
)
from miniapps.gov_services import handling
from miniapps.gov_services.cases import version_in
from miniapps.gov_services.errors import GovServicesCode as Code
from miniapps.gov_services.staff_controllers import ACTED, STAFF, IfMatch, tagged
from miniapps.gov_services.staff_schemas import (
    CaseView,
    DecideIn,
    DeliverIn,
    ExtendIn,
    ProgressState,
    RejectIn,
    SupplementIn,
)
from miniapps.gov_services.staff_views import case_view_by_id
from miniapps.gov_services.supplement import answer_supplement, progress_state


@post(
    "/work/{application_id:int}/reject",
    status_code=200,
    operation_id="RejectApplication",
    guards=STAFF,
    responses=problems(ACTED),
)
async def reject(
    request: AnyRequest,
    application_id: FromPath[RowId],
    data: JSONBody[RejectIn],
    if_match: IfMatch = None,
) -> Response[CaseView]:
    """Reject the application (不予受理 / 不予通过); the case closes.

    The body gives the reason's code and its text, which the resident reads."""
    actor = claims_of(request)
    await handling.reject(
        actor=actor,
        application_id=application_id,
        expected_version=version_in(if_match),
        data=data,
        at=utc_now(),
    )
    return tagged(await case_view_by_id(actor, application_id))


@post(
    "/work/{application_id:int}/extend",
    status_code=200,
    operation_id="ExtendApplication",
    guards=STAFF,
    responses=problems(
        {
            **ACTED,
            409: [
                *ACTED[409],
                Code.APPLICATION_NO_EXTENSION,
                Code.APPLICATION_EXTENDED_ALREADY,
            ],
        }
    ),
)
async def extend(
    request: AnyRequest,
    application_id: FromPath[RowId],
    data: JSONBody[ExtendIn],
    if_match: IfMatch = None,
) -> Response[CaseView]:
    """Extend the case's time limit (延期) by the item's extension, with the reason.

    Once per case, by a service approver over the case's org (an officer is refused with
    a 403); a second is a 409 `application_extended_already`."""
    actor = claims_of(request)
    await handling.extend(
        actor=actor,
        application_id=application_id,
        expected_version=version_in(if_match),
        data=data,
    )
    return tagged(await case_view_by_id(actor, application_id))


@post(
    "/work/{application_id:int}/decide",
    status_code=200,
    operation_id="DecideApplication",
    guards=STAFF,
    responses=problems(ACTED),
)
async def decide(
    request: AnyRequest,
    application_id: FromPath[RowId],
    data: JSONBody[DecideIn],
    if_match: IfMatch = None,
) -> Response[CaseView]:
    """Decide the application (决定): approved or rejected; it goes on to delivery."""
    actor = claims_of(request)
    await handling.decide(
        actor=actor,
        application_id=application_id,
        expected_version=version_in(if_match),
        data=data,
        at=utc_now(),
    )
    return tagged(await case_view_by_id(actor, application_id))


@post(
    "/work/{application_id:int}/deliver",
    status_code=200,
    operation_id="DeliverApplication",
    guards=STAFF,
    responses=problems(ACTED),
)
async def deliver(
    request: AnyRequest,
    application_id: FromPath[RowId],
    data: JSONBody[DeliverIn],
    if_match: IfMatch = None,
) -> Response[CaseView]:
    """Deliver the result (送达); the case is closed (办结)."""
    actor = claims_of(request)
    await handling.deliver(
        actor=actor,
        application_id=application_id,
        expected_version=version_in(if_match),
        data=data,
        at=utc_now(),
    )
    return tagged(await case_view_by_id(actor, application_id))


@post(
    "/applications/{application_id:int}/supplement",
    status_code=200,
    operation_id="SupplementApplication",
    guards=[requires_role(Role.RESIDENT)],
    responses=problems(
        {
            404: [Code.APPLICATION_NOT_FOUND],
            400: [Code.APPLICATION_IF_MATCH_INVALID],
            403: [Code.APPLICATION_NOT_YOURS],
            409: [Code.APPLICATION_ACTION_ILLEGAL, Code.APPLICATION_CHANGED],
            412: [Code.APPLICATION_CHANGED],
            422: [Code.ANSWERS_INVALID, Code.APPLICATION_SUPPLEMENT_INCOMPLETE],
        }
    ),
)
async def supplement(
    request: AnyRequest,
    application_id: FromPath[RowId],
    data: JSONBody[SupplementIn],
    if_match: IfMatch = None,
) -> Response[ProgressState]:
    """Answer a 补正: the answers as they now stand, and the materials asked for.

    The answers are checked as at submit; each material asked for must be provided by one
    added to the application since it was returned. The case goes back to its officers and
    its clock counts on with what was left of its limit, from the next day."""
    actor = claims_of(request)
    case = await answer_supplement(
        actor=actor,
        application_id=application_id,
        data=data,
        expected_version=version_in(if_match),
        at=utc_now(),
        locale=actor.locale or request.headers.get("accept-language"),
    )
    state = progress_state(case)
    return Response(state, headers={"ETag": f'"{state.version}"'})
