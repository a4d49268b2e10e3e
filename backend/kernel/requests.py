"""What every request goes through before a handler sees it: the JSON body is checked and
decoded here, once, and text PostgreSQL cannot store is refused wherever it arrives."""

from __future__ import annotations

import re
from typing import Any

from litestar import Request
from litestar.datastructures import FormMultiDict
from litestar.exceptions import SerializationException

from backend.kernel.codes import KernelCode
from backend.kernel.errors import BODY_ROOT, BadRequest, FieldError, UnsupportedMediaType

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
    """Whether decoded JSON holds U+0000 in any string or key."""
    return nul_at(value) is not None


def nul_at(value: Any) -> str | None:
    """Where decoded JSON holds U+0000 in a string or a key, as a path (`items[2].name`; `$`
    for the whole), or None. Walked without recursion, as the value may be nested as deep as
    the decoder allows."""
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return path or BODY_ROOT
        elif isinstance(item, dict):
            for key, inner in item.items():
                if "\x00" in key:
                    return path or BODY_ROOT
                stack.append((f"{path}.{key}" if path else key, inner))
        elif isinstance(item, list):
            stack.extend((f"{path}[{index}]", inner) for index, inner in enumerate(item))
    return None


# msgspec's words for malformed JSON: what it found, and at which byte (from 0).
_MALFORMED = re.compile(r"^JSON is malformed: (?P<what>.+) \(byte (?P<offset>\d+)\)$")


def unreadable(body: bytes, err: Exception) -> FieldError:
    """Why `body` is not JSON, and where: field `$` (the body), the byte offset when one
    byte is to blame, and msgspec's or the UTF-8 codec's words for it."""
    cause = err.__cause__ if isinstance(err, SerializationException) else err
    if isinstance(cause, RecursionError):
        return FieldError(field=BODY_ROOT, message="JSON nested too deeply")
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as bad:
        # Measured on the whole body: msgspec reports the offset within the string it read.
        return FieldError(field=BODY_ROOT, message=f"not UTF-8: {bad.reason}", offset=bad.start)
    text = str(cause)
    malformed = _MALFORMED.match(text)
    if malformed is not None:
        offset = int(malformed["offset"])
        return FieldError(field=BODY_ROOT, message=malformed["what"], offset=offset)
    if text == "Input data was truncated":
        return FieldError(field=BODY_ROOT, message="the body ends inside a value", offset=len(body))
    return FieldError(field=BODY_ROOT, message=text)


class JsonRequest(Request[Any, Any, Any]):
    async def json(self) -> Any:
        """The decoded JSON body; a body that is not JSON, or not labelled as JSON, is a 4xx."""
        body = await self.body()
        if body and not is_json_media_type(self.headers.get("content-type", "")):
            raise UnsupportedMediaType(KernelCode.UNSUPPORTED_MEDIA_TYPE)
        try:
            value = await super().json()
        except _UNREADABLE as err:
            raise BadRequest(KernelCode.BODY_NOT_JSON, errors=[unreadable(body, err)]) from err
        # JSON can carry U+0000 only as the escape \u0000, so most bodies skip the walk.
        where = nul_at(value) if _NUL_ESCAPE in body else None
        if where is not None:
            culprit = FieldError(field=where, message="holds U+0000")
            raise BadRequest(KernelCode.TEXT_HAS_NUL, errors=[culprit])
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
        for name, value in form.multi_items():
            if (isinstance(value, str) and "\x00" in value) or "\x00" in name:
                culprit = FieldError(field=name, message="holds U+0000")
                raise BadRequest(KernelCode.TEXT_HAS_NUL, errors=[culprit])
        return form


__all__ = ["AnyRequest", "JsonRequest", "has_nul", "is_json_media_type", "nul_at", "unreadable"]
