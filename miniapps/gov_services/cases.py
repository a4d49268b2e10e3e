"""The one way an application changes: conditional on the version it was read at, with its
history row, an audit row and one `application_moved` event, all in one transaction."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import msgspec
from piccolo.columns import JSON, Column

from backend.sdk import (
    BadRequest,
    Claims,
    Conflict,
    NotFound,
    PreconditionFailed,
    audit,
    emit,
    fetch_each,
    fetch_rows,
    fetch_where_in,
    insert_rows,
    is_postgres,
    utc_now,
)
from miniapps.gov_services.errors import GovServicesCode
from miniapps.gov_services.offered import item_names
from miniapps.gov_services.routing import worklist_keys
from miniapps.gov_services.states import (
    APPLICATION_MOVED,
    Action,
    ApplicationMoved,
    Status,
)
from miniapps.gov_services.tables import Application, ApplicationStatus

Case = dict[str, Any]


async def case_by_id(application_id: int) -> Case:
    """The application's row; `application_not_found` when there is none."""
    row = await Application.select().where(Application.id == application_id).first()
    if row is None:
        raise NotFound(GovServicesCode.APPLICATION_NOT_FOUND)
    return row


def version_in(
    if_match: str | None,
    *,
    refusal: GovServicesCode = GovServicesCode.APPLICATION_IF_MATCH_INVALID,
) -> int | None:
    """The version an `If-Match` header names (`"3"`, `W/"3"` or `3`); None for none or `*`.
    Anything else is a 400 `refusal`, the code of the thing versioned."""
    if if_match is None or if_match.strip() == "*":
        return None
    tag = if_match.strip().removeprefix("W/").strip('"')
    if not (tag.isascii() and tag.isdigit() and len(tag) <= 9):
        raise BadRequest(refusal)
    return int(tag)


def require_version(case: Case, expected: int | None) -> None:
    """A 412 when the caller read another version than the one stored (RFC 9110 If-Match)."""
    if expected is not None and expected != case["version"]:
        raise PreconditionFailed(GovServicesCode.APPLICATION_CHANGED)


async def move(
    case: Case,
    *,
    action: Action,
    actor: Claims | None,
    to_status: Status,
    changes: Mapping[Column | str, Any] | None = None,
    reason: str = "",
    detail: Mapping[str, Any] | None = None,
    version_named: bool = False,
    at: dt.datetime | None = None,
) -> Case:
    """Write one change of `case` and return the row as it now stands. Call it inside a
    `unit_of_work()`: the update, its history row, its audit row and its event commit or roll
    back together. The update holds only if the row is still at the version `case` was read
    at; else `application_changed` (412 when the client named the version, else 409), and
    nothing is written. `actor` None is the platform itself (the deadline watch, a bundle).
    `at` is when it happened, if the caller counted a deadline from that instant: the
    history then shows the same time the clock started, paused or resumed at."""
    change = Move(
        case=case,
        action=action,
        actor=actor,
        to_status=to_status,
        changes=dict(changes or {}),
        reason=reason,
        detail=dict(detail or {}),
        at=at or utc_now(),
    )
    return await write_move(change, version_named=version_named)


async def write_move(change: Move, *, version_named: bool = False) -> Case:
    """`move` of a change already described; inside a unit of work."""
    row = await _updated(change.case, change.values())
    if row is None:
        raise changed_refusal(version_named=version_named)
    await _record([(change, row)])
    return row


class Move(msgspec.Struct, frozen=True, kw_only=True):
    """One change of a case, as `move` takes it: `move_held` writes many at once."""

    case: Case
    action: Action
    actor: Claims | None
    to_status: Status
    changes: dict[Column | str, Any]
    reason: str = ""
    detail: dict[str, Any] = {}
    at: dt.datetime

    def values(self) -> dict[Column | str, Any]:
        """Every column the change sets: its own, what the worklist keeps, the status."""
        return {
            **self.changes,
            **worklist_copies(self.changes),
            Application.status: self.to_status,
        }


class Held(enum.Enum):
    """Why `move_held` left a change unwritten."""

    CHANGED = "changed"  # the case is no longer at the version it was read at
    BUSY = "busy"  # another transaction holds its row: write it on its own, which waits


