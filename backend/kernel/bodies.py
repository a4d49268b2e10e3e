"""Request bodies typed as they were sent. Litestar converts a body leniently (`1` and
`"true"` pass as booleans, `"3"` as a number); a route whose contract refuses that reads
its decoded body again through `strictly`."""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

from backend.kernel.codes import KernelCode
from backend.kernel.errors import BadRequest, FieldError

T = TypeVar("T")


def strictly(value: Any, type_: type[T]) -> T:
    """`value` (decoded JSON) as `type_` with no conversion between JSON types; a value of
    another type is a 400 naming its field."""
    try:
        return msgspec.convert(value, type_, strict=True)
    except msgspec.ValidationError as err:
        message, _, where = str(err).rpartition(" - at `")
        field = where.rstrip("`").removeprefix("$").removeprefix(".") if message else ""
        raise BadRequest(
            KernelCode.VALIDATION_FAILED,
            errors=[FieldError(field=field or "data", message=message or str(err))],
        ) from err
