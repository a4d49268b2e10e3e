"""The names of FCM topics: one per org unit, one per locale."""

from __future__ import annotations

from backend.kernel.paths import level_of


def unit_topic(path: str) -> str:
    """`grid.zz.gx.fengyang.c03.g07`, `district.zz.gx`: FCM topic names allow no slash."""
    return f"{level_of(path)}.{path.replace('/', '.')}"


def locale_topic(locale: str) -> str:
    return f"locale.{locale}"
