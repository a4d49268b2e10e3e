"""Materialized org paths such as `zz/gx/fengyang/c03/g07`: "is inside" is a prefix test."""

from __future__ import annotations

import enum
import re

SEGMENT = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")


class Level(enum.StrEnum):
    CITY = "city"
    DISTRICT = "district"
    STREET = "street"  # 街道/办事处
    COMMUNITY = "community"  # 社区
    GRID = "grid"  # 网格


LEVELS = list(Level)


def is_within(path: str, ancestor: str) -> bool:
    """True when `path` is `ancestor` or lies below it; segment-aware, so c1 is not in c10."""
    return path == ancestor or path.startswith(ancestor + "/")


def depth(path: str) -> int:
    return path.count("/") + 1


def level_of(path: str) -> Level:
    return LEVELS[depth(path) - 1]


def parent_of(path: str) -> str | None:
    head, sep, _ = path.rpartition("/")
    return head if sep else None


def ancestors(path: str) -> list[str]:
    """Every path from the city down to `path` itself."""
    parts = path.split("/")
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def district_of(path: str) -> str | None:
    parts = path.split("/")
    return "/".join(parts[:2]) if len(parts) >= 2 else None


def is_valid(path: str) -> bool:
    parts = path.split("/")
    return 1 <= len(parts) <= len(LEVELS) and all(SEGMENT.match(p) for p in parts)
