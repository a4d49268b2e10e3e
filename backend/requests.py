"""The request class of the app: a JSON body is checked and decoded here, once, for every route."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import SerializationException

from backend.errors import BadRequest, UnsupportedMediaType, register_messages

register_messages(
    {
        "body_not_json": (
            "请求内容不是有效的 JSON(UTF-8 编码,嵌套不超过几百层)",
            "The body is not valid JSON (UTF-8, nested at most a few hundred levels)",
        ),
    }
)

# What msgspec raises for bytes it cannot read as JSON: malformed text (DecodeError, wrapped
# by Litestar), a string that is not UTF-8 (UnicodeDecodeError) and nesting deeper than the
# interpreter's recursion limit (RecursionError). Caught only around decoding the body, so the
# same errors raised by our own code stay 500s.
_UNREADABLE = (SerializationException, UnicodeDecodeError, RecursionError)


def is_json_media_type(content_type: str) -> bool:
    """Whether a Content-Type header names JSON: application/json or a +json type."""
    media_type = content_type.partition(";")[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


class JsonRequest(Request[Any, Any, Any]):
    async def json(self) -> Any:
        """The decoded JSON body; a body that is not JSON, or not labelled as JSON, is a 4xx."""
        body = await self.body()
        if body and not is_json_media_type(self.headers.get("content-type", "")):
            raise UnsupportedMediaType("unsupported_media_type")
        try:
            return await super().json()
        except _UNREADABLE as err:
            raise BadRequest("body_not_json") from err


__all__ = ["JsonRequest", "is_json_media_type"]
