"""HTTP of a resident's applications: start, save, resume, submit, follow and withdraw.
Each answers for the applicant alone: anyone else's application is a 404."""

from __future__ import annotations

from typing import Annotated

from litestar import Response, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, HeaderParameter, JSONBody, QueryParameter

from backend.sdk import (
    AnyRequest,
    KernelCode,
    PageCursor,
    PageLimit,
    Role,
    RowId,
    claims_of,
    idempotent,
    problems,
    requires_role,
)
from miniapps.gov_services import applying, progress, submitting
from miniapps.gov_services.cases import version_in
from miniapps.gov_services.errors import GovServicesCode as Code
from miniapps.gov_services.licences.provider import Licences
from miniapps.gov_services.resident_schemas import (
    AnswersIn,
    ApplicationPage,
    ApplicationView,
    ProgressView,
    StartIn,
    WithdrawIn,
)
from miniapps.gov_services.states import Status

ONE = "/applications/{application_id:int}"
RESIDENTS = [requires_role(Role.RESIDENT)]
NOT_FOUND = {404: [Code.APPLICATION_NOT_FOUND]}
# What a change of the caller's application refuses besides its own checks.
CHANGE = {
    **NOT_FOUND,
    400: [Code.APPLICATION_IF_MATCH_INVALID],
    409: [Code.APPLICATION_ACTION_ILLEGAL, Code.APPLICATION_CHANGED],
    412: [Code.APPLICATION_CHANGED],
}
IfMatch = Annotated[
    str | None,
    HeaderParameter(
        name="If-Match",
        max_length=64,
        description="The application's version (its ETag) the change is made from.",
    ),
]


def locale_of(request: AnyRequest) -> str | None:
    """The language of the texts an answer carries: the caller's chosen one, else the
    request's Accept-Language (the document's texts pick English or Chinese from it)."""
    return claims_of(request).locale or request.headers.get("accept-language")


def tagged(view: ApplicationView, status_code: int = 200) -> Response[ApplicationView]:
    return Response(view, status_code=status_code, headers={"ETag": f'"{view.version}"'})


@post(
    "/applications",
    operation_id="StartApplication",
    guards=RESIDENTS,
    middleware=[idempotent],
    responses=problems(
        {404: [Code.ITEM_NOT_OFFERED], 422: [Code.NOT_ELIGIBLE, Code.APPLICANT_NO_HOME]}
    ),
)
async def start_application(
    request: AnyRequest, data: JSONBody[StartIn], licence_sources: NamedDependency[Licences]
) -> Response[ApplicationView]:
    """Start an application for a service item (申办).

    It is started on the item's version in force and held to it to the end. The caller must
    meet the item's conditions (a 422 `not_eligible` lists each rule failed, by its id), and
    their electronic licences fill in what the item says; those answers stay as filled."""
    view = await applying.start(
        actor=claims_of(request),
        item_code=data.item_code,
        licences=licence_sources,
        locale=locale_of(request),
    )
    return tagged(view, 201)


@get(
    "/applications",
    operation_id="ListMyApplications",
    guards=RESIDENTS,
    responses=problems({400: [KernelCode.CURSOR_INVALID]}),
)
async def list_my_applications(
    request: AnyRequest,
    status: Annotated[
        Status | None, QueryParameter(description="Only applications in this status.")
    ] = None,
    cursor: PageCursor = None,
    limit: FromQuery[PageLimit] = 20,
) -> ApplicationPage:
    """The caller's applications, newest first, a page at a time.

    The next page is the one after `next_cursor`."""
    return await applying.my_applications(
        actor=claims_of(request), status=status, cursor=cursor, limit=limit
    )


