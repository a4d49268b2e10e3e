"""HTTP of the open API, called by an app's own server: its access token, and what the
token stands for."""

from __future__ import annotations

from litestar import get, post
from litestar.params import JSONBody

from backend.sdk import (
    OWN_BEARER,
    AnyRequest,
    KernelCode,
    Quota,
    fetch_rows,
    problems,
    rate_limited,
    strictly,
)
from miniapps.open_platform.errors import OpenProblem as Problem
from miniapps.open_platform.open_tokens import calling_app, issue_token
from miniapps.open_platform.schemas import CallingApp, TokenIn, TokenIssued

# An app's server proves itself by its secret or its token: no login, so the routes say
# `signed_by_sender`, and the token is the route's own to read (`OWN_BEARER`).
OPEN_TOKEN: list[dict[str, list[str]]] = [{"OpenAppToken": []}]


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


OPEN_ROUTES = [token, whose_token]
