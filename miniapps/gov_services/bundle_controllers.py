"""HTTP of bundles (一件事): the catalogue admins' versions of them, and a resident's bundle
application, from its one form to the progress of its members."""

from __future__ import annotations

from typing import Annotated

from litestar import Response, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, PathParameter

from backend.sdk import (
    AnyRequest,
    ErrorCode,
    Role,
    RowId,
    claims_of,
    idempotent,
    problems,
    requires_role,
    strictly,
)
from miniapps.gov_services import bundle_admin, bundle_submit, bundles
from miniapps.gov_services.bundle_model import BundleIn
from miniapps.gov_services.bundle_progress import bundle_application_view
from miniapps.gov_services.bundle_schemas import (
    BundleApplicationView,
    BundleDraftIn,
    BundleVersionView,
    BundleView,
    SubmitBundleIn,
)
from miniapps.gov_services.cases import version_in
from miniapps.gov_services.errors import GovServicesCode as Code
from miniapps.gov_services.licences.provider import Licences
from miniapps.gov_services.resident_controllers import IfMatch, locale_of

ADMIN = [requires_role(Role.SERVICE_ADMIN)]
RESIDENTS = [requires_role(Role.RESIDENT)]
VERSION = "/admin/bundle-versions/{version_id:int}"
ONE = "/bundle-applications/{bundle_id:int}"
BundleCode = Annotated[
    str,
    PathParameter(
        pattern=r"^[A-Za-z0-9_.:-]{3,64}$", description="The bundle's code, e.g. newborn_birth."
    ),
]
CHANGING: dict[int, list[ErrorCode]] = {
    404: [Code.BUNDLE_VERSION_NOT_FOUND],
    400: [Code.BUNDLE_IF_MATCH_INVALID],
    409: [Code.BUNDLE_VERSION_FROZEN, Code.BUNDLE_VERSION_CHANGED],
    412: [Code.BUNDLE_VERSION_CHANGED],
}
NOT_OFFERED: dict[int, list[ErrorCode]] = {
    404: [Code.BUNDLE_NOT_OFFERED],
    409: [Code.BUNDLE_OUT_OF_DATE],
}


def _expected(if_match: str | None) -> int | None:
    return version_in(if_match, refusal=Code.BUNDLE_IF_MATCH_INVALID)


def _tagged(view: BundleVersionView) -> Response[BundleVersionView]:
    return Response(view, headers={"ETag": f'"{view.revision}"'})


def _bundle_tagged(
    view: BundleApplicationView, status_code: int = 200
) -> Response[BundleApplicationView]:
    return Response(view, status_code=status_code, headers={"ETag": f'"{view.version}"'})


@post(
    "/admin/bundles",
    operation_id="CreateBundleVersion",
    guards=ADMIN,
    middleware=[idempotent],
    responses=problems({409: [Code.BUNDLE_DRAFT_EXISTS]}),
)
async def create_bundle_version(
    request: AnyRequest, data: JSONBody[BundleIn]
) -> Response[BundleVersionView]:
    """Start a bundle's next version (一件事), a draft: version 1 of a new code.

    A bundle with a draft already is a 409: edit that draft. What the definition names is
    checked when it is published."""
    # Read again as sent: Litestar's lenient reading would take "5" for a number of days.
    bundle = strictly(await request.json(), BundleIn)
    view = await bundle_admin.create_version(actor=claims_of(request), bundle=bundle)
    return Response(view, status_code=201, headers={"ETag": f'"{view.revision}"'})


@get(
    VERSION,
    operation_id="GetBundleVersion",
    guards=ADMIN,
    responses=problems({404: [Code.BUNDLE_VERSION_NOT_FOUND]}),
)
async def get_bundle_version(version_id: FromPath[RowId]) -> Response[BundleVersionView]:
    """One version of a bundle, draft, published or retired; its ETag is its revision."""
    return _tagged(bundle_admin.version_view(await bundle_admin.bundle_version(version_id)))


@put(VERSION, operation_id="EditBundleDraft", guards=ADMIN, responses=problems(CHANGING))
async def edit_bundle_draft(
    request: AnyRequest,
    version_id: FromPath[RowId],
    data: JSONBody[BundleDraftIn],
    if_match: IfMatch = None,
) -> Response[BundleVersionView]:
    """Replace a draft's name and definition; a published or retired version is a 409."""
    view = await bundle_admin.edit_draft(
        actor=claims_of(request),
        version_id=version_id,
        draft=strictly(await request.json(), BundleDraftIn),
        expected=_expected(if_match),
    )
    return _tagged(view)


