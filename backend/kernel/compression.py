"""Answers gzipped for the clients that accept it, and only for them.

The framework's compression reads every header of every request into a mapping to find
`Accept-Encoding`; most API clients do not send it. Looking for it among the raw headers
first costs each request a fraction of that; a request that asks is compressed by the
framework's own compressor, as before. Content codings are named in any case (RFC 9110).
"""

from __future__ import annotations

from litestar.config.compression import CompressionConfig
from litestar.enums import CompressionEncoding, ScopeType
from litestar.middleware.compression import CompressionMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

_ACCEPT_ENCODING = b"accept-encoding"
_GZIP = b"gzip"
COMPRESSION = CompressionConfig(backend="gzip", minimum_size=1024)


class Compressed:
    """Gzip, per `COMPRESSION`, for a request whose `Accept-Encoding` names it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.compressing = CompressionMiddleware(app, COMPRESSION)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP and _accepts_gzip(scope):
            gzipping = self.compressing.create_compression_send_wrapper(
                send=send, compression_encoding=CompressionEncoding.GZIP, scope=scope
            )
            await self.app(scope, receive, gzipping)
        else:
            await self.app(scope, receive, send)


def _accepts_gzip(scope: Scope) -> bool:
    return any(
        name == _ACCEPT_ENCODING and _GZIP in value.lower() for name, value in scope["headers"]
    )


__all__ = ["Compressed"]
