"""Answers encoded once and sent as they are, for the hottest reads.

Litestar turns each `Response` a route returns into an ASGI response, checking and encoding
its headers, for every request. A read whose whole answer (body and headers) is known
before the request arrives, such as a launcher already rendered for its ETag, can keep
that encoding: an `EncodedAnswer` is made once, kept, and returned to every request it
fits. It is still a `Response` to Litestar, so the route keeps its documented return type,
and the layers outside the route (request ids, compression, the exception handlers) see
the same ASGI messages as from any other answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from litestar import Response
from litestar.response.base import ASGIResponse

if TYPE_CHECKING:
    from litestar import Litestar, Request
    from litestar.background_tasks import BackgroundTask, BackgroundTasks
    from litestar.datastructures import Cookie
    from litestar.enums import MediaType
    from litestar.types import Receive, Scope, Send, TypeEncodersMap

T = TypeVar("T")
_WITHOUT_BODY = frozenset({204, 304})


class _Sent(ASGIResponse):
    """The ASGI side: the same two messages for every request."""

    __slots__ = ("_encoded_headers", "_payload", "_status")

    def __init__(self, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
        # Nothing of ASGIResponse's own state is kept: `__call__` below is all it does.
        self._status = status
        self._encoded_headers = headers
        self._payload = body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Fresh messages and a fresh header list each time: the layers outside may add to
        # a message's headers (the request id), or rewrite them (compression).
        await send(
            {
                "type": "http.response.start",
                "status": self._status,
                "headers": list(self._encoded_headers),
            }
        )
        await send({"type": "http.response.body", "body": self._payload, "more_body": False})


class EncodedAnswer(Response[T]):
    """An answer with its status, headers and body encoded when made; `T` is what the body
    is the JSON of, as the route documents it."""

    __slots__ = ("_sent", "_shown")

    def __init__(
        self,
        body: bytes,
        *,
        headers: Mapping[str, str],
        status: int = 200,
        media_type: str = "application/json",
    ) -> None:
        # Response's own fields are never read: `to_asgi_response` answers `_sent`.
        if status in _WITHOUT_BODY and body:
            raise ValueError(f"a {status} answer has no body")
        self._shown = (status, dict(headers), body, media_type)
        encoded = [(name.lower().encode(), value.encode()) for name, value in headers.items()]
        if status not in _WITHOUT_BODY:
            encoded += [
                (b"content-type", media_type.encode()),
                (b"content-length", str(len(body)).encode()),
            ]
        self._sent = _Sent(status, encoded, body)

    def to_asgi_response(
        self,
        app: Litestar | None,
        request: Request[Any, Any, Any],
        *,
        background: BackgroundTask | BackgroundTasks | None = None,
        cookies: Iterable[Cookie] | None = None,
        encoded_headers: Iterable[tuple[bytes, bytes]] | None = None,
        headers: dict[str, str] | None = None,
        is_head_response: bool = False,
        media_type: MediaType | str | None = None,
        status_code: int | None = None,
        type_encoders: TypeEncodersMap | None = None,
    ) -> ASGIResponse:
        """The encoded answer; or, where the route's layers add headers, cookies or a
        background task, an ordinary one with them, so that nothing they add is lost."""
        cookies = list(cookies or ())
        if not (headers or cookies or background or is_head_response):
            return self._sent
        status, own, body, own_type = self._shown
        return ASGIResponse(
            body=body,
            status_code=status,
            headers={**(headers or {}), **own},
            cookies=cookies,
            background=background,
            media_type=own_type,
            is_head_response=is_head_response,
        )


__all__ = ["EncodedAnswer"]
