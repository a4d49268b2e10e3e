"""HTTP for login, refresh, logout, the JWKS and revocation. Thin: parse, call, shape."""

from __future__ import annotations

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT

from auth import login, sessions
from auth.admin import disable_user, enable_user, revoke_user
from auth.code_delivery import PROBLEMS, CodeDelivery, delivery_status
from auth.errors import AuthCode
from auth.login import CodeSent
from auth.runtime import AuthRuntime
from auth.schemas import CodeRequest, CodeRequestKey, LoginRequest, RefreshRequest, SigningKeySet
from auth.sessions import TokenPair
from backend.directory.errors import DirectoryCode
from backend.directory.users.service import account_for_phone
from backend.kernel.codes import KernelCode
from backend.kernel.guards import claims_of, requires_role
from backend.kernel.params import RowId
from backend.kernel.problems import problems
from backend.kernel.ratelimit import Quota, RateLimiter, client_address, trusted_networks
from backend.kernel.ratelimit.middleware import rate_limited
from backend.kernel.requests import AnyRequest
from backend.kernel.roles import ADMIN_ROLES
from backend.kernel.services import PlatformKeys
from backend.kernel.settings import Settings


def client_ip(request: AnyRequest, settings: Settings) -> str:
    """The caller's address, as the per-address limits count it."""
    return client_address(request.scope, trusted_networks(settings.trusted_proxies))


# What a refresh token presented to refresh can be.
REFRESH_REFUSED = [AuthCode.REFRESH_INVALID, AuthCode.SESSION_ENDED, AuthCode.REFRESH_REUSED]
# What an admin acting on an account can be refused: themself, or someone they do not
# administer (not found, so that their existence is not revealed).
ADMINISTERED = {403: [DirectoryCode.OWN_ACCOUNT], 404: [DirectoryCode.USER_NOT_FOUND]}


class AuthController(Controller):
    path = "/v1/auth"
    tags = ["auth"]

    @post(
        "/otp",
        status_code=HTTP_202_ACCEPTED,
        operation_id="SendLoginCode",
        security=[{}],
        responses=problems(
            {
                429: [AuthCode.OTP_TOO_SOON, AuthCode.OTP_PHONE_LIMIT, AuthCode.OTP_IP_LIMIT],
            }
        ),
    )
    async def send_code(
        self,
        request: AnyRequest,
        data: JSONBody[CodeRequest],
        auth: NamedDependency[AuthRuntime],
        limiter: NamedDependency[RateLimiter],
    ) -> CodeSent:
        """Send a one-time login code to a phone by SMS.

        The text goes out after the answer: `request_id` asks how it went. A phone gets a
        new code only after a short wait, and a few an hour; an address a few more. A 429
        says, in `Retry-After`, how many seconds to wait. Any phone may ask: logging in
        with the code opens its account."""
        return await login.send_code(
            phone=data.phone,
            ip=client_ip(request, auth.settings),
            settings=auth.settings,
            vault=auth.vault,
            limiter=limiter,
        )

    @get(
        "/otp/{request_id:str}",
        operation_id="GetLoginCodeDelivery",
        security=[{}],
        middleware=[rate_limited(Quota.PUBLIC)],
        responses=problems({404: [AuthCode.OTP_REQUEST_UNKNOWN]}),
    )
    async def code_delivery(self, request_id: FromPath[CodeRequestKey]) -> CodeDelivery:
        """How the text of a code request is going.

        `queued`, `retrying` (the SMS vendor was busy), `sent`, or `failed` with the
        `problem` a login with it would answer:
        `sms_bad_number` (the phone cannot receive texts: check the number),
        `sms_throttled` (too many texts to this phone for now), `sms_template_rejected` or
        `sms_failed` (the service could not send it: ask again later)."""
        return await delivery_status(request_key=request_id)

    @post(
        "/login",
        status_code=200,
        operation_id="LogIn",
        security=[{}],
        responses=problems(
            {
                401: [AuthCode.OTP_INVALID],
                403: [AuthCode.ACCOUNT_DISABLED],
                422: list(PROBLEMS.values()),
                429: [AuthCode.OTP_LOCKED, KernelCode.RATE_LIMITED],
            }
        ),
    )
    async def log_in(
        self,
        request: AnyRequest,
        data: JSONBody[LoginRequest],
        auth: NamedDependency[AuthRuntime],
        limiter: NamedDependency[RateLimiter],
    ) -> TokenPair:
        """Trade a phone and its one-time code for an access and a refresh token.

        A code logs in once, and a few wrong guesses lock it; a phone and an address may
        try only so often (429 `rate_limited`, with `Retry-After`). A phone new to Yimen
        gets a resident's account. A code whose text could not be delivered answers 422
        with why (`sms_bad_number`, …)."""
        await login.redeem_code(
            phone=data.phone,
            code=data.code,
            ip=client_ip(request, auth.settings),
            settings=auth.settings,
            vault=auth.vault,
            limiter=limiter,
        )
        user_id = await account_for_phone(phone=data.phone, vault=auth.vault)
        return await sessions.start_session(
            user_id=user_id, tokens=auth.tokens, settings=auth.settings
        )

    @post(
        "/refresh",
        status_code=200,
        operation_id="RefreshSession",
        security=[{}],
        middleware=[rate_limited(Quota.PUBLIC)],
        responses=problems({401: REFRESH_REFUSED, 403: [AuthCode.ACCOUNT_DISABLED]}),
    )
    async def refresh(
        self, data: JSONBody[RefreshRequest], auth: NamedDependency[AuthRuntime]
    ) -> TokenPair:
        """Trade a refresh token for a new access and refresh token.

        Each refresh token works once: presenting one already used ends the whole session
        (`refresh_reused`), since it may have been stolen. Roles changed since the last
        refresh take effect in the new access token."""
        return await sessions.refresh_session(
            refresh_token=data.refresh_token,
            tokens=auth.tokens,
            settings=auth.settings,
            revocations=auth.revocations,
        )

    @post(
        "/logout",
        status_code=HTTP_204_NO_CONTENT,
        operation_id="LogOut",
        security=[{}],
        middleware=[rate_limited(Quota.PUBLIC)],
    )
    async def log_out(
        self, data: JSONBody[RefreshRequest], auth: NamedDependency[AuthRuntime]
    ) -> None:
        """End the session of a refresh token.

        Its access tokens stop working at once, in every process; the user's other sessions
        go on. An unknown token is ignored."""
        await sessions.end_session(
            refresh_token=data.refresh_token, settings=auth.settings, revocations=auth.revocations
        )


