"""An elder's government care allowance (养老服务补贴): a monthly amount, set by the admins
over the elder's grid, spent first on the services the elder books. What a month leaves
unspent does not carry over: the new month starts with the monthly amount, when it is
first used or read."""

from __future__ import annotations

import datetime as dt

from backend.sdk import Claims, Forbidden, fetch_rows, unit_of_work
from miniapps.elderly_care.checkins import CITY_TIME
from miniapps.elderly_care.elders import Seen
from miniapps.elderly_care.errors import CareProblem
from miniapps.elderly_care.rules import COMMUNITY_ADMINS
from miniapps.elderly_care.runtime import CareRuntime
from miniapps.elderly_care.service_schemas import SubsidyIn, SubsidyView


def month_of(at: dt.datetime) -> str:
    return at.astimezone(CITY_TIME).strftime("%Y-%m")


async def _rolled(elder_id: int, month: str) -> tuple[int, int] | None:
    """The allowance's (monthly, balance) as of `month`, starting it afresh if it is new;
    the row stays locked to the end of the caller's transaction."""
    rows = await fetch_rows(
        "UPDATE elderly_care_subsidy SET balance_fen = CASE WHEN month = $2 THEN balance_fen"
        " ELSE monthly_fen END, month = $2 WHERE elder_id = $1 RETURNING monthly_fen, balance_fen",
        elder_id,
        month,
    )
    return (int(rows[0]["monthly_fen"]), int(rows[0]["balance_fen"])) if rows else None


async def subsidy_of(seen: Seen, care: CareRuntime) -> SubsidyView:
    month = month_of(care.clock())
    monthly, balance = await _rolled(seen.id, month) or (0, 0)
    return SubsidyView(elder_id=seen.id, monthly_fen=monthly, balance_fen=balance, month=month)


async def set_subsidy(
    *, actor: Claims, seen: Seen, subsidy: SubsidyIn, care: CareRuntime
) -> SubsidyView:
    """Set the monthly amount; this month's balance moves by the change, never below 0."""
    if not actor.covers(str(seen.elder["grid_path"]), *COMMUNITY_ADMINS):
        raise Forbidden(CareProblem.COMMUNITY_NOT_YOURS)
    async with unit_of_work():  # the row stays locked from its read to its change
        await _set(actor, seen, subsidy, care)
    return await subsidy_of(seen, care)


async def _set(actor: Claims, seen: Seen, subsidy: SubsidyIn, care: CareRuntime) -> None:
    month = month_of(care.clock())
    was = await _rolled(seen.id, month)
    if was is None:
        # Nothing can have been spent of an allowance that was not there: the last set wins.
        await fetch_rows(
            "INSERT INTO elderly_care_subsidy (elder_id, monthly_fen, balance_fen, month, set_by,"
            " set_at) VALUES ($1, $2, $2, $3, $4, $5) ON CONFLICT (elder_id) DO UPDATE SET"
            " monthly_fen = excluded.monthly_fen, balance_fen = excluded.balance_fen,"
            " set_by = excluded.set_by, set_at = excluded.set_at",
            seen.id,
            subsidy.monthly_fen,
            month,
            actor.user_id,
            care.clock(),
        )
    else:
        await fetch_rows(
            "UPDATE elderly_care_subsidy SET monthly_fen = $2, set_by = $3, set_at = $4,"
            " balance_fen = CASE WHEN balance_fen + $5 < 0 THEN 0 ELSE balance_fen + $5 END"
            " WHERE elder_id = $1",
            seen.id,
            subsidy.monthly_fen,
            actor.user_id,
            care.clock(),
            subsidy.monthly_fen - was[0],
        )


async def draw(elder_id: int, price_fen: int, care: CareRuntime) -> tuple[int, str]:
    """Take what the allowance can pay of `price_fen`: (the amount taken, its month).
    Inside the caller's unit of work, so a booking refused later takes nothing."""
    month = month_of(care.clock())
    held = await _rolled(elder_id, month)
    taken = min(held[1], price_fen) if held else 0
    if taken:
        await fetch_rows(
            "UPDATE elderly_care_subsidy SET balance_fen = balance_fen - $2 WHERE elder_id = $1",
            elder_id,
            taken,
        )
    return taken, month


async def give_back(elder_id: int, amount_fen: int, month: str, care: CareRuntime) -> None:
    """Return what a cancelled booking took, if its month is still this one; never past the
    monthly amount, which may have been lowered since."""
    if amount_fen and month == month_of(care.clock()):
        await fetch_rows(
            "UPDATE elderly_care_subsidy SET balance_fen = CASE WHEN balance_fen + $2 > monthly_fen"
            " THEN monthly_fen ELSE balance_fen + $2 END WHERE elder_id = $1 AND month = $3",
            elder_id,
            amount_fen,
            month,
        )