@post(
    f"{VERSION}/publish",
    status_code=200,
    operation_id="PublishBundleVersion",
    guards=ADMIN,
    responses=problems({**CHANGING, 422: [Code.BUNDLE_INVALID]}),
)
async def publish_bundle_version(
    request: AnyRequest, version_id: FromPath[RowId], if_match: IfMatch = None
) -> Response[BundleVersionView]:
    """Publish a draft: frozen from now on, it is the version residents apply on.

    A 422 `bundle_invalid` lists every problem by JSON pointer: a member that is no
    published item, a `depends_on` naming no member or closing a cycle, a shared field
    mapped to a field its member lacks or whose schema differs from the others'."""
    view = await bundle_admin.publish(
        actor=claims_of(request), version_id=version_id, expected=_expected(if_match)
    )
    return _tagged(view)


@get(
    "/bundles/{code:str}",
    operation_id="GetBundle",
    guards=RESIDENTS,
    responses=problems(NOT_OFFERED),
)
async def get_bundle(code: BundleCode) -> BundleView:
    """A bundle's one form (一件事一次办): each shared field once, then each member's own.

    Only a published bundle is shown; an unknown one, or one with only a draft, is a 404."""
    return await bundles.bundle_form(code=code)


@post(
    "/bundles/{code:str}/applications",
    operation_id="StartBundleApplication",
    guards=RESIDENTS,
    middleware=[idempotent],
    responses=problems({**NOT_OFFERED, 422: [Code.NOT_ELIGIBLE, Code.APPLICANT_NO_HOME]}),
)
async def start_bundle_application(
    request: AnyRequest, code: BundleCode, licence_sources: NamedDependency[Licences]
) -> Response[BundleApplicationView]:
    """Start a bundle application (一件事).

    Each member item gets a draft, filled in from the caller's licences. Files a member
    asks for are uploaded to its draft; the rest is given once, at submit."""
    view = await bundles.start(
        actor=claims_of(request), code=code, licences=licence_sources, locale=locale_of(request)
    )
    return _bundle_tagged(view, 201)


@get(
    ONE,
    operation_id="GetBundleApplication",
    guards=RESIDENTS,
    responses=problems({404: [Code.BUNDLE_APPLICATION_NOT_FOUND]}),
)
async def get_bundle_application(
    request: AnyRequest, bundle_id: FromPath[RowId], licence_sources: NamedDependency[Licences]
) -> Response[BundleApplicationView]:
    """A bundle application's progress.

    Each member's application and status, what a waiting member waits for, the state of
    the whole and its due date: its promised limit counted from the first member's 受理."""
    view = await bundle_application_view(
        actor=claims_of(request),
        bundle_id=bundle_id,
        licences=licence_sources,
        locale=locale_of(request),
    )
    return _bundle_tagged(view)


@post(
    f"{ONE}/submit",
    status_code=200,
    operation_id="SubmitBundleApplication",
    guards=RESIDENTS,
    middleware=[idempotent],
    responses=problems(
        {
            404: [Code.BUNDLE_APPLICATION_NOT_FOUND],
            400: [Code.BUNDLE_IF_MATCH_INVALID],
            403: [Code.LICENCE_CONSENT_REQUIRED, Code.LICENCE_NOT_YOURS],
            409: [
                Code.BUNDLE_APPLICATION_SUBMITTED,
                Code.BUNDLE_APPLICATION_CHANGED,
                Code.APPLICATION_CHANGED,
            ],
            412: [Code.BUNDLE_APPLICATION_CHANGED],
            422: [
                Code.BUNDLE_INCOMPLETE,
                Code.MATERIAL_UNKNOWN,
                Code.MATERIAL_SOURCE_REFUSED,
                Code.APPLICANT_NO_HOME,
            ],
        }
    ),
)
async def submit_bundle_application(
    request: AnyRequest,
    bundle_id: FromPath[RowId],
    data: JSONBody[SubmitBundleIn],
    licence_sources: NamedDependency[Licences],
    if_match: IfMatch = None,
) -> Response[BundleApplicationView]:
    """Submit a bundle application: one form, one submit, one transaction.

    Each member whose prerequisites are done is submitted as a single application is;
    the others wait, and start on their own once those are delivered. Each of `materials`
    gives a licence once, to every member asking for that material: one the caller holds
    (`licence_ref`), or the one a member will issue (`licence_type`: the 出生医学证明),
    given to those waiting for it when issued. `consent` covers both. A 422
    `bundle_incomplete` lists every problem at its place in the form."""
    view = await bundle_submit.submit(
        actor=claims_of(request),
        bundle_id=bundle_id,
        data=strictly(await request.json(), SubmitBundleIn),
        expected_version=_expected(if_match),
        licences=licence_sources,
        locale=locale_of(request),
    )
    return _bundle_tagged(view)


ADMIN_ROUTES = [
    create_bundle_version,
    get_bundle_version,
    edit_bundle_draft,
    publish_bundle_version,
]
RESIDENT_ROUTES = [
    get_bundle,
    start_bundle_application,
    get_bundle_application,
    submit_bundle_application,
]
