"""A resident's colour: set by officials in their area, given way to green when its validity
lapses, kept as history, and told to the resident and, for red, to their grid's workers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from backend.sdk import (
    Audience,
    Claims,
    Level,
    NotFound,
    Person,
    Role,
    Template,
    Unprocessable,
    decode_cursor,
    encode_cursor,
    level_of,
    notify,
    person,
    unit_of_work,
)
from miniapps.health_code.errors import HealthProblem
from miniapps.health_code.residents import find_resident
from miniapps.health_code.schemas import Colour, StatusIn, StatusPage, StatusView
from miniapps.health_code.tables import HealthStatus, StatusChange

LAPSED_REASON, LAPSED_SOURCE = "有效期已过", "validity"
MAX_VALIDITY = dt.timedelta(days=366)

# A colour as each locale calls it in a notice: the enum's value is for machines.
COLOUR_NAMES: dict[Colour, dict[str, str]] = {
    Colour.GREEN: {"zh-CN": "绿码", "en": "green"},
    Colour.YELLOW: {"zh-CN": "黄码", "en": "yellow"},
    Colour.RED: {"zh-CN": "红码", "en": "red"},
}
# Where a notice opens the app: the holder's own status, or the mini-app for grid workers.
STATUS_LINK = "yimen://miniapps/health_code/status"
APP_LINK = "yimen://miniapps/health_code"
RED_IN_GRID = Template(
    key="health_code.red_in_grid",
    category="health",
    titles={"zh-CN": "网格内出现红码", "en": "A red code in your grid"},
    bodies={"zh-CN": "请按规定跟进(网格 {grid})", "en": "Please follow up (grid {grid})"},
)


def status_changed(colour: Colour, *, reason: str, lapsed: bool) -> Template:
    """The notice of a new colour, named in each locale's own words; its body gives the
    official's reason, says the old colour's validity ended, or points to the app."""
    names = COLOUR_NAMES[colour]
    if lapsed:
        bodies = {"zh-CN": "原状态的有效期已过", "en": "The previous colour's validity has ended"}
    elif reason:
        bodies = {"zh-CN": "原因:{reason}", "en": "Reason: {reason}"}
    else:
        bodies = {"zh-CN": "打开健康码查看详情", "en": "Open the health code for details"}
    return Template(
        key="health_code.status_changed",
        category="health",
        titles={
            "zh-CN": f"您的健康码已转为{names['zh-CN']}",
            "en": f"Your health code is now {names['en']}",
        },
        bodies=bodies,
    )


async def set_status(*, actor: Claims, user_id: int, status: StatusIn) -> StatusView:
    """An official in scope gives a resident a colour; the resident, and for red the grid's
    workers, are told."""
    resident = await find_resident(user_id)
    home = resident.home_path
    if not home or not actor.covers(home, Role.HEALTH_OFFICIAL):
        raise NotFound(HealthProblem.HOLDER_NOT_FOUND)
    _check_validity(status.valid_until)
    async with unit_of_work():
        await apply_status(set_by=actor.user_id, resident=resident, status=status)
    return await status_of(user_id)


def _check_validity(valid_until: dt.datetime | None) -> None:
    """A validity ends in the future, within a year: a colour is not set for good by a
    typo, and a time near year 9999 cannot overflow when it is stored in UTC."""
    now = dt.datetime.now(dt.UTC)
    if valid_until is not None and valid_until <= now:
        raise Unprocessable(HealthProblem.STATUS_VALIDITY_PAST)
    if valid_until is not None and valid_until > now + MAX_VALIDITY:
        raise Unprocessable(HealthProblem.STATUS_VALIDITY_TOO_FAR)


async def apply_status(*, set_by: int, resident: Person, status: StatusIn) -> None:
    """Record a colour and its history row and tell people; inside the caller's unit of work."""
    user_id, home = resident.id, resident.home_path or ""
    values: dict[Any, Any] = {
        HealthStatus.colour: status.colour,
        HealthStatus.reason: status.reason,
        HealthStatus.source: status.source,
        HealthStatus.valid_until: status.valid_until,
        HealthStatus.set_by: set_by,
        HealthStatus.set_at: dt.datetime.now(dt.UTC),
    }
    if not await _change_status(user_id, values):
        # A first colour: of requests racing to create the row, one inserts it and the
        # others, once it is committed, change it as if it had been there.
        created = (
            await HealthStatus.insert(HealthStatus({HealthStatus.user_id: user_id, **values}))
            .on_conflict(target=HealthStatus.user_id, action="DO NOTHING")
            .returning(HealthStatus.id)
        )
        if not created:
            await _change_status(user_id, values)
    await _record(user_id, home, status, set_by)


