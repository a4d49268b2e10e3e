"""Access tokens: signed with the ring's signer, verified against every live key."""

from __future__ import annotations

import secrets
import time

import jwt
import msgspec

from auth.errors import AuthCode
from auth.keys import KeyRing
from auth.revocation import DenyList
from backend.kernel.caches import BoundedCache
from backend.kernel.claims import Claims
from backend.kernel.codes import KernelCode
from backend.kernel.errors import TokenRefused
from backend.kernel.settings import Settings

_REQUIRED = ["sub", "exp", "iat", "iss", "aud", "jti"]
_LEEWAY = 5


class Grant(msgspec.Struct, frozen=True, kw_only=True):
    """What a token will say: who, which roles over which paths, and display preferences."""

    user_id: int
    roles: list[str]
    scope: dict[str, list[str]]
    locale: str | None
    elder_mode: bool


class TokenService:
    """Issues and verifies access tokens; verified claims are cached until they expire."""

    def __init__(
        self, settings: Settings, keys: KeyRing, deny: DenyList, cache_size: int = 50_000
    ) -> None:
        self._settings = settings
        self._keys = keys
        self._deny = deny
        # First in, first out: the oldest token is the nearest its expiry; use does not delay it.
        self._cache: BoundedCache[str, Claims] = BoundedCache(cache_size, lru=False)

    def issue(
        self, grant: Grant, *, session: str | None = None, authenticated_at: int | None = None
    ) -> tuple[str, int]:
        """A signed access token for `grant`; `session` names the login it belongs to, so
        that logging out refuses this token at once without touching the user's others, and
        `authenticated_at` is when that login proved the holder (its `auth_time`)."""
        now = int(time.time())
        exp = now + self._settings.access_token_ttl
        signer = self._keys.signer
        payload = {
            "sub": str(grant.user_id),
            "iss": self._settings.issuer,
            "aud": self._settings.audience,
            "iat": now,
            "exp": exp,
            "jti": secrets.token_urlsafe(12),
            "roles": grant.roles,
            "scope": grant.scope,
            "locale": grant.locale,
            "elder_mode": grant.elder_mode,
        }
        if session is not None:
            payload["sid"] = session
        if authenticated_at is not None:
            payload["auth_time"] = authenticated_at
        token = jwt.encode(
            payload, signer.private, algorithm=signer.algorithm, headers={"kid": signer.kid}
        )
        return token, exp

    async def verify(self, token: str) -> Claims:
        """The token's claims, or TokenRefused; a forged, stale or revoked token never passes.
        A genuine token past its expiry is `token_expired`, whether or not its claims are
        cached: the client should refresh, not log in again."""
        claims = self._cache.get(token)
        if claims is None:
            claims = await self._verify_signature(token)
            self._cache.put(token, claims)
        elif claims.exp <= time.time() - _LEEWAY:
            # Verified when it was cached: only the time has changed. It stays cached, so a
            # client repeating it costs no signature check, until first-in-first-out drops it.
            raise TokenRefused(KernelCode.TOKEN_EXPIRED)
        if self._deny.refuses(claims.sub, claims.iat, claims.sid):
            raise TokenRefused(AuthCode.TOKEN_REVOKED)
        return claims

    async def _verify_signature(self, token: str) -> Claims:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.InvalidTokenError as err:
            raise TokenRefused(KernelCode.TOKEN_INVALID) from err
        key = self._keys.get(kid) if isinstance(kid, str) else None
        if key is None and isinstance(kid, str) and await self._keys.reload_if_stale():
            key = self._keys.get(kid)
        if key is None:
            raise TokenRefused(KernelCode.TOKEN_INVALID)
        try:
            payload = jwt.decode(
                token,
                key.public,
                algorithms=[key.algorithm],
                audience=self._settings.audience,
                issuer=self._settings.issuer,
                leeway=_LEEWAY,
                # Expiry is checked last, below: PyJWT checks it before the issuer and the
                # audience, and only a token that is ours in every other way has "expired".
                options={"require": _REQUIRED, "verify_exp": False},
            )
            claims = msgspec.convert(payload, Claims)
        except (jwt.InvalidTokenError, msgspec.ValidationError) as err:
            raise TokenRefused(KernelCode.TOKEN_INVALID) from err
        if claims.exp <= time.time() - _LEEWAY:
            raise TokenRefused(KernelCode.TOKEN_EXPIRED)
        return claims
