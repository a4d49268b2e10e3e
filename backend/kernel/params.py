"""Typed request parameters whose bounds Litestar enforces (a msgspec `Meta` on a query or
path parameter is documented but not checked; `Parameter` bounds are both)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from litestar.params import Parameter, QueryParameter

from backend.kernel.codes import KernelCode
from backend.kernel.errors import BadRequest, FieldError

# A row id as PostgreSQL's bigint holds it: a larger number would fail in the driver, a 500.
ROW_ID_MAX = 2**63 - 1

RowId = Annotated[int, Parameter(ge=1, le=ROW_ID_MAX, description="A row id.")]
PageLimit = Annotated[
    int, Parameter(ge=1, le=100, description="How many items a page holds, 1 to 100.")
]
CURSOR_MAX_LENGTH = 200
# The `cursor` query parameter of a paged list, checked by `decode_cursor` (a 400
# `cursor_invalid`); its description on the optional type as a whole, where Litestar keeps it.
PageCursor = Annotated[
    str | None,
    QueryParameter(
        description="The `next_cursor` of the previous page; left out for the first page."
    ),
]

# A row id inside a request body, where msgspec checks the bound.
BodyRowId = Annotated[int, msgspec.Meta(ge=1, le=ROW_ID_MAX)]

# In a request body msgspec checks this; a query parameter goes through `require_aware`.
AwareDatetime = Annotated[dt.datetime, msgspec.Meta(tz=True)]


def require_aware(value: dt.datetime, *, field: str) -> dt.datetime:
    """`value` if it names its zone: a naive time would be compared with UTC times and fail."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise BadRequest(
            KernelCode.DATETIME_NEEDS_TIMEZONE,
            errors=[FieldError(field=field, message="no time zone given")],
        )
    return value


__all__ = [
    "CURSOR_MAX_LENGTH",
    "ROW_ID_MAX",
    "AwareDatetime",
    "BodyRowId",
    "PageCursor",
    "PageLimit",
    "RowId",
    "require_aware",
]
