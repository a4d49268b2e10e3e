"""HTTP for the launcher and for switching mini-apps on and off."""

from __future__ import annotations

from typing import Annotated

from litestar import Response, get, put
from litestar.di import NamedDependency
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromQuery, JSONBody, PathParameter, QueryParameter

from backend.kernel.caches import BoundedCache
from backend.kernel.codes import KernelCode
from backend.kernel.contract import HOST_APP_ID, Section, Tile
from backend.kernel.enablement.service import (
    AppState,
    AppStatePage,
    Enablement,
    SwitchChange,
    list_states,
    switch,
)
from backend.kernel.encoded import EncodedAnswer
from backend.kernel.guards import claims_of, requires_role
from backend.kernel.i18n import negotiate
from backend.kernel.pagination import PageCursor, PageLimit
from backend.kernel.problems import problems
from backend.kernel.requests import AnyRequest
from backend.kernel.roles import Role
from backend.kernel.services import Services
from backend.launcher import LOCALES, Launcher, LauncherView

# What a launcher depends on besides the URL: the token, and the header a profile with no
# locale leaves the choice to.
_VARY = "Authorization, Accept-Language"


def launcher_route(launcher: Launcher) -> HTTPRouteHandler:
    """GET /v1/launcher for this app's launcher. Bound when the app is built rather than
    injected: it is the hottest read, and injection cost it a twentieth of its time."""

    @get("/v1/launcher", operation_id="GetLauncher", tags=["launcher"])
    async def get_launcher(
        request: AnyRequest,
        elder: Annotated[
            bool | None,
            QueryParameter(description="Elder mode (large tiles); the profile's when left out."),
        ] = None,
        locale: Annotated[
            str | None,
            QueryParameter(
                description="zh-CN or en; the profile's, or zh-CN, when left out or unknown."
            ),
        ] = None,
    ) -> Response[LauncherView]:
        """The caller's sections and tiles.

        The tiles of the mini-apps switched on where the caller is, for the roles they hold,
        with badge counts; in elder mode when asked, and in the locale asked for, else the one
        their profile chose, else the best for `Accept-Language`. It carries an `ETag`: send
        it back as `If-None-Match` to get a 304 while nothing changed."""
        claims = claims_of(request)
        accept_language, if_none_match = _launcher_headers(request)
        if locale not in LOCALES:
            locale = claims.locale if claims.locale in LOCALES else None
        body, etag = await launcher.render(
            claims,
            locale=locale or negotiate(accept_language),
            elder=claims.elder_mode if elder is None else elder,
        )
        pair = answers.get(etag)
        if pair is None:
            pair = _answers(body, etag)
            answers.put(etag, pair)
        fresh, unchanged = pair
        return unchanged if etag in if_none_match else fresh

    # Least recently used, and never stale: an ETag names one body. Each launcher shown is
    # encoded once, headers and all, rather than on every request.
    answers: BoundedCache[str, tuple[EncodedAnswer[LauncherView], EncodedAnswer[LauncherView]]] = (
        BoundedCache(10_000, lru=True)
    )
    return get_launcher


def _answers(
    body: bytes, etag: str
) -> tuple[EncodedAnswer[LauncherView], EncodedAnswer[LauncherView]]:
    """The launcher `body` as a 200, and as the 304 for a client that holds it."""
    headers = {"ETag": etag, "Cache-Control": "private, no-cache", "Vary": _VARY}
    return EncodedAnswer(body, headers=headers), EncodedAnswer(b"", headers=headers, status=304)


def _launcher_headers(request: AnyRequest) -> tuple[str | None, str]:
    """Accept-Language and If-None-Match, read in one pass over the raw headers."""
    accept_language: str | None = None
    if_none_match = ""
    for name, value in request.scope["headers"]:
        if name == b"accept-language":
            accept_language = value.decode("latin-1")
        elif name == b"if-none-match":
            if_none_match += value.decode("latin-1")
    return accept_language, if_none_match


# Who runs the mini-app console: the platform city-wide, a district admin in their district.
CONSOLE_ROLES = (Role.PLATFORM_ADMIN, Role.DISTRICT_ADMIN)


@get(
    "/v1/admin/miniapps",
    operation_id="ListMiniApps",
    tags=["launcher"],
    guards=[requires_role(*CONSOLE_ROLES)],
)
async def list_miniapps(
    enablement: NamedDependency[Enablement],
    cursor: PageCursor = None,
    limit: FromQuery[PageLimit] = 50,
) -> AppStatePage:
    """Every installed mini-app by id, and where it is switched on and off.

    For platform and district admins, a page at a time; the next page is the one after
    `next_cursor`."""
    return list_states(enablement, cursor=cursor, limit=limit)


@put(
    "/v1/admin/miniapps/{app_id:str}/switch",
    operation_id="SwitchMiniApp",
    tags=["launcher"],
    guards=[requires_role(*CONSOLE_ROLES)],
    responses=problems(
        {
            403: [KernelCode.FORBIDDEN, KernelCode.DISTRICT_INVALID, KernelCode.SCOPE_NOT_ALLOWED],
            404: [KernelCode.MINIAPP_UNKNOWN],
        }
    ),
)
async def switch_miniapp(
    request: AnyRequest,
    app_id: Annotated[str, PathParameter(description="The mini-app's id, e.g. grid_events.")],
    data: JSONBody[SwitchChange],
    services: NamedDependency[Services],
) -> AppState:
    """Switch a mini-app on or off, city-wide or within one district.

    Only a platform admin switches city-wide; a district admin, within a district they
    hold. Where an app is off, its tiles are gone and its routes answer 404. Answers where
    the app is on and off now."""
    return await switch(
        actor=claims_of(request),
        app_id=app_id,
        change=data,
        enablement=services.enablement,
        registry=services.registry,
    )


ADMIN_ROUTES = [list_miniapps, switch_miniapp]

# The launcher's way to the routes above, for those they answer.
CONSOLE = Tile(
    id="miniapps",
    titles={"zh-CN": "应用管理", "en": "Mini-apps"},
    icon="apps",
    target=f"native:{HOST_APP_ID}/miniapps",
    roles=frozenset(CONSOLE_ROLES),
    section=Section.ADMIN,
)
HOST_TILES = [CONSOLE]
