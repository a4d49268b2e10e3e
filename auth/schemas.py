from __future__ import annotations

from typing import Annotated

import msgspec
from litestar.params import Parameter

from backend.directory.users.schemas import Phone

OneTimeCodeText = Annotated[str, msgspec.Meta(pattern=r"^\d{6}$")]
# secrets.token_urlsafe(16): 22 characters of the URL-safe alphabet.
CodeRequestKey = Annotated[
    str,
    Parameter(
        pattern=r"^[A-Za-z0-9_-]{22}$", description="The `request_id` a code request answered."
    ),
]
RefreshTokenText = Annotated[str, msgspec.Meta(min_length=16, max_length=128)]


class CodeRequest(msgspec.Struct, frozen=True):
    phone: Phone


class LoginRequest(msgspec.Struct, frozen=True):
    phone: Phone
    code: OneTimeCodeText


class RefreshRequest(msgspec.Struct, frozen=True):
    refresh_token: RefreshTokenText


class PublicSigningKey(msgspec.Struct, frozen=True, omit_defaults=True):
    """One public key as an RFC 7517 JWK: EC P-256 (`x`, `y`) or Ed25519 (`x` only)."""

    kty: str
    crv: str
    x: str
    kid: str
    alg: str
    use: str
    y: str | None = None


class SigningKeySet(msgspec.Struct, frozen=True):
    """The JWK Set at `/.well-known/jwks.json`: every key that may still verify a token."""

    keys: list[PublicSigningKey]
