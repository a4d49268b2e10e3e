"""The worklist (待办件): the cases a staff member owes the next step on, soonest due first.

A case is in a caller's worklist when the caller holds its current step's role over an org
that contains the case's assignee org: a street officer sees their street, a district
officer every street and office of the district, an officer of another district nothing.

Each (role, scope) the caller holds is one *branch*: an index range (step role, then the
district or the street of the case's org, then due time and id), filtered to the scope when
it lies below a street. A city-wide scope is the city's own cases and each of its
districts'. Branches are read in page order and merged, so a page costs its own rows, never
a sort of the whole set. Cases not yet accepted have no due time and come after the rest."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import msgspec

from backend.sdk import (
    BadRequest,
    Claims,
    FieldError,
    KernelCode,
    Level,
    Role,
    decode_position,
    encode_position,
    fetch_rows,
    is_within,
    level_of,
    units_under,
    utc_now,
    work_calendar,
)
from miniapps.gov_services.dates import last_day
from miniapps.gov_services.staff_schemas import (
    DueFilter,
    WorkItem,
    WorkPage,
    WorkPosition,
)
from miniapps.gov_services.states import Status
from miniapps.gov_services.watch import due_soon_by

WORK_ROLES = (Role.SERVICE_OFFICER, Role.SERVICE_APPROVER)
# The statuses in which staff owe the next step; in 补正 the resident does. The index is
# partial on exactly this list, written the same way (PostgreSQL must see the query's
# condition imply the index's).
ON_STAFF = (Status.DECIDED, Status.IN_PROGRESS, Status.SUBMITTED)
_ON_STAFF_SQL = "(" + ", ".join(f"'{status}'" for status in ON_STAFF) + ")"
DISTRICT, STREET = "assignee_district", "assignee_street"
COLUMNS = (
    "id, ref_no, item_id, status, current_step, assignee_org, claimed_by, submitted_at,"
    " accepted_at, due_at, due_provisional, version"
)


class Branch(NamedTuple):
    """The cases at steps of `role` whose org lies in the district or street `key` (as
    `column` holds it), only those inside `within` if given."""

    role: str
    column: str  # assignee_district | assignee_street, each the first column of an index
    key: str
    within: str | None = None


class Filters(NamedTuple):
    item_id: int | None
    due_after: dt.datetime | None  # due_at > this
    due_until: dt.datetime | None  # due_at <= this


async def work_page(
    *,
    actor: Claims,
    item_id: int | None,
    due: DueFilter | None,
    cursor: str | None,
    limit: int,
) -> WorkPage:
    """A page of the caller's worklist, soonest due first, after `cursor`."""
    after = _position(cursor) if cursor else None
    branches = await branches_of(actor)
    filters = await _filters(item_id, due)
    rows: list[Mapping[str, Any]] = []
    if branches and (after is None or after.due_at is not None):
        rows += await _read(branches, filters, after, dated=True, limit=limit + 1)
    if branches and due is None and len(rows) <= limit:
        undated_after = after if after is not None and after.due_at is None else None
        more = limit + 1 - len(rows)
        rows += await _read(branches, filters, undated_after, dated=False, limit=more)
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_position(WorkPosition(due_at=last["due_at"], id=last["id"]))
    return WorkPage(items=[work_item(row) for row in rows[:limit]], next_cursor=next_cursor)


async def branches_of(actor: Claims) -> list[Branch]:
    """The index ranges the caller's worklist reads: one per role and held org, none for
    an org inside another the caller holds through the same role."""
    found: list[Branch] = []
    for role in WORK_ROLES:
        held = sorted(set(actor.paths_for(role)))
        for path in held:
            if any(other != path and is_within(path, other) for other in held):
                continue
            found += await _branches_at(role, path)
    return found


async def _branches_at(role: Role, path: str) -> list[Branch]:
    level = level_of(path)
    if level is Level.CITY:  # its own cases, then each district's
        districts = await units_under(path, Level.DISTRICT)
        return [Branch(role, DISTRICT, key) for key in (path, *sorted(districts))]
    if level is Level.DISTRICT:
        return [Branch(role, DISTRICT, path)]
    if level is Level.STREET:
        return [Branch(role, STREET, path)]
    street = "/".join(path.split("/")[:3])
    return [Branch(role, STREET, street, within=path)]