class RevocationController(Controller):
    path = "/v1/admin/users"
    tags = ["auth"]
    guards = [requires_role(*ADMIN_ROLES)]

    @post(
        "/{user_id:int}/revoke",
        status_code=HTTP_204_NO_CONTENT,
        operation_id="RevokeUser",
        responses=problems(ADMINISTERED),
    )
    async def revoke(
        self, request: AnyRequest, user_id: FromPath[RowId], auth: NamedDependency[AuthRuntime]
    ) -> None:
        """Refuse every token of a user now, and end their sessions.

        In every process at once. They may log in again; to keep them out, disable the
        account. For admins above every role the user holds."""
        await revoke_user(actor=claims_of(request), user_id=user_id, runtime=auth)

    @post(
        "/{user_id:int}/disable",
        status_code=HTTP_204_NO_CONTENT,
        operation_id="DisableUser",
        responses=problems(ADMINISTERED),
    )
    async def disable(
        self, request: AnyRequest, user_id: FromPath[RowId], auth: NamedDependency[AuthRuntime]
    ) -> None:
        """Disable an account.

        Its tokens stop working now, and it can neither log in nor refresh until it is
        enabled again."""
        await disable_user(actor=claims_of(request), user_id=user_id, runtime=auth)

    @post(
        "/{user_id:int}/enable",
        status_code=HTTP_204_NO_CONTENT,
        operation_id="EnableUser",
        responses=problems(ADMINISTERED),
    )
    async def enable(self, request: AnyRequest, user_id: FromPath[RowId]) -> None:
        """Let a disabled account log in again."""
        await enable_user(actor=claims_of(request), user_id=user_id)


@get(
    "/.well-known/jwks.json",
    operation_id="GetSigningKeys",
    tags=["auth"],
    security=[{}],
    middleware=[rate_limited(Quota.PUBLIC)],
    media_type="application/json",
    cache_control=None,
    responses={
        200: ResponseSpec(
            data_container=SigningKeySet,
            description="The JWK Set (RFC 7517).",
            generate_examples=False,  # made up at random, they would change on every build
        )
    },
)
async def jwks(keys: NamedDependency[PlatformKeys]) -> Response[bytes]:
    """The public keys that verify access tokens and health codes.

    A JWK Set (RFC 7517); a token's `kid` names its key. During a rotation it holds more
    than one key. Cache it for five minutes."""
    return Response(
        keys.jwks,
        media_type="application/json",
        headers={"Cache-Control": "public, max-age=300"},
    )