@get(ONE, operation_id="GetApplication", guards=RESIDENTS, responses=problems(NOT_FOUND))
async def get_application(
    request: AnyRequest, application_id: FromPath[RowId], licence_sources: NamedDependency[Licences]
) -> Response[ApplicationView]:
    """One of the caller's applications: answers, materials given and needed, status.

    A draft picks up here on any device. Its `ETag` is its version, for `If-Match` on the
    next change."""
    view = await applying.application(
        actor=claims_of(request),
        application_id=application_id,
        licences=licence_sources,
        locale=locale_of(request),
    )
    return tagged(view)


@put(
    f"{ONE}/answers",
    operation_id="SaveApplicationAnswers",
    guards=RESIDENTS,
    responses=problems({**CHANGE, 422: [Code.ANSWERS_INVALID, Code.APPLICANT_NO_HOME]}),
)
async def save_answers(
    request: AnyRequest,
    application_id: FromPath[RowId],
    data: JSONBody[AnswersIn],
    licence_sources: NamedDependency[Licences],
    if_match: IfMatch = None,
) -> Response[ApplicationView]:
    """Save a draft's answers (暂存).

    Each answer given is checked, none is required yet; a field the form's rules hide is
    dropped. A prefilled field must keep its licence's value (a 422 naming it otherwise)."""
    view = await applying.save_answers(
        actor=claims_of(request),
        application_id=application_id,
        answers=data.answers,
        expected_version=version_in(if_match),
        licences=licence_sources,
        locale=locale_of(request),
    )
    return tagged(view)


@post(
    f"{ONE}/submit",
    status_code=200,
    operation_id="SubmitApplication",
    guards=RESIDENTS,
    middleware=[idempotent],
    responses=problems({**CHANGE, 422: [Code.APPLICATION_INCOMPLETE, Code.APPLICANT_NO_HOME]}),
)
async def submit_application(
    request: AnyRequest,
    application_id: FromPath[RowId],
    licence_sources: NamedDependency[Licences],
    if_match: IfMatch = None,
) -> Response[ApplicationView]:
    """Submit a draft (提交).

    It gets its 办件编号 (`ref`) and goes to the office that takes it. It is checked whole
    against the version it was started on: a 422 `application_incomplete` lists every
    problem by JSON pointer (`/answers/...`, `/materials/...`), including a prefilled answer
    or a licence given that no longer matches the licence."""
    view = await submitting.submit(
        actor=claims_of(request),
        application_id=application_id,
        expected_version=version_in(if_match),
        licences=licence_sources,
        locale=locale_of(request),
    )
    return tagged(view)


@post(
    f"{ONE}/withdraw",
    status_code=200,
    operation_id="WithdrawApplication",
    guards=RESIDENTS,
    middleware=[idempotent],
    responses=problems(CHANGE),
)
async def withdraw_application(
    request: AnyRequest,
    application_id: FromPath[RowId],
    data: JSONBody[WithdrawIn],
    licence_sources: NamedDependency[Licences],
    if_match: IfMatch = None,
) -> Response[ApplicationView]:
    """Withdraw an application (撤回) before its decision.

    A decided, delivered or closed application is a 409 `application_action_illegal`."""
    view = await submitting.withdraw(
        actor=claims_of(request),
        application_id=application_id,
        expected_version=version_in(if_match),
        reason=data.reason,
        licences=licence_sources,
        locale=locale_of(request),
    )
    return tagged(view)


@get(
    f"{ONE}/progress",
    operation_id="GetApplicationProgress",
    guards=RESIDENTS,
    responses=problems(NOT_FOUND),
)
async def get_progress(request: AnyRequest, application_id: FromPath[RowId]) -> ProgressView:
    """An application's progress (办件进度).

    Each step of the version it was started on with the text the resident reads there,
    the history of its changes, and the due date (a date in the city, provisional while the
    year's holidays are not loaded)."""
    return await progress.progress(
        actor=claims_of(request), application_id=application_id, locale=locale_of(request)
    )


ROUTES = [
    start_application,
    list_my_applications,
    get_application,
    save_answers,
    submit_application,
    withdraw_application,
    get_progress,
]