def changed_refusal(*, version_named: bool) -> PreconditionFailed | Conflict:
    """`application_changed`: 412 when the client named the version it read, else 409."""
    refusal = PreconditionFailed if version_named else Conflict
    return refusal(GovServicesCode.APPLICATION_CHANGED)


Complete = Callable[[Sequence[Move]], Awaitable[list[Move]]]


async def move_held(
    changes: Sequence[Move], *, complete: Complete | None = None
) -> list[Case | Held]:
    """Write `changes` as `move` would, each the row
    as it now stands or why it was not written; inside a unit of work. Each case's row is
    taken first, skipping those another transaction holds, so that one row held elsewhere
    never keeps the others waiting. A case given twice is written once (the second is
    `CHANGED`). `complete` finishes the changes about to be written, in the same unit of
    work, once their rows are held: what it takes (a submit's 办件编号) is taken only for
    a change written."""
    ids = {change.case["id"] for change in changes}
    taking = _SKIP_HELD if is_postgres() else ""
    held = {
        int(row["id"]): int(row["version"])
        for row in await fetch_where_in(_VERSIONS, "id", ids, then=taking)
    }
    outcome: list[Case | Held] = []
    writing: list[int] = []
    seen: set[int] = set()
    for n, change in enumerate(changes):
        case_id, version = change.case["id"], held.get(change.case["id"])
        if case_id in seen or version not in (None, change.case["version"]):
            outcome.append(Held.CHANGED)
        elif version is None:
            outcome.append(Held.BUSY)  # held elsewhere; or gone, as written alone will find
        else:
            outcome.append(Held.BUSY)  # for now: its row, once written, below
            writing.append(n)
        seen.add(case_id)
    if not writing:
        return outcome
    chosen = [changes[n] for n in writing]
    if complete is not None:
        chosen = await complete(chosen)
    rows = await _written(chosen)
    for n, row in zip(writing, rows, strict=True):
        outcome[n] = row
    await _record(list(zip(chosen, rows, strict=True)))
    return outcome


async def hold(case_id: int) -> None:
    """Wait for the case's row and keep it until the unit of work ends: before taking what
    other transactions wait for (a 办件编号), so as never to hold that while waiting."""
    if is_postgres():  # on SQLite the transaction holds the whole database already
        await fetch_rows(f"{_VERSIONS} WHERE id = $1 FOR UPDATE", case_id)


async def _written(changes: Sequence[Move]) -> list[Case]:
    """The rows after `changes`, each of a case held at the version it was read at."""
    values = [change.values() for change in changes]
    if not is_postgres():
        written = [await _updated(c.case, v) for c, v in zip(changes, values, strict=True)]
        return [row for row in written if row is not None]
    kinds: dict[tuple[str, ...], list[int]] = {}
    for n, these in enumerate(values):
        kinds.setdefault(tuple(_column_name(column) for column in these), []).append(n)
    rows: list[Case] = [{}] * len(changes)
    for names, ns in kinds.items():
        arg_rows = [
            (
                changes[n].case["id"],
                changes[n].case["version"],
                *(_bound(_column_name(column), value) for column, value in values[n].items()),
            )
            for n in ns
        ]
        found = await fetch_each(_update_statement(names), arg_rows)
        for n, row in zip(ns, found, strict=True):
            rows[n] = dict(row)
    return rows


# On PostgreSQL a row another transaction holds is left out rather than waited for; on
# SQLite the transaction holds the whole database already.
_VERSIONS = f"SELECT id, version FROM {Application._meta.tablename}"  # noqa: S608
_SKIP_HELD = "FOR UPDATE SKIP LOCKED"


async def _record(written: Sequence[tuple[Move, Case]]) -> None:
    """The history, audit and event of each change written."""
    history = []
    for change, row in written:
        actor_id = change.actor.user_id if change.actor is not None else 0
        history.append(
            (
                change.case["id"],
                row["current_step"],
                str(change.action),
                change.case["status"],
                str(change.to_status),
                change.reason,
                msgspec.json.encode(change.detail).decode(),
                actor_id,
                change.at,
            )
        )
    await insert_rows(ApplicationStatus, _HISTORY_COLUMNS, history)
    codes = await item_names({row["item_id"] for _, row in written})
    for change, row in written:
        actor_id = change.actor.user_id if change.actor is not None else 0
        if change.actor is not None:
            action = f"gov_services.{change.action}"
            await audit(change.actor, action, row["applicant_id"], {"ref": row["ref_no"]})
        code = codes.get(row["item_id"], ("", ""))[0]
        event = moved_event(row, change.action, change.case["status"], actor_id, code)
        await emit(APPLICATION_MOVED, event)


