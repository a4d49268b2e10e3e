"""HTTP of an app's release: gray release, release to everyone, rollback."""

from __future__ import annotations

from litestar import delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from backend.sdk import AnyRequest, RowId, claims_of, problems, strictly
from miniapps.open_platform import release
from miniapps.open_platform.app_controllers import APP, OWNED_APP, OWNED_VERSION, VERSION, AppId
from miniapps.open_platform.errors import OpenProblem as Problem
from miniapps.open_platform.launch_tiles import LaunchTiles
from miniapps.open_platform.schemas import GrayIn, ReleaseView, RollbackIn
from miniapps.open_platform.versions import app_of_version

RELEASING = {
    **OWNED_VERSION,
    409: [
        Problem.VERSION_STATE,
        Problem.GRAY_RUNNING,
        Problem.VERSION_RELEASED,
        Problem.VERSION_OLDER,
    ],
}


async def _view(request: AnyRequest, app_id: str) -> ReleaseView:
    return await release.release_view(claims_of(request), app_id)


@get(
    f"{APP}/release",
    operation_id="GetOpenAppRelease",
    responses=problems({404: [Problem.APP_NOT_FOUND]}),
)
async def get_release(request: AnyRequest, app_id: FromPath[AppId]) -> ReleaseView:
    """Where the app's release stands and its last steps, for publisher and platform.

    `rollback_to` lists the versions a rollback may return to."""
    return await _view(request, app_id)


@post(
    f"{VERSION}/gray",
    status_code=200,
    operation_id="GrayReleaseOpenAppVersion",
    responses=problems({**RELEASING, 422: [Problem.GRAY_EMPTY]}),
)
async def gray(
    request: AnyRequest,
    version_id: FromPath[RowId],
    data: JSONBody[GrayIn],
    launch_tiles: NamedDependency[LaunchTiles],
) -> ReleaseView:
    """Release an approved version to a share of users and districts (gray release).

    A user's share is fixed by a hash of app and user, so the same users keep it as the
    share grows. Sent again for the same version, it changes who gets it."""
    chosen = strictly(await request.json(), GrayIn)
    await release.start_gray(claims_of(request), version_id, chosen)
    await launch_tiles.load()
    return await _view(request, await app_of_version(version_id))


@delete(
    f"{APP}/gray",
    status_code=200,
    operation_id="StopOpenAppGrayRelease",
    responses=problems({**OWNED_APP, 409: [Problem.NO_GRAY]}),
)
async def stop_gray(
    request: AnyRequest, app_id: FromPath[AppId], launch_tiles: NamedDependency[LaunchTiles]
) -> ReleaseView:
    """Stop the gray release, by the publisher: all get the released version again."""
    await release.stop_gray(claims_of(request), app_id)
    await launch_tiles.load()
    return await _view(request, app_id)


@post(
    f"{VERSION}/release",
    status_code=200,
    operation_id="ReleaseOpenAppVersion",
    responses=problems(RELEASING),
)
async def release_version(
    request: AnyRequest, version_id: FromPath[RowId], launch_tiles: NamedDependency[LaunchTiles]
) -> ReleaseView:
    """Release an approved version to everyone, by its publisher.

    The version in gray release, or any approved one when none is."""
    await release.release(claims_of(request), version_id)
    await launch_tiles.load()
    return await _view(request, await app_of_version(version_id))


@post(
    f"{APP}/rollback",
    status_code=200,
    operation_id="RollBackOpenApp",
    responses=problems({**OWNED_APP, 409: [Problem.GRAY_RUNNING, Problem.NOT_ROLLBACK_TARGET]}),
)
async def roll_back(
    request: AnyRequest,
    app_id: FromPath[AppId],
    data: JSONBody[RollbackIn],
    launch_tiles: NamedDependency[LaunchTiles],
) -> ReleaseView:
    """Release again one of the last 5 versions released, by the publisher.

    Refused while a version is in gray release: stop it or release it first."""
    target = strictly(await request.json(), RollbackIn)
    await release.rollback(claims_of(request), app_id, target.version_id)
    await launch_tiles.load()
    return await _view(request, app_id)


RELEASE_ROUTES = [get_release, gray, stop_gray, release_version, roll_back]
