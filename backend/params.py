"""Typed request parameters whose bounds Litestar enforces (a msgspec `Meta` on a query or
path parameter is documented but not checked; `Parameter` bounds are both)."""

from __future__ import annotations

from typing import Annotated

from litestar.params import Parameter

# A row id as PostgreSQL's bigint holds it: a larger number would fail in the driver, a 500.
ROW_ID_MAX = 2**63 - 1

RowId = Annotated[int, Parameter(ge=1, le=ROW_ID_MAX, description="A row id.")]
PageLimit = Annotated[
    int, Parameter(ge=1, le=100, description="How many items a page holds, 1 to 100.")
]
CURSOR_MAX_LENGTH = 200
Cursor = Annotated[
    str,
    Parameter(
        max_length=CURSOR_MAX_LENGTH,
        description="The `next_cursor` of the previous page; absent for the first page.",
    ),
]

__all__ = ["CURSOR_MAX_LENGTH", "ROW_ID_MAX", "Cursor", "PageLimit", "RowId"]
