"""What every request goes through before a handler sees it: the JSON body is checked and
decoded here, once, and text PostgreSQL cannot store is refused wherever it arrives."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import FormMultiDict
from litestar.exceptions import SerializationException

from backend.kernel.codes import KernelCode
from backend.kernel.errors import BadRequest, FieldError, UnsupportedMediaType

# The request a handler takes; its user and auth are read through the guards' helpers.
AnyRequest = Request[Any, Any, Any]

# What msgspec raises for bytes it cannot read as JSON: malformed text (DecodeError, wrapped
# by Litestar), a string that is not UTF-8 (UnicodeDecodeError) and nesting deeper than the
# interpreter's recursion limit (RecursionError). Caught only around decoding the body, so the
# same errors raised by our own code stay 500s.
_UNREADABLE = (SerializationException, UnicodeDecodeError, RecursionError)
_NUL_ESCAPE = b"\\u0000"
_NOT_TEXT = "a form part is not UTF-8 text: send a file as a part with a filename"


def is_json_media_type(content_type: str) -> bool:
    """Whether a Content-Type header names JSON: application/json or a +json type."""
    media_type = content_type.partition(";")[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


def has_nul(value: Any) -> bool:
    """Whether decoded JSON holds U+0000 in any string or key; walked without recursion, as
    the value may be nested as deep as the decoder allows."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


class JsonRequest(Request[Any, Any, Any]):
    async def json(self) -> Any:
        """The decoded JSON body; a body that is not JSON, or not labelled as JSON, is a 4xx."""
        body = await self.body()
        if body and not is_json_media_type(self.headers.get("content-type", "")):
            raise UnsupportedMediaType(KernelCode.UNSUPPORTED_MEDIA_TYPE)
        try:
            value = await super().json()
        except _UNREADABLE as err:
            raise BadRequest(KernelCode.BODY_NOT_JSON) from err
        # JSON can carry U+0000 only as the escape \u0000, so most bodies skip the walk.
        if _NUL_ESCAPE in body and has_nul(value):
            raise BadRequest(KernelCode.TEXT_HAS_NUL)
        return value

    async def form(self) -> FormMultiDict:
        """The form fields; U+0000 in a name or value is a 400, and so is a multipart part
        that is not text yet names no filename (Litestar reads such a part as text)."""
        try:
            form = await super().form()
        except UnicodeDecodeError as err:
            raise BadRequest(
                KernelCode.VALIDATION_FAILED,
                errors=[FieldError(field="body", message=_NOT_TEXT)],
            ) from err
        if any((isinstance(v, str) and "\x00" in v) or "\x00" in k for k, v in form.multi_items()):
            raise BadRequest(KernelCode.TEXT_HAS_NUL)
        return form


__all__ = ["AnyRequest", "JsonRequest", "has_nul", "is_json_media_type"]
