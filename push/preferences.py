"""Quiet hours and category opt-outs; urgent notifications pass through both."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from backend.kernel.db import fetch_rows, json_value, placeholders
from push.schemas import Preferences, QuietHours
from push.tables import Preference


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def is_quiet(row: Mapping[str, Any] | None, now: dt.datetime) -> bool:
    """Whether `now` falls in the user's quiet hours, which may span midnight."""
    if row is None or row["quiet_start"] is None or row["quiet_end"] is None:
        return False
    local = now.astimezone(ZoneInfo(row["timezone"]))
    minute = local.hour * 60 + local.minute
    start, end = row["quiet_start"], row["quiet_end"]
    return bool(start <= minute < end if start <= end else minute >= start or minute < end)


def is_muted(row: Mapping[str, Any] | None, category: str) -> bool:
    return row is not None and category in _muted(row)


def _muted(row: Mapping[str, Any]) -> list[str]:
    return list(json_value(row["muted_categories"]))


async def preferences_of(user_id: int) -> Preferences:
    row = await Preference.select().where(Preference.user_id == user_id).first()
    return Preferences() if row is None else _view(row)


async def set_preferences(user_id: int, preferences: Preferences) -> Preferences:
    """Set a user's preferences in one statement: a read-then-insert let two first-time
    writes both insert, and the loser broke the unique index with a 500."""
    quiet = preferences.quiet_hours
    values: dict[Any, Any] = {
        Preference.quiet_start: _minutes(quiet.start) if quiet else None,
        Preference.quiet_end: _minutes(quiet.end) if quiet else None,
        Preference.muted_categories: sorted(set(preferences.muted_categories)),
    }
    rows = (
        await Preference.insert(Preference({Preference.user_id: user_id, **values}))
        .on_conflict(target=Preference.user_id, action="DO UPDATE", values=list(values))
        .returning(*Preference.all_columns())
    )
    return _view(rows[0])


def _view(row: dict[str, Any]) -> Preferences:
    quiet = None
    if row["quiet_start"] is not None and row["quiet_end"] is not None:
        quiet = QuietHours(start=_hhmm(row["quiet_start"]), end=_hhmm(row["quiet_end"]))
    return Preferences(quiet_hours=quiet, muted_categories=_muted(row))


async def preferences_for(user_ids: list[int]) -> dict[int, Mapping[str, Any]]:
    """The preferences of those in `user_ids` who set any, by user id."""
    if not user_ids:
        return {}
    rows = await fetch_rows(
        f"SELECT user_id, quiet_start, quiet_end, timezone, muted_categories "  # noqa: S608
        f"FROM {Preference._meta.tablename} "
        f"WHERE user_id IN ({placeholders(1, len(user_ids))})",
        *user_ids,
    )
    return {row["user_id"]: row for row in rows}
