"""Requests signed by their sender rather than made by a logged-in user: a sensor, a bank
channel. The sender signs `<timestamp>.<body>` with HMAC-SHA256 under a key both sides hold,
and sends the timestamp (Unix seconds) and the hex signature beside the body."""

from __future__ import annotations

import hashlib
import hmac
import time

from backend.kernel.codes import KernelCode
from backend.kernel.errors import UnsupportedMediaType


def body_signature(key: bytes, timestamp: str, body: bytes) -> str:
    """The hex HMAC-SHA256 of `<timestamp>.<body>` under `key`."""
    return hmac.new(key, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def signed_recently(
    key: bytes, *, timestamp: str, signed: str, body: bytes, window: int, now: float | None = None
) -> bool:
    """Whether the holder of `key` signed `body` at `timestamp`, within `window` seconds
    of our clock either way. A timestamp that is no plain number is not."""
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        return False
    moment = time.time() if now is None else now
    if abs(moment - int(timestamp)) > window:
        return False
    return hmac.compare_digest(body_signature(key, timestamp, body), signed)


def require_json(content_type: str | None) -> None:
    """A signed body is JSON: a sender that names no type is taken at its word, one that
    names another type is sending something else (415)."""
    kind = (content_type or "application/json").split(";")[0].strip().lower()
    if kind != "application/json":
        raise UnsupportedMediaType(KernelCode.UNSUPPORTED_MEDIA_TYPE)