async def _updated(case: Case, values: Mapping[Column | str, Any]) -> Case | None:
    """The row after `values` and the next version, if it is still at `case`'s version."""
    if not is_postgres():
        changed = (
            await Application.update({**values, Application.version: Application.version + 1})
            .where((Application.id == case["id"]) & (Application.version == case["version"]))
            .returning(*Application.all_columns())
        )
        return changed[0] if changed else None
    names = tuple(_column_name(column) for column in values)
    rows = await fetch_rows(
        _update_statement(names),
        case["id"],
        case["version"],
        *(_bound(_column_name(column), value) for column, value in values.items()),
    )
    return dict(rows[0]) if rows else None


# On PostgreSQL a change is one statement prepared once per set of columns changed (a dozen
# kinds of move in all), where piccolo would build and render its query on every move.
_UPDATES: dict[tuple[str, ...], str] = {}
_JSON_COLUMNS = frozenset(
    column._meta.db_column_name for column in Application.all_columns() if isinstance(column, JSON)
)


def _update_statement(names: tuple[str, ...]) -> str:
    statement = _UPDATES.get(names)
    if statement is None:
        sets = "".join(f'"{name}" = ${n}, ' for n, name in enumerate(names, start=3))
        statement = _UPDATES[names] = (
            f'UPDATE gov_services_application SET {sets}"version" = "version" + 1 '  # noqa: S608
            'WHERE "id" = $1 AND "version" = $2 RETURNING *'
        )
    return statement


def _column_name(column: Column | str) -> str:
    name = column if isinstance(column, str) else column._meta.db_column_name
    if name not in _ALL_NAMES:
        raise ValueError(f"gov_services_application has no column {name!r}")
    return name


def _bound(name: str, value: Any) -> Any:
    """`value` as the driver takes it: JSON columns as text (text given is JSON already, as
    piccolo takes it), enums as their value."""
    if name in _JSON_COLUMNS and not isinstance(value, str):
        return msgspec.json.encode(value).decode()
    if isinstance(value, enum.Enum):
        return value.value
    return value


_ALL_NAMES = frozenset(column._meta.db_column_name for column in Application.all_columns())


_HISTORY_COLUMNS = (
    ApplicationStatus.application_id,
    ApplicationStatus.step,
    ApplicationStatus.action,
    ApplicationStatus.from_status,
    ApplicationStatus.to_status,
    ApplicationStatus.reason,
    ApplicationStatus.detail,
    ApplicationStatus.set_by,
    ApplicationStatus.set_at,
)


def worklist_copies(changes: Mapping[Column | str, Any]) -> dict[Column | str, Any]:
    """What the worklist's indexes keep of a change of org: the district and street it lies
    in. A change of step must name the step's role too (`routing.entering` gives both): a
    case whose copy of the role disagreed with its step would sit in the wrong worklists."""
    if Application.current_step in changes and Application.step_role not in changes:
        raise ValueError("a change of step names its role: use routing.entering")
    if Application.assignee_org not in changes:
        return {}
    keys = worklist_keys(changes[Application.assignee_org])
    return {column: key for column, key in keys.items()}


def moved_event(
    row: Case, action: Action, from_status: str | None, actor_id: int, item_code: str
) -> ApplicationMoved:
    """The event that tells of a change of `row`, now at its new status."""
    return ApplicationMoved(
        application_id=row["id"],
        ref=row["ref_no"],
        applicant_id=row["applicant_id"],
        item_id=row["item_id"],
        item_version_id=row["item_version_id"],
        bundle_id=row["bundle_id"],
        action=action,
        from_status=from_status,
        to_status=row["status"],
        step=row["current_step"],
        assignee_org=row["assignee_org"],
        actor_id=actor_id,
        item_code=item_code,
        outcome=row["outcome"],
    )
