"""Verify a scanned health code with only the JWKS and a clock: the offline procedure.

A code is `<credential>.<proof>`:

* `credential` is a compact JWS (ES256 or EdDSA, `kid` in its header) signed by the
  platform, whose payload holds the holder's pairwise subject `s`, colour `c` (g/y/r),
  masked name `n`, issue time `i` and lifetime `t` (it expires at `i + t`), status
  version `v`, and the public key `k` of the phone it was issued to (a compressed P-256
  point, base64url);
* `proof` is `<t>:<sig>`: the phone's signature, with that key, over the credential's
  signature and `t`, the signing time in base 36 seconds.

A checkpoint verifies, in order: the platform signature against the JWKS (unknown kid:
`unknown_key`; any other failure: `bad_signature`), the expiry (`expired`), the phone's
proof (`bad_binding`), and that `t` lies within `FRESHNESS` seconds of its clock
(`expired`: a screenshot stops working within a minute). Keys rotate without breaking
codes in flight, since the JWKS keeps every key whose codes may still be valid.
Online verification adds what only the server knows: `replayed` and `revoked`.
"""

from __future__ import annotations

import base64
import enum
import functools
import time
from collections import OrderedDict
from typing import Any

import jwt
import msgspec
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

FRESHNESS = 60
COLOURS = {"g": "green", "y": "yellow", "r": "red"}


class Reason(enum.StrEnum):
    MALFORMED = "malformed"
    UNKNOWN_KEY = "unknown_key"
    BAD_SIGNATURE = "bad_signature"
    EXPIRED = "expired"
    BAD_BINDING = "bad_binding"
    REPLAYED = "replayed"
    REVOKED = "revoked"


class Verdict(msgspec.Struct, frozen=True, kw_only=True):
    valid: bool
    reason: Reason | None = None
    colour: str | None = None
    masked_name: str | None = None
    subject: str | None = None
    version: int | None = None
    proof_time: int | None = None


def b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def proof_message(credential: str, signed_at: int) -> bytes:
    return f"{credential.rsplit('.', 1)[1]}.{signed_at}".encode()


class KeySet:
    """A JWKS, parsed once."""

    def __init__(self, jwks: dict[str, Any]) -> None:
        self._keys = {
            str(k["kid"]): (jwt.PyJWK(k), str(k.get("alg", "ES256")))
            for k in jwks.get("keys", [])
            if "kid" in k
        }

    def get(self, kid: object) -> tuple[jwt.PyJWK, str] | None:
        return self._keys.get(kid) if isinstance(kid, str) else None


class Verifier:
    """Verifies codes against one key set; with `remember`, a credential verified once is
    not verified again (its holder shows it, with fresh proofs, for an hour)."""

    def __init__(self, keys: KeySet, remember: int = 0) -> None:
        self._keys = keys
        self._remember = remember
        self._verified: OrderedDict[str, dict[str, Any]] = OrderedDict()

    def verify(self, text: str, now: float | None = None) -> Verdict:
        now = time.time() if now is None else now
        try:
            credential, proof = text.rsplit(".", 1)
            signed_in_base36, proof_sig = proof.split(":", 1)
            signed_at = int(signed_in_base36, 36)
        except ValueError:
            return Verdict(valid=False, reason=Reason.MALFORMED)
        claims = self._claims(credential)
        if isinstance(claims, Reason):
            return Verdict(valid=False, reason=claims)
        if now >= claims["i"] + claims["t"]:
            return Verdict(valid=False, reason=Reason.EXPIRED)
        if not _phone_signed(claims["k"], proof_message(credential, signed_at), proof_sig):
            return Verdict(valid=False, reason=Reason.BAD_BINDING)
        fresh = abs(now - signed_at) <= FRESHNESS
        return Verdict(
            valid=fresh,
            reason=None if fresh else Reason.EXPIRED,
            colour=COLOURS.get(claims["c"]),
            masked_name=claims["n"],
            subject=claims["s"],
            version=claims["v"],
            proof_time=signed_at,
        )

    def _claims(self, credential: str) -> dict[str, Any] | Reason:
        known = self._verified.get(credential)
        if known is not None:
            return known
        try:
            key = self._keys.get(jwt.get_unverified_header(credential).get("kid"))
        except jwt.PyJWTError:
            return Reason.MALFORMED
        if key is None:
            return Reason.UNKNOWN_KEY
        try:
            claims = _platform_claims(credential, *key)
        except (jwt.PyJWTError, ValueError, KeyError):
            return Reason.BAD_SIGNATURE
        if self._remember:
            self._verified[credential] = claims
            if len(self._verified) > self._remember:
                self._verified.popitem(last=False)
        return claims


def verify(text: str, jwks: dict[str, Any], now: float | None = None) -> Verdict:
    """The verdict on one scanned code, from the JWKS and the clock alone."""
    return Verifier(KeySet(jwks)).verify(text, now)


def _platform_claims(credential: str, key: jwt.PyJWK, algorithm: str) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(
        credential, key, algorithms=[algorithm], options={"verify_exp": False}
    )
    if (
        not all(isinstance(claims.get(n), int) for n in ("i", "t", "v"))
        or claims["c"] not in COLOURS
    ):
        raise ValueError("claims")
    return claims


@functools.lru_cache(maxsize=50_000)
def _phone_key(key: str) -> ec.EllipticCurvePublicKey:
    return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64decode(key))


def _phone_signed(key: str, message: bytes, signature: str) -> bool:
    try:
        public = _phone_key(key)
        raw = b64decode(signature)
        der = _der(raw)
        public.verify(der, message, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError):
        return False
    return True


def _der(raw: bytes) -> bytes:
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    if len(raw) != 64:
        raise ValueError("signature length")
    return encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
