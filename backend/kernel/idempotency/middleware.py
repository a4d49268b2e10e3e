"""The Idempotency-Key middleware, put on a route with `middleware=[idempotent]`.

The first request with a key claims it (a unique row per user and key) before it runs, so
two copies sent at once cannot both run; its answer is stored when it is not a server
error, and every repeat with the same body gets that answer back. A server error frees
the key, so the client may try again.

A route whose body carries a secret (a payment PIN) names it in its `opt` as
`idempotency_ignores`: the body is compared without it, so the record keeps no digest a
short secret could be found from by trying every value, and a repeat with another secret
answers as the first did instead of telling which was right.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import re
from typing import Any

from litestar.middleware import DefineMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from backend.kernel.claims import Claims
from backend.kernel.codes import KernelCode
from backend.kernel.errors import (
    BadRequest,
    Conflict,
    PayloadTooLarge,
    Unprocessable,
)
from backend.kernel.idempotency.store import claim, free, keep_answer
from backend.kernel.problems import answers

HEADER = b"idempotency-key"
# Visible ASCII only, as the IETF draft's sf-string allows, and as long as the column holds.
_KEY = re.compile(r"[!-~]{1,200}")


@answers(
    {
        400: [KernelCode.IDEMPOTENCY_KEY_INVALID, KernelCode.VALIDATION_FAILED],
        409: [KernelCode.IDEMPOTENCY_KEY_IN_PROGRESS],
        413: [KernelCode.BODY_TOO_LARGE],
        422: [KernelCode.IDEMPOTENCY_KEY_REUSED],
    }
)
class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        http: Any = scope  # the ASGI TypedDicts do not narrow by "type"
        key = _key(scope)
        claims = http.get("user")
        if http["type"] != "http" or key is None or not isinstance(claims, Claims):
            await self.app(scope, receive, send)
            return
        body = await _read_body(scope, receive)
        if body is None:
            return  # the client left before its request had arrived; nothing to answer
        digest = _fingerprint(body, http["route_handler"].opt.get("idempotency_ignores", ()))
        route = f"{http['method']} {http['path']}"
        if await _replayed(claims.user_id, key, route, digest, send):
            return
        captured: dict[str, Any] = {"body": b""}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured["status"] = message["status"]
                # A copy: a layer outside (compression) edits the message's headers in
                # place, and the body kept here is the one before its edits.
                captured["headers"] = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                captured["body"] += message.get("body", b"")
            await send(message)

        try:
            await self.app(scope, _replay_body(body), capture)
        finally:
            await _settle(claims.user_id, key, captured)


idempotent = DefineMiddleware(IdempotencyMiddleware)


def _fingerprint(body: bytes, ignored: tuple[str, ...]) -> str:
    """The digest a repeat's body is compared by: of the body as sent, or, when the route
    ignores some fields, of the JSON object without them (any other body as sent: the
    route refuses it anyway)."""
    if ignored:
        try:
            sent = json.loads(body)
        except (ValueError, RecursionError):
            sent = None
        if isinstance(sent, dict):
            kept = {name: value for name, value in sent.items() if name not in ignored}
            body = json.dumps(kept, sort_keys=True).encode()
    return hashlib.sha256(body).hexdigest()


def _key(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == HEADER:
            key = value.decode("latin-1").strip()
            if not _KEY.fullmatch(key):
                raise BadRequest(KernelCode.IDEMPOTENCY_KEY_INVALID)
            return key
    return None


async def _read_body(scope: Scope, receive: Receive) -> bytes | None:
    """The whole body (None if the client left first), refused with a 413 as soon as it is
    announced or seen to be larger than the route accepts: it is held in memory to be
    hashed, so it must be bounded here, before Litestar's own check of the same limit."""
    handler: Any = scope["route_handler"]  # an HTTP route handler: the scope is "http"
    limit = handler.resolve_request_max_body_size() or math.inf
    if _announced_length(scope) > limit:
        raise PayloadTooLarge(KernelCode.BODY_TOO_LARGE)
    chunks: list[bytes] = []
    size = 0
    while True:
        message: Any = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = bytes(message.get("body", b""))
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(KernelCode.BODY_TOO_LARGE)
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


def _announced_length(scope: Scope) -> int:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                raise BadRequest(KernelCode.VALIDATION_FAILED) from None
    return 0


def _replay_body(body: bytes) -> Receive:
    sent = False

    async def receive() -> Any:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def _replayed(user_id: int, key: str, route: str, digest: str, send: Send) -> bool:
    """Claim the key, or answer as its first request did: False when this request is to run."""
    first = await claim(user_id, key, route, digest)
    if first is None:
        return False
    if first["route"] != route or first["request_hash"] != digest:
        raise Unprocessable(KernelCode.IDEMPOTENCY_KEY_REUSED)
    if first["status"] is None:
        raise Conflict(KernelCode.IDEMPOTENCY_KEY_IN_PROGRESS)
    headers = [(b"content-type", first["media_type"].encode()), (b"idempotent-replayed", b"true")]
    start: Any = {"type": "http.response.start", "status": first["status"], "headers": headers}
    body: Any = {"type": "http.response.body", "body": bytes(first["body"] or b"")}
    await send(start)
    await send(body)
    return True


async def _settle(user_id: int, key: str, captured: dict[str, Any]) -> None:
    status = captured.get("status")
    if status is None or status >= 500:
        await free(user_id, key)
        return
    headers = {k.lower(): v for k, v in captured.get("headers", [])}
    media_type = headers.get(b"content-type", b"application/json").decode()
    body = captured["body"]
    if headers.get(b"content-encoding") == b"gzip":
        # A long answer leaves compressed for this request's Accept-Encoding; the replay is
        # sent as it is kept, without that header, so it is kept as the client reads it.
        body = gzip.decompress(body)
    await keep_answer(user_id, key, status, media_type, body)
