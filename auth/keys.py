"""Signing keys: one signs, every live one verifies, and the JWKS publishes them all."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import secrets
import time
from typing import Any

import msgspec
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from jwt.algorithms import ECAlgorithm, OKPAlgorithm

from auth.tables import SigningKeyRow
from backend.kernel.db import transaction
from backend.kernel.services import PlatformKeys, SigningKey
from backend.kernel.settings import Settings, SigningAlgorithm
from backend.kernel.vault import Vault

log = logging.getLogger(__name__)

PrivateKey = ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey
PublicKey = ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey

_SEAL_PURPOSE = "auth.signing-key"
# A rotated-out key keeps verifying this long past the longest token it can have signed,
# so that processes that have not yet reloaded their ring may still sign with it.
_RETIRE_GRACE = 120


def _new_private_key(algorithm: SigningAlgorithm) -> PrivateKey:
    if algorithm is SigningAlgorithm.EDDSA:
        return ed25519.Ed25519PrivateKey.generate()
    return ec.generate_private_key(ec.SECP256R1())


def _public_jwk(public: PublicKey, kid: str, algorithm: str) -> dict[str, Any]:
    if isinstance(public, ed25519.Ed25519PublicKey):
        jwk = OKPAlgorithm.to_jwk(public, as_dict=True)
    else:
        jwk = ECAlgorithm.to_jwk(public, as_dict=True)
    return {**jwk, "kid": kid, "alg": algorithm, "use": "sig"}


def _to_key(row: dict[str, Any], vault: Vault) -> SigningKey:
    pem = vault.open(row["private_sealed"], purpose=_SEAL_PURPOSE).encode()
    private = serialization.load_pem_private_key(pem, password=None)
    return SigningKey(
        kid=row["kid"],
        algorithm=row["algorithm"],
        private=private,
        public=private.public_key(),
        jwk=row["public_jwk"]
        if isinstance(row["public_jwk"], dict)
        else json.loads(row["public_jwk"]),
    )


async def create_signing_key(settings: Settings, vault: Vault) -> str:
    """Make a new key the signer; earlier signers verify until their tokens have expired."""
    algorithm = settings.signing_algorithm
    private = _new_private_key(algorithm)
    kid = f"{dt.datetime.now(dt.UTC):%Y%m%d}-{secrets.token_hex(4)}"
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    retire_after = dt.datetime.now(dt.UTC) + dt.timedelta(
        seconds=settings.access_token_ttl + _RETIRE_GRACE
    )
    async with transaction():
        await SigningKeyRow.update(
            {SigningKeyRow.signing: False, SigningKeyRow.retire_after: retire_after}
        ).where(SigningKeyRow.signing.eq(True))
        await SigningKeyRow.insert(
            SigningKeyRow(
                kid=kid,
                algorithm=str(algorithm),
                private_sealed=vault.seal(pem, purpose=_SEAL_PURPOSE),
                public_jwk=_public_jwk(private.public_key(), kid, str(algorithm)),
                signing=True,
            )
        )
    log.info("signing key %s is now the signer", kid)
    return kid


async def prune_retired_keys() -> int:
    """Delete keys whose every token has expired; returns how many went."""
    now = dt.datetime.now(dt.UTC)
    gone = (
        await SigningKeyRow.delete()
        .where(SigningKeyRow.retire_after < now)
        .returning(SigningKeyRow.kid)
    )
    return len(gone)


class KeyRing(PlatformKeys):
    """The live keys of this process, reloaded from the database now and then."""

    def __init__(self, settings: Settings, vault: Vault) -> None:
        self._settings = settings
        self._vault = vault
        self._keys: dict[str, SigningKey] = {}
        self._signer: SigningKey | None = None
        self._jwks = b'{"keys":[]}'
        self._loaded_at = 0.0
        self._lock = asyncio.Lock()

    @property
    def signer(self) -> SigningKey:
        if self._signer is None:
            raise RuntimeError("key ring not loaded")
        return self._signer

    @property
    def jwks(self) -> bytes:
        return self._jwks

    def get(self, kid: str) -> SigningKey | None:
        return self._keys.get(kid)

    async def load(self) -> None:
        """Read the live keys; make the first one when there is none."""
        async with self._lock:
            rows = await self._live_rows()
            if not any(row["signing"] for row in rows):
                await create_signing_key(self._settings, self._vault)
                rows = await self._live_rows()
            self._install(rows)

    async def reload_if_stale(self, min_interval: float = 5.0) -> bool:
        """Reload at most once per `min_interval` seconds; for an unknown `kid`."""
        if time.monotonic() - self._loaded_at < min_interval:
            return False
        await self.load()
        return True

    async def _live_rows(self) -> list[dict[str, Any]]:
        now = dt.datetime.now(dt.UTC)
        return (
            await SigningKeyRow.select()
            .where(SigningKeyRow.retire_after.is_null() | (SigningKeyRow.retire_after > now))
            .order_by(SigningKeyRow.id)
        )

    def _install(self, rows: list[dict[str, Any]]) -> None:
        keys = {row["kid"]: _to_key(row, self._vault) for row in rows}
        signers = [row["kid"] for row in rows if row["signing"]]
        self._keys = keys
        self._signer = keys[signers[-1]]
        self._jwks = msgspec.json.encode({"keys": [key.jwk for key in keys.values()]})
        self._loaded_at = time.monotonic()
