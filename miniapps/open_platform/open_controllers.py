"""HTTP of the open API, called by an app's own server: its access token, and what the
token stands for."""

from __future__ import annotations

from typing import Annotated

from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, PathParameter

from backend.sdk import (
    OWN_BEARER,
    AnyRequest,
    Enablement,
    KernelCode,
    Quota,
    Vault,
    count_against,
    fetch_rows,
    problems,
    rate_limited,
    strictly,
)
from miniapps.open_platform.errors import OpenProblem as Problem
from miniapps.open_platform.launch import profile, trade
from miniapps.open_platform.notices import addressed, send_notice
from miniapps.open_platform.open_tokens import calling_app, issue_token
from miniapps.open_platform.schemas import (
    OPENID,
    CallingApp,
    LaunchCodeIn,
    NotificationIn,
    NotificationSent,
    OpenProfile,
    OpenSession,
    TokenIn,
    TokenIssued,
)

# An app's server proves itself by its secret or its token: no login, so the routes say
# `signed_by_sender`, and the token is the route's own to read (`OWN_BEARER`).
OPEN_TOKEN: list[dict[str, list[str]]] = [{"OpenAppToken": []}]
OpenId = Annotated[
    str, PathParameter(pattern=OPENID, description="The user's openid for the calling app.")
]


@post(
    "/open/token",
    status_code=200,
    operation_id="IssueOpenApiToken",
    security=[{}],
    middleware=[rate_limited(Quota.PUBLIC)],
    opt={OWN_BEARER: True, "signed_by_sender": True},
    responses=problems({401: [Problem.CREDENTIALS_REFUSED]}),
)
async def token(request: AnyRequest, data: JSONBody[TokenIn]) -> TokenIssued:
    """Trade the app's id and secret for an open-API access token, from its server.

    Good for two hours (`expires_in`); the token before it stays good five minutes more.
    Never call this from the H5 page: the secret stays on the app's servers."""
    return await issue_token(strictly(await request.json(), TokenIn))


@get(
    "/open/app",
    operation_id="GetOpenApiCaller",
    security=OPEN_TOKEN,
    opt={OWN_BEARER: True, "signed_by_sender": True},
    middleware=[rate_limited(Quota.PUBLIC)],
    responses=problems({401: [KernelCode.UNAUTHENTICATED, Problem.TOKEN_REFUSED]}),
)
async def whose_token(request: AnyRequest) -> CallingApp:
    """The app the bearer token belongs to: a check that the token works."""
    app_id = await calling_app(request)
    [row] = await fetch_rows(
        "SELECT a.app_id, a.slug, p.name FROM open_platform_app a"
        " JOIN open_platform_publisher p ON p.id = a.publisher_id WHERE a.app_id = $1",
        app_id,
    )
    return CallingApp(app_id=row["app_id"], slug=row["slug"], publisher=row["name"])


@post(
    "/open/session",
    status_code=200,
    operation_id="TradeOpenLaunchCode",
    security=OPEN_TOKEN,
    opt={OWN_BEARER: True, "signed_by_sender": True},
    middleware=[rate_limited(Quota.PUBLIC)],
    responses=problems(
        {
            401: [KernelCode.UNAUTHENTICATED, Problem.TOKEN_REFUSED],
            403: [Problem.OFF_IN_DISTRICT],
            422: [Problem.CODE_REFUSED],
        }
    ),
)
async def session(
    request: AnyRequest,
    data: JSONBody[LaunchCodeIn],
    vault: NamedDependency[Vault],
    enablement: NamedDependency[Enablement],
) -> OpenSession:
    """Trade a launch code for who launched the app (code2Session), from its server.

    The code is good once, for five minutes, and for the app it was issued for only.
    `openid` is the user's id for this app alone, `unionid` for every app of its publisher;
    `claims` holds only the fields the user consents to now."""
    app_id = await calling_app(request)
    code = strictly(await request.json(), LaunchCodeIn)
    return await trade(app_id, code.code, vault, enablement)


@get(
    "/open/users/{openid:str}/profile",
    operation_id="ReadOpenUserProfile",
    security=OPEN_TOKEN,
    opt={OWN_BEARER: True, "signed_by_sender": True},
    middleware=[rate_limited(Quota.PUBLIC)],
    responses=problems(
        {
            401: [KernelCode.UNAUTHENTICATED, Problem.TOKEN_REFUSED],
            403: [Problem.OFF_IN_DISTRICT, Problem.PERMISSION_MISSING],
            404: [Problem.USER_NOT_FOUND],
        }
    ),
)
async def read_profile(
    request: AnyRequest,
    openid: FromPath[OpenId],
    vault: NamedDependency[Vault],
    enablement: NamedDependency[Enablement],
) -> OpenProfile:
    """Read the fields a user consents to the app reading now, from the app's server.

    The user is named by their `openid` for the app. A field they never consented to or
    revoked is left out; the app's manifest must ask for `profile.read`, and the app must
    be on in the district they last launched it in."""
    app_id = await calling_app(request)
    return await profile(app_id, openid, vault, enablement)


@post(
    "/open/users/{openid:str}/notifications",
    status_code=200,
    operation_id="SendOpenNotification",
    security=OPEN_TOKEN,
    opt={OWN_BEARER: True, "signed_by_sender": True},
    middleware=[rate_limited(Quota.PUBLIC)],
    responses=problems(
        {
            401: [KernelCode.UNAUTHENTICATED, Problem.TOKEN_REFUSED],
            403: [
                Problem.OFF_IN_DISTRICT,
                Problem.PERMISSION_MISSING,
                Problem.NOTIFY_CONSENT_MISSING,
            ],
            404: [Problem.USER_NOT_FOUND],
            422: [Problem.TEMPLATE_NOT_FOUND, Problem.TEMPLATE_VALUES_INVALID],
            429: [KernelCode.RATE_LIMITED],
        }
    ),
)
async def send_notification(
    request: AnyRequest,
    openid: FromPath[OpenId],
    data: JSONBody[NotificationIn],
    enablement: NamedDependency[Enablement],
) -> NotificationSent:
    """Send a user one of the app's notification templates, from the app's server.

    Only a template of the version the user has, reviewed with it; `values` fill in its
    placeholders, a short value on one line each. The user must consent to the app's
    notifications, and the app must be on in their district. Each app may send one user
    a few an hour (`YIMEN_RATE_OPEN_NOTICES_PER_USER`), and all its users a daily quota
    (`YIMEN_RATE_OPEN_NOTICES_PER_APP`): a 429 with `Retry-After` past either."""
    app_id = await calling_app(request)
    notice = await addressed(
        app_id, openid, strictly(await request.json(), NotificationIn), enablement
    )
    await count_against(
        request,
        (Quota.OPEN_NOTICES, f"{app_id}:{notice.user_id}"),
        (Quota.OPEN_NOTICES_DAILY, app_id),
    )
    return await send_notice(app_id, openid, notice)


OPEN_ROUTES = [token, whose_token, session, read_profile, send_notification]
