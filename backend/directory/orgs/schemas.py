from __future__ import annotations

from typing import Any

import msgspec


class OrgUnitIn(msgspec.Struct, frozen=True, kw_only=True):
    path: str
    name: str
    level: str | None = None
    polygon: dict[str, Any] | None = None


class OrgUnitView(msgspec.Struct, frozen=True, kw_only=True):
    path: str
    name: str
    level: str
    parent_path: str | None
    has_polygon: bool


class OrgUnitPage(msgspec.Struct, frozen=True):
    items: list[OrgUnitView]
    next_cursor: str | None


class ImportReport(msgspec.Struct, frozen=True):
    created: int
    updated: int
