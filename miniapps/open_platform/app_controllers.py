"""HTTP of apps, their credentials and versions, and the platform's review of them."""

from __future__ import annotations

from typing import Annotated

from litestar import get, post
from litestar.params import FromPath, JSONBody, PathParameter

from backend.sdk import AnyRequest, RowId, claims_of, problems, strictly
from miniapps.open_platform import apps, versions
from miniapps.open_platform.errors import OpenProblem as Problem
from miniapps.open_platform.publisher_controllers import DEVELOPERS, PLATFORM
from miniapps.open_platform.schemas import (
    APP_ID,
    AppIn,
    AppList,
    AppRegistered,
    AppVersionList,
    AppVersionView,
    AppView,
    ReviewQueue,
    SecretIssued,
    VersionReviewIn,
)

APP = "/apps/{app_id:str}"
VERSION = "/versions/{version_id:int}"
AppId = Annotated[
    str, PathParameter(pattern=APP_ID, description="The app's id, e.g. yx0123456789abcdef.")
]
UNSEEN_APP = {404: [Problem.APP_NOT_FOUND]}
OWNED_APP = {**UNSEEN_APP, 403: [Problem.NOT_YOUR_APP]}
OWNED_VERSION = {404: [Problem.VERSION_NOT_FOUND], 403: [Problem.NOT_YOUR_APP]}


@post(
    "/apps",
    guards=DEVELOPERS,
    operation_id="RegisterOpenApp",
    responses=problems(
        {
            404: [Problem.PUBLISHER_NOT_FOUND],
            409: [Problem.PUBLISHER_UNVERIFIED, Problem.SLUG_TAKEN],
            422: [Problem.MANIFEST_INVALID],
        }
    ),
)
async def register(request: AnyRequest, data: JSONBody[AppIn]) -> AppRegistered:
    """Register an app of the caller's verified publisher, its manifest the first draft.

    The answer holds the app's secret: shown this once, never again. Each culprit of a
    manifest refused is named in `errors`."""
    app = strictly(await request.json(), AppIn)
    return await apps.register_app(claims_of(request), app)


@get("/apps/mine", guards=DEVELOPERS, operation_id="ListMyOpenApps")
async def mine(request: AnyRequest) -> AppList:
    """The apps of the caller's publisher."""
    return await apps.mine(claims_of(request))


@get(APP, operation_id="GetOpenApp", responses=problems(UNSEEN_APP))
async def get_app(request: AnyRequest, app_id: FromPath[AppId]) -> AppView:
    """One app, for its publisher and the platform's admins."""
    return await apps.app_view(await apps.seen_app(claims_of(request), app_id))


@post(
    f"{APP}/secret",
    status_code=200,
    operation_id="RotateOpenAppSecret",
    responses=problems(OWNED_APP),
)
async def rotate(request: AnyRequest, app_id: FromPath[AppId]) -> SecretIssued:
    """Issue the app a new secret, shown this once, by its publisher.

    The secrets before it keep working until `previous_until`, a day on."""
    return await apps.rotate_secret(claims_of(request), app_id)


@post(
    f"{APP}/versions",
    operation_id="DraftOpenAppVersion",
    responses=problems({**OWNED_APP, 422: [Problem.MANIFEST_INVALID]}),
)
async def draft(
    request: AnyRequest, app_id: FromPath[AppId], data: JSONBody[AppIn]
) -> AppVersionView:
    """Draft the app's next version, by its publisher; the manifest keeps the app's id."""
    version = strictly(await request.json(), AppIn)
    return await versions.new_version(claims_of(request), app_id, version)


@get(f"{APP}/versions", operation_id="ListOpenAppVersions", responses=problems(UNSEEN_APP))
async def list_versions(request: AnyRequest, app_id: FromPath[AppId]) -> AppVersionList:
    """The app's versions, the newest first, for its publisher and the platform."""
    return await versions.versions_of(claims_of(request), app_id)


@get(
    VERSION,
    operation_id="GetOpenAppVersion",
    responses=problems({404: [Problem.VERSION_NOT_FOUND]}),
)
async def get_version(request: AnyRequest, version_id: FromPath[RowId]) -> AppVersionView:
    """One version with its manifest, for the app's publisher and the platform's admins."""
    return await versions.seen_version(claims_of(request), version_id)


@post(
    f"{VERSION}/submission",
    status_code=200,
    operation_id="SubmitOpenAppVersion",
    responses=problems({**OWNED_VERSION, 409: [Problem.VERSION_STATE, Problem.REVIEW_PENDING]}),
)
async def submit(request: AnyRequest, version_id: FromPath[RowId]) -> AppVersionView:
    """Send a draft to the platform's review, by the app's publisher.

    One version of an app is in review at a time."""
    await versions.submit(claims_of(request), version_id)
    return await versions.seen_version(claims_of(request), version_id)


@post(
    f"{VERSION}/withdrawal",
    status_code=200,
    operation_id="WithdrawOpenAppVersion",
    responses=problems({**OWNED_VERSION, 409: [Problem.VERSION_STATE]}),
)
async def withdraw(request: AnyRequest, version_id: FromPath[RowId]) -> AppVersionView:
    """Withdraw a draft or a version in review, by the app's publisher."""
    await versions.withdraw(claims_of(request), version_id)
    return await versions.seen_version(claims_of(request), version_id)


@get("/reviews", guards=PLATFORM, operation_id="ListOpenAppReviews")
async def reviews() -> ReviewQueue:
    """The versions in review, the longest waiting first, for the platform's admins.

    Each shows what changed since the app's last approved version, and whether it asks
    for more permissions or data than that version."""
    return await versions.queue()


@post(
    f"{VERSION}/review",
    status_code=200,
    guards=PLATFORM,
    operation_id="ReviewOpenAppVersion",
    responses=problems(
        {
            404: [Problem.VERSION_NOT_FOUND],
            409: [Problem.VERSION_STATE],
            422: [Problem.REASON_REQUIRED],
        }
    ),
)
async def review(
    request: AnyRequest, version_id: FromPath[RowId], data: JSONBody[VersionReviewIn]
) -> AppVersionView:
    """Approve a version in review, or reject it saying why, by a platform admin."""
    verdict = strictly(await request.json(), VersionReviewIn)
    await versions.review(claims_of(request), version_id, verdict)
    return await versions.seen_version(claims_of(request), version_id)


APP_ROUTES = [
    register,
    mine,
    get_app,
    rotate,
    draft,
    list_versions,
    get_version,
    submit,
    withdraw,
    reviews,
    review,
]
