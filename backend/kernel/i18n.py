"""The two locales Yimen speaks, and how a request picks one."""

from __future__ import annotations

import enum
import functools


class Locale(enum.StrEnum):
    ZH_CN = "zh-CN"
    EN = "en"


DEFAULT_LOCALE = Locale.ZH_CN


# A phone sends the same header on every request, and the launcher asks on each one: parsing
# it each time cost the launcher nearly a tenth of its time. Bounded: varied headers only evict.
@functools.lru_cache(maxsize=256)
def negotiate(accept_language: str | None) -> Locale:
    """The best of our locales for an Accept-Language header, by q-value then order."""
    best: tuple[float, Locale] | None = None
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        locale = _match(tag.strip().lower())
        if locale is None:
            continue
        weight = _quality(params)
        if best is None or weight > best[0]:
            best = (weight, locale)
    return best[1] if best and best[0] > 0 else DEFAULT_LOCALE


def _match(tag: str) -> Locale | None:
    if tag.startswith("zh"):
        return Locale.ZH_CN
    if tag.startswith("en"):
        return Locale.EN
    return None


def _quality(params: str) -> float:
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0
