"""HTTP of launching an app: what a user is about to open, and the launch code its page
hands to its server; and a user's consents, at `/v1/me/consents`."""

from __future__ import annotations

from typing import Annotated

from litestar import Response, Router, delete, get, post
from litestar.di import NamedDependency
from litestar.openapi.spec import OpenAPIFormat
from litestar.params import FromPath, JSONBody, KwargDefinition, QueryParameter

from backend.sdk import (
    AnyRequest,
    Enablement,
    Quota,
    RowId,
    claims_of,
    problems,
    rate_limited,
    strictly,
)
from miniapps.open_platform import consents, launch
from miniapps.open_platform.app_controllers import APP, AppId
from miniapps.open_platform.errors import OpenProblem as Problem
from miniapps.open_platform.schemas import (
    DISTRICT,
    AppEntry,
    ConsentList,
    DataField,
    Launched,
    LaunchIn,
)

PngImage = Annotated[bytes, KwargDefinition(format=OpenAPIFormat.BINARY)]
OPENING = {
    403: [Problem.OFF_IN_DISTRICT, Problem.NOT_YOUR_DISTRICT],
    404: [Problem.APP_NOT_FOUND],
    422: [Problem.DISTRICT_REQUIRED],
}
OptionalDistrict = Annotated[
    str | None,
    QueryParameter(
        pattern=DISTRICT,
        max_length=65,
        description="The district to open the app in; left out when the caller is in one only.",
    ),
]


@get(f"{APP}/entry", operation_id="GetOpenAppEntry", responses=problems(OPENING))
async def entry(
    request: AnyRequest,
    app_id: FromPath[AppId],
    enablement: NamedDependency[Enablement],
    district: OptionalDistrict = None,
) -> AppEntry:
    """The app as the caller is about to open it: its page and the data it asks for.

    Each field comes with the purpose the app states for it and whether the caller
    consents to it already: what the consent sheet shows."""
    return await launch.entry(claims_of(request), app_id, district, enablement)


@post(
    f"{APP}/launch",
    status_code=200,
    operation_id="LaunchOpenApp",
    middleware=[rate_limited(Quota.LAUNCHES)],
    responses=problems({**OPENING, 422: [Problem.DISTRICT_REQUIRED, Problem.FIELD_NOT_ASKED]}),
)
async def launch_app(
    request: AnyRequest,
    app_id: FromPath[AppId],
    data: JSONBody[LaunchIn],
    enablement: NamedDependency[Enablement],
) -> Launched:
    """Open the app: a launch code for its page to hand to its server.

    The code is good once, for 5 minutes. The fields named in `consent` are consented to
    first, each for the purpose the app states. The code is bound to the app, the caller,
    the district and the version they get; the app's server trades it at
    `POST /open/session`."""
    asked = strictly(await request.json(), LaunchIn)
    return await launch.launch(claims_of(request), app_id, asked, enablement)


@get("/", operation_id="ListMyConsents")
async def my_consents(request: AnyRequest) -> ConsentList:
    """The caller's consents to third-party apps, each field with its purpose.

    Revoked ones are not listed."""
    return await consents.my_consents(claims_of(request))


@delete(
    "/{app_id:str}",
    status_code=200,
    operation_id="RevokeMyConsent",
    responses=problems({404: [Problem.CONSENT_NOT_FOUND]}),
)
async def revoke(
    request: AnyRequest,
    app_id: FromPath[AppId],
    field: Annotated[
        DataField | None,
        QueryParameter(description="The one field to revoke; left out, every field."),
    ] = None,
) -> ConsentList:
    """Revoke the caller's consent to an app reading their data: one field, or all.

    The app's reads stop at once. Revoking all unbinds the caller from the app as well:
    their openid names nobody to it until they launch it again. The app's server hears
    of both by its webhook. The answer is the consents left."""
    actor = claims_of(request)
    await consents.revoke(actor, app_id, field)
    return await consents.my_consents(actor)


@get(
    f"{APP}/versions/{{version_id:int}}/icon",
    operation_id="GetOpenAppIcon",
    media_type="image/png",
    responses=problems({404: [Problem.VERSION_NOT_FOUND]}),
)
async def icon(app_id: FromPath[AppId], version_id: FromPath[RowId]) -> Response[PngImage]:
    """The icon of an app's version out now, as its launcher tile shows it.

    A version's icon never changes, so the answer may be kept for a year."""
    return Response(
        await launch.icon_out(app_id, version_id),
        media_type="image/png",
        headers={
            "Cache-Control": "private, max-age=31536000, immutable",
            "X-Content-Type-Options": "nosniff",
        },
    )


LAUNCH_ROUTES = [entry, launch_app, icon]
consents_router = Router(
    path="/v1/me/consents", tags=["open_platform"], route_handlers=[my_consents, revoke]
)
