"""HTTP of per-district enablement: a district's admin switches an app out on the platform
on or off in the district."""

from __future__ import annotations

from typing import Annotated

from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from backend.sdk import AnyRequest, KernelCode, Role, claims_of, problems, requires_role, strictly
from miniapps.open_platform import districts
from miniapps.open_platform.app_controllers import APP, AppId
from miniapps.open_platform.errors import OpenProblem as Problem
from miniapps.open_platform.launch_tiles import LaunchTiles
from miniapps.open_platform.schemas import DISTRICT, DistrictApp, DistrictAppList, DistrictSwitchIn

DISTRICT_ADMINS = [requires_role(Role.DISTRICT_ADMIN, Role.PLATFORM_ADMIN)]
DistrictQuery = Annotated[
    str,
    QueryParameter(
        pattern=DISTRICT, max_length=65, description="The district's org path, e.g. zz/gx."
    ),
]


@get(
    "/district-apps",
    guards=DISTRICT_ADMINS,
    operation_id="ListOpenAppsInDistrict",
    responses=problems({403: [KernelCode.SCOPE_NOT_ALLOWED], 422: [Problem.DISTRICT_UNKNOWN]}),
)
async def district_apps(request: AnyRequest, district: DistrictQuery) -> DistrictAppList:
    """Every app out on the platform and how it stands in a district, for its admin.

    `needs_approval`: a version out now asks for more than the district approved, and the
    app is off there until its admin switches it on again."""
    return await districts.district_apps(claims_of(request), district)


@post(
    f"{APP}/district",
    status_code=200,
    guards=DISTRICT_ADMINS,
    operation_id="SwitchOpenAppInDistrict",
    responses=problems(
        {
            403: [KernelCode.SCOPE_NOT_ALLOWED],
            404: [Problem.APP_NOT_FOUND],
            409: [Problem.ASKS_CHANGED],
            422: [Problem.DISTRICT_UNKNOWN, Problem.ASKS_REQUIRED],
        }
    ),
)
async def switch_in_district(
    request: AnyRequest,
    app_id: FromPath[AppId],
    data: JSONBody[DistrictSwitchIn],
    launch_tiles: NamedDependency[LaunchTiles],
) -> DistrictApp:
    """Switch an app on in a district, or off, by the district's admin.

    Switching on approves `asks`, what the admin was shown the app asks for in the
    district (`GET /district-apps`); when it asks for something else by then, the answer is
    a 409 with what it asks now. A later version asking for more is off in the district
    until switched on again. Apps are off in a district until switched on there."""
    change = strictly(await request.json(), DistrictSwitchIn)
    switched = await districts.switch_district(claims_of(request), app_id, change)
    await launch_tiles.load()
    return switched


DISTRICT_ROUTES = [district_apps, switch_in_district]
