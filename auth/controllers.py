"""HTTP for login, refresh, logout, the JWKS and revocation. Thin: parse, call, shape."""

from __future__ import annotations

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT

from auth import login, sessions
from auth.admin import disable_user, enable_user, revoke_user
from auth.login import CodeSent
from auth.runtime import AuthRuntime
from auth.schemas import CodeRequest, LoginRequest, RefreshRequest, SigningKeySet
from auth.sessions import TokenPair
from backend.directory.users.service import account_for_phone
from backend.kernel.guards import claims_of, requires_role
from backend.kernel.params import RowId
from backend.kernel.requests import AnyRequest
from backend.kernel.roles import ADMIN_ROLES
from backend.kernel.services import PlatformKeys


def client_ip(request: AnyRequest) -> str:
    return request.client.host if request.client else "unknown"


class AuthController(Controller):
    path = "/v1/auth"
    tags = ["auth"]

    @post("/otp", status_code=HTTP_202_ACCEPTED, operation_id="SendLoginCode", security=[{}])
    async def send_code(
        self, request: AnyRequest, data: JSONBody[CodeRequest], auth: NamedDependency[AuthRuntime]
    ) -> CodeSent:
        """Send a one-time login code to a phone."""
        return await login.send_code(
            phone=data.phone,
            ip=client_ip(request),
            settings=auth.settings,
            vault=auth.vault,
            sms=auth.sms,
        )

    @post("/login", status_code=200, operation_id="LogIn", security=[{}])
    async def log_in(
        self, data: JSONBody[LoginRequest], auth: NamedDependency[AuthRuntime]
    ) -> TokenPair:
        """Trade a phone and its one-time code for an access and a refresh token."""
        await login.redeem_code(
            phone=data.phone, code=data.code, settings=auth.settings, vault=auth.vault
        )
        user_id = await account_for_phone(phone=data.phone, vault=auth.vault)
        return await sessions.start_session(
            user_id=user_id, tokens=auth.tokens, settings=auth.settings
        )

    @post("/refresh", status_code=200, operation_id="RefreshSession", security=[{}])
    async def refresh(
        self, data: JSONBody[RefreshRequest], auth: NamedDependency[AuthRuntime]
    ) -> TokenPair:
        """Rotate a refresh token; presenting a used one revokes the whole session."""
        return await sessions.refresh_session(
            refresh_token=data.refresh_token,
            tokens=auth.tokens,
            settings=auth.settings,
            revocations=auth.revocations,
        )

    @post("/logout", status_code=HTTP_204_NO_CONTENT, operation_id="LogOut", security=[{}])
    async def log_out(
        self, data: JSONBody[RefreshRequest], auth: NamedDependency[AuthRuntime]
    ) -> None:
        """End the session of a refresh token; its access tokens stop working at once."""
        await sessions.end_session(
            refresh_token=data.refresh_token, settings=auth.settings, revocations=auth.revocations
        )


class RevocationController(Controller):
    path = "/v1/admin/users"
    tags = ["auth"]
    guards = [requires_role(*ADMIN_ROLES)]

    @post("/{user_id:int}/revoke", status_code=HTTP_204_NO_CONTENT, operation_id="RevokeUser")
    async def revoke(
        self, request: AnyRequest, user_id: FromPath[RowId], auth: NamedDependency[AuthRuntime]
    ) -> None:
        """Refuse every token of a user now, in every process, and end their sessions."""
        await revoke_user(actor=claims_of(request), user_id=user_id, runtime=auth)

    @post("/{user_id:int}/disable", status_code=HTTP_204_NO_CONTENT, operation_id="DisableUser")
    async def disable(
        self, request: AnyRequest, user_id: FromPath[RowId], auth: NamedDependency[AuthRuntime]
    ) -> None:
        """Disable an account: its tokens stop working now, and it cannot log in or refresh."""
        await disable_user(actor=claims_of(request), user_id=user_id, runtime=auth)

    @post("/{user_id:int}/enable", status_code=HTTP_204_NO_CONTENT, operation_id="EnableUser")
    async def enable(self, request: AnyRequest, user_id: FromPath[RowId]) -> None:
        """Let a disabled account log in again."""
        await enable_user(actor=claims_of(request), user_id=user_id)


@get(
    "/.well-known/jwks.json",
    operation_id="GetSigningKeys",
    tags=["auth"],
    security=[{}],
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
    """The public keys that verify access tokens and health codes; several during rotation."""
    return Response(
        keys.jwks,
        media_type="application/json",
        headers={"Cache-Control": "public, max-age=300"},
    )
