"""Verify a scanned health code with only the JWKS and a clock: the offline procedure.

A code is `<credential>.<proof>`:

* `credential` is a compact JWS (ES256 or EdDSA, `kid` in its header) signed by the
  platform, whose payload holds the holder's pairwise subject `s`, colour `c` (g/y/r),
  masked name `n`, issue time `i` and lifetime `t` (it expires at `i + t`), status
  version `v`, and the public key `k` of the phone it was issued to (a compressed P-256
  point, base64url);
* `proof` is `<t>:<sig>`: the phone's signature, with that key, over the credential's
  signature and `t`, the signing time in base 36 seconds.

A code has one spelling only: `t` in lower-case base 36 without leading zeros (at most eight
digits), both signatures in unpadded base64url with their spare bits zero. Anything else is
`bad_format`, so that no two texts carry one scan.

A checkpoint verifies, in order: the platform signature against the JWKS (unknown kid:
`unknown_key`; any other failure: `bad_signature`), the expiry (`expired`), the phone's
proof (`bad_binding`), and that `t` lies within `FRESHNESS` seconds of its clock
(`expired`: a screenshot stops working within a minute). Keys rotate without breaking
codes in flight, since the JWKS keeps every key whose codes may still be valid.
A replay is the same holder's proof of the same second scanned again, whatever the
signature's bytes (an ECDSA signature has two valid forms): give a `Verifier` a
`ReplayMemory` to catch replays offline. Online verification adds what only the server
knows: `replayed` across processes, and `revoked`.
"""

from __future__ import annotations

import base64
import enum
import functools
import re
import time
from collections import OrderedDict
from typing import Any

import jwt
import msgspec
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from backend.sdk import BoundedCache

FRESHNESS = 60
COLOURS = {"g": "green", "y": "yellow", "r": "red"}


# The one spelling of a code: `<header>.<payload>.<seal>.<t>:<proof>`.
_B64URL = "[A-Za-z0-9_-]"
CODE = re.compile(
    rf"(?P<credential>{_B64URL}+\.{_B64URL}+\.(?P<seal>{_B64URL}+))"
    rf"\.(?P<signed>[1-9a-z][0-9a-z]{{0,7}}):(?P<proof>{_B64URL}{{86}})"
)


class Reason(enum.StrEnum):
    BAD_FORMAT = "bad_format"
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

    @property
    def replay_key(self) -> str:
        """What makes a scan the same scan: the holder and the second their phone signed."""
        return f"{self.subject}:{self.proof_time}"


class ReplayMemory:
    """The replay keys seen within the window. Keys are remembered in the order they expire,
    so forgetting is from the front and costs nothing per scan; past `cap` keys the oldest
    are forgotten early, to bound memory.

    An OrderedDict, not a dict: a plain dict leaves a hole for each key deleted from its
    front, which finding the first key then walks past, so a full memory cost each scan
    more the longer it ran (50 µs after 300,000 scans)."""

    def __init__(self, window: float = 2 * FRESHNESS, cap: int = 100_000) -> None:
        self._window = window
        self._cap = cap
        self._until: OrderedDict[str, float] = OrderedDict()

    def seen_before(self, key: str, now: float) -> bool:
        until = self._until
        while until:
            oldest = next(iter(until))
            if until[oldest] > now and len(until) < self._cap:
                break
            until.popitem(last=False)
        if key in until:
            return True
        until[key] = now + self._window
        return False

    def __len__(self) -> int:
        return len(self._until)


def b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def canonical_b64decode(text: str) -> bytes | None:
    """The bytes of `text` if it is their one spelling (unpadded base64url, spare bits zero),
    where a lenient decoder would also take padding, junk or set bits; else None."""
    try:
        raw = b64decode(text)
    except ValueError:
        return None
    return raw if b64encode(raw) == text else None


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
    not verified again (its holder shows it, with fresh proofs, for an hour); with
    `replays`, a proof seen before is `replayed`."""

    def __init__(
        self, keys: KeySet, remember: int = 0, replays: ReplayMemory | None = None
    ) -> None:
        self._keys = keys
        self._replays = replays
        # First in, first out: a credential lapses `t` seconds after issue, however often shown.
        self._verified: BoundedCache[str, dict[str, Any]] = BoundedCache(remember, lru=False)

    def verify(self, text: str, now: float | None = None) -> Verdict:
        now = time.time() if now is None else now
        parsed = CODE.fullmatch(text)
        proof = canonical_b64decode(parsed["proof"]) if parsed else None
        if parsed is None or proof is None:
            return Verdict(valid=False, reason=Reason.BAD_FORMAT)
        credential, signed_at = parsed["credential"], int(parsed["signed"], 36)
        claims = self._claims(credential, parsed["seal"])
        if isinstance(claims, Reason):
            return Verdict(valid=False, reason=claims)
        if now >= claims["i"] + claims["t"]:
            return Verdict(valid=False, reason=Reason.EXPIRED)
        if not _phone_signed(claims["k"], proof_message(credential, signed_at), proof):
            return Verdict(valid=False, reason=Reason.BAD_BINDING)
        fresh = abs(now - signed_at) <= FRESHNESS
        verdict = Verdict(
            valid=fresh,
            reason=None if fresh else Reason.EXPIRED,
            colour=COLOURS.get(claims["c"]),
            masked_name=claims["n"],
            subject=claims["s"],
            version=claims["v"],
            proof_time=signed_at,
        )
        if fresh and self._replays is not None:
            return self._unless_replayed(verdict, now)
        return verdict

    def _unless_replayed(self, verdict: Verdict, now: float) -> Verdict:
        assert self._replays is not None
        if self._replays.seen_before(verdict.replay_key, now):
            return msgspec.structs.replace(verdict, valid=False, reason=Reason.REPLAYED)
        return verdict

    def _claims(self, credential: str, seal: str) -> dict[str, Any] | Reason:
        known = self._verified.get(credential)
        if known is not None:
            return known  # its seal was checked when it was verified
        if canonical_b64decode(seal) is None:
            return Reason.BAD_FORMAT
        try:
            key = self._keys.get(jwt.get_unverified_header(credential).get("kid"))
        except jwt.PyJWTError:
            return Reason.BAD_FORMAT
        if key is None:
            return Reason.UNKNOWN_KEY
        try:
            claims = _platform_claims(credential, *key)
        except (jwt.PyJWTError, ValueError, KeyError):
            return Reason.BAD_SIGNATURE
        self._verified.put(credential, claims)
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
        or not all(isinstance(claims.get(n), str) for n in ("s", "n", "k"))
        or claims.get("c") not in COLOURS
    ):
        raise ValueError("claims")
    return claims


@functools.lru_cache(maxsize=50_000)
def _phone_key(key: str) -> ec.EllipticCurvePublicKey:
    return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64decode(key))


def _phone_signed(key: str, message: bytes, raw: bytes) -> bool:
    try:
        public = _phone_key(key)
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