async def _filters(item_id: int | None, due: DueFilter | None) -> Filters:
    if due is None:
        return Filters(item_id, None, None)
    now = utc_now()
    if due is DueFilter.OVERDUE:
        return Filters(item_id, None, now)
    return Filters(item_id, now, due_soon_by(await work_calendar(), now))


def _position(cursor: str) -> WorkPosition:
    """The cursor's case; its due time in UTC as stored (a time with no UTC date was never
    a cursor of ours)."""
    position = decode_position(cursor, WorkPosition)
    if position.due_at is None:
        return position
    try:
        return msgspec.structs.replace(position, due_at=position.due_at.astimezone(dt.UTC))
    except OverflowError as err:
        culprit = FieldError(field="cursor", message="not a next_cursor this list gave")
        raise BadRequest(KernelCode.CURSOR_INVALID, errors=[culprit]) from err


async def _read(
    branches: Sequence[Branch],
    filters: Filters,
    after: WorkPosition | None,
    *,
    dated: bool,
    limit: int,
) -> list[Mapping[str, Any]]:
    sql, args = statement(branches, filters, after, dated=dated, limit=limit)
    return list(await fetch_rows(sql, *args))


def statement(
    branches: Sequence[Branch],
    filters: Filters,
    after: WorkPosition | None,
    *,
    dated: bool,
    limit: int,
) -> tuple[str, list[Any]]:
    """The statement of up to `limit` cases of the branches in page order: those with a due
    time (`dated`) or those without. Each branch reads its own index range in order; more
    than one are merged by due time, sorting at most `limit` rows of each."""
    args: list[Any] = []

    def arg(value: Any) -> str:
        args.append(value)
        return f"${len(args)}"

    parts = [_branch_sql(branch, filters, after, dated, arg) for branch in branches]
    cap = arg(limit)
    # Only placeholders and the code's own column and table names are written into it.
    if len(parts) == 1:
        return f"{parts[0]} LIMIT {cap}", args
    merged = " UNION ALL ".join(
        f"SELECT * FROM ({part} LIMIT {cap}) AS b{n}"  # noqa: S608
        for n, part in enumerate(parts)
    )
    return f"{merged} ORDER BY due_at, id LIMIT {cap}", args


def _branch_sql(
    branch: Branch, filters: Filters, after: WorkPosition | None, dated: bool, arg: Any
) -> str:
    where = [
        f"step_role = {arg(branch.role)}",
        f"{branch.column} = {arg(branch.key)}",
        f"status IN {_ON_STAFF_SQL}",
    ]
    if branch.within is not None:
        # A well-formed org path holds no LIKE wildcard (`paths.SEGMENT`).
        inside = arg(branch.within + "/%")
        where.append(f"(assignee_org = {arg(branch.within)} OR assignee_org LIKE {inside})")
    if dated:
        where.append("due_at IS NOT NULL")
        if after is not None:
            where.append(f"(due_at, id) > ({arg(after.due_at)}, {arg(after.id)})")
    else:
        where.append("due_at IS NULL")
        if after is not None:
            where.append(f"id > {arg(after.id)}")
    if filters.item_id is not None:
        where.append(f"item_id = {arg(filters.item_id)}")
    if filters.due_after is not None:
        where.append(f"due_at > {arg(filters.due_after)}")
    if filters.due_until is not None:
        where.append(f"due_at <= {arg(filters.due_until)}")
    return (
        f"SELECT {COLUMNS} FROM gov_services_application"  # noqa: S608
        f" WHERE {' AND '.join(where)} ORDER BY due_at, id"
    )


def work_item(row: Mapping[str, Any]) -> WorkItem:
    due_at = row["due_at"]
    return WorkItem(
        id=row["id"],
        ref=row["ref_no"],
        item_id=row["item_id"],
        status=row["status"],
        step=row["current_step"],
        assignee_org=row["assignee_org"],
        claimed_by=row["claimed_by"],
        submitted_at=row["submitted_at"],
        accepted_at=row["accepted_at"],
        due_at=due_at,
        due_date=last_day(due_at) if due_at is not None else None,
        due_provisional=bool(row["due_provisional"]),
        version=row["version"],
    )