async def _change_status(user_id: int, values: dict[Any, Any]) -> bool:
    changed = (
        await HealthStatus.update({**values, HealthStatus.version: HealthStatus.version + 1})
        .where(HealthStatus.user_id == user_id)
        .returning(HealthStatus.id)
    )
    return bool(changed)


async def end_lapsed_statuses() -> int:
    """Cron: a colour whose validity has passed gives way to green, with its history row and
    a push. The update is conditional on the version read, so of two workers running the
    cron only one ends each."""
    now = dt.datetime.now(dt.UTC)
    lapsed = await HealthStatus.select(HealthStatus.user_id, HealthStatus.version).where(
        (HealthStatus.valid_until <= now) & (HealthStatus.colour != Colour.GREEN)
    )
    green = StatusIn(colour=Colour.GREEN, reason=LAPSED_REASON, source=LAPSED_SOURCE)
    ended = 0
    for row in lapsed:
        holder = await person(row["user_id"])
        async with unit_of_work():
            changed = (
                await HealthStatus.update(
                    {
                        HealthStatus.colour: green.colour,
                        HealthStatus.reason: green.reason,
                        HealthStatus.source: green.source,
                        HealthStatus.valid_until: None,
                        HealthStatus.set_by: None,
                        HealthStatus.set_at: now,
                        HealthStatus.version: HealthStatus.version + 1,
                    }
                )
                .where(
                    (HealthStatus.user_id == row["user_id"])
                    & (HealthStatus.version == row["version"])
                )
                .returning(HealthStatus.id)
            )
            if changed:
                await _record(
                    row["user_id"],
                    (holder.home_path or "") if holder else "",
                    green,
                    None,
                    lapsed=True,
                )
                ended += 1
    return ended


async def _record(
    user_id: int, home: str, status: StatusIn, set_by: int | None, *, lapsed: bool = False
) -> None:
    await StatusChange.insert(
        StatusChange(
            user_id=user_id,
            colour=status.colour,
            reason=status.reason,
            source=status.source,
            valid_until=status.valid_until,
            set_by=set_by,
        )
    )
    await _tell(user_id, home, status, lapsed=lapsed)


async def _tell(user_id: int, home: str, status: StatusIn, *, lapsed: bool) -> None:
    await notify(
        audience=Audience.users(user_id),
        template=status_changed(status.colour, reason=status.reason, lapsed=lapsed),
        data={"reason": status.reason},
        source="health_code",
        urgent=status.colour is Colour.RED,
        collapse_key="health_code.status",
        deep_link=STATUS_LINK,
    )
    if status.colour is Colour.RED and level_of(home) is Level.GRID:
        await notify(
            audience=Audience.role_within(Role.GRID_WORKER, home),
            template=RED_IN_GRID,
            data={"grid": home},
            source="health_code",
            urgent=True,
            deep_link=APP_LINK,
        )


async def status_of(user_id: int) -> StatusView:
    row = await HealthStatus.select().where(HealthStatus.user_id == user_id).first()
    if row is None:
        return StatusView(
            user_id=user_id,
            colour=Colour.GREEN,
            reason="",
            source="default",
            valid_until=None,
            set_at=None,
        )
    return _view(user_id, row, set_at=row["set_at"])


def _view(user_id: int, row: dict[str, Any], *, set_at: dt.datetime | None) -> StatusView:
    return StatusView(
        user_id=user_id,
        colour=Colour(row["colour"]),
        reason=row["reason"],
        source=row["source"],
        valid_until=row["valid_until"],
        set_at=set_at,
    )


async def history_of(*, actor: Claims, user_id: int, cursor: str | None, limit: int) -> StatusPage:
    """Every colour a resident had, oldest first, a page at a time: for the resident and
    officials in their area."""
    resident = await find_resident(user_id)
    own = actor.user_id == user_id
    if not own and not (
        resident.home_path and actor.covers(resident.home_path, Role.HEALTH_OFFICIAL)
    ):
        raise NotFound(HealthProblem.HOLDER_NOT_FOUND)
    where: Any = StatusChange.user_id == user_id
    if cursor:
        where &= StatusChange.id > decode_cursor(cursor)
    rows = await StatusChange.select().where(where).order_by(StatusChange.id).limit(limit + 1)
    more = len(rows) > limit
    return StatusPage(
        items=[_view(user_id, r, set_at=r["at"]) for r in rows[:limit]],
        next_cursor=encode_cursor(rows[limit - 1]["id"]) if more else None,
    )
