"""Staff actions on a case (办理): claim and release, 受理, advance, reject, extend, decide
and deliver (the return for 补正 is in `supplement`).

Each is checked by `allowed.require_allowed` (403, 409, 412) and its body against the
item's document (422), then written by `cases.move` in one unit of work: the change, its
history row, its audit row and its one `application_moved` event. `at` is the instant the
action happens, from which the clock counts (the route passes `utc_now()`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from backend.sdk import (
    Claims,
    Conflict,
    PreconditionFailed,
    unit_of_work,
    work_calendar,
)
from miniapps.gov_services import clock
from miniapps.gov_services.allowed import require_allowed
from miniapps.gov_services.cases import Case, case_by_id, move
from miniapps.gov_services.document import ItemDocument, next_step
from miniapps.gov_services.errors import GovServicesCode as Code
from miniapps.gov_services.offered import pinned_document
from miniapps.gov_services.routing import entering
from miniapps.gov_services.staff_schemas import (
    DecideIn,
    DeliverIn,
    ExtendIn,
    RejectIn,
)
from miniapps.gov_services.states import Action, Status
from miniapps.gov_services.tables import Application

Changes = dict[Any, Any]


async def checked(
    actor: Claims, application_id: int, action: Action, expected_version: int | None
) -> tuple[Case, ItemDocument]:
    """The case and its document, once the caller may take `action` on it now."""
    case = await case_by_id(application_id)
    document = await pinned_document(case["item_version_id"])
    require_allowed(actor, case, document, action, expected_version)
    return case, document


async def write(
    actor: Claims,
    case: Case,
    document: ItemDocument,
    action: Action,
    expected_version: int | None,
    **change: Any,
) -> Case:
    """`cases.move` in a unit of work of its own. If another change landed between the read
    and this write, the answer is the one this request would have had after it (another
    officer's claim, a status that no longer takes the action, a stale `If-Match`), and
    only a change that leaves the action allowed is the bare `application_changed`."""
    named = expected_version is not None
    try:
        async with unit_of_work():
            return await move(case, action=action, actor=actor, version_named=named, **change)
    except (Conflict, PreconditionFailed):
        require_allowed(actor, await case_by_id(case["id"]), document, action, expected_version)
        raise


async def claim(*, actor: Claims, application_id: int, expected_version: int | None) -> None:
    """签收: the case is the caller's to work on until they release it or it moves on."""
    await _held(actor, application_id, expected_version, Action.CLAIM, actor.user_id)


async def release(*, actor: Claims, application_id: int, expected_version: int | None) -> None:
    """The caller's claim given up: any officer of the step may claim the case again."""
    await _held(actor, application_id, expected_version, Action.RELEASE, None)


async def _held(
    actor: Claims,
    application_id: int,
    expected_version: int | None,
    action: Action,
    holder: int | None,
) -> None:
    case, document = await checked(actor, application_id, action, expected_version)
    await write(
        actor,
        case,
        document,
        action,
        expected_version,
        to_status=Status(case["status"]),
        changes={Application.claimed_by: holder},
    )


async def accept(
    *,
    actor: Claims,
    application_id: int,
    expected_version: int | None,
    note: str,
    at: dt.datetime,
) -> None:
    """受理: the clock starts (its limit counted from the next day) and the case goes on to
    the step after acceptance."""
    case, document = await checked(actor, application_id, Action.ACCEPT, expected_version)
    calendar = await work_calendar()
    changes = {**clock.started(calendar, document, at=at), **onward(document, case)}
    await write(
        actor,
        case,
        document,
        Action.ACCEPT,
        expected_version,
        to_status=Status.IN_PROGRESS,
        changes=changes,
        reason=note,
        at=at,
    )


async def advance(
    *, actor: Claims, application_id: int, expected_version: int | None, note: str
) -> None:
    """A review done: the case goes on to the next step, perhaps at another department or
    another level (a street's 初审, then the district's 审核)."""
    case, document = await checked(actor, application_id, Action.ADVANCE, expected_version)
    await write(
        actor,
        case,
        document,
        Action.ADVANCE,
        expected_version,
        to_status=Status.IN_PROGRESS,
        changes=onward(document, case),
        reason=note,
    )


def onward(document: ItemDocument, case: Case) -> Changes:
    """The case at the step after its current one. Whoever claimed it keeps it only where the
    next step is theirs too (the same org and role); else the next step's officers claim."""
    step = next_step(document, case["current_step"])
    if step is None:  # a published chain ends with 送达, which takes no onward action
        raise Conflict(Code.APPLICATION_ACTION_ILLEGAL)
    changes: Changes = entering(document, step, case["place_path"])
    same_hands = (
        changes[Application.assignee_org] == case["assignee_org"]
        and changes[Application.step_role] == case["step_role"]
    )
    changes[Application.claimed_by] = case["claimed_by"] if same_hands else None
    return changes


async def reject(
    *,
    actor: Claims,
    application_id: int,
    expected_version: int | None,
    data: RejectIn,
    at: dt.datetime,
) -> None:
    """不予受理 or 不予通过: the case closes with the reason's code and its text."""
    case, document = await checked(actor, application_id, Action.REJECT, expected_version)
    await write(
        actor,
        case,
        document,
        Action.REJECT,
        expected_version,
        to_status=Status.REJECTED,
        changes=closing(at),
        reason=data.text,
        detail={"reason_code": data.reason_code},
        at=at,
    )


def closing(at: dt.datetime) -> Changes:
    """A closed case's clock stops for good; its due date stays on record."""
    return {Application.closed_at: at, Application.clock_from: None, Application.claimed_by: None}


async def extend(
    *, actor: Claims, application_id: int, expected_version: int | None, data: ExtendIn
) -> None:
    """延期: once, signed off by an approver, the limit grows by the item's extension."""
    case, document = await checked(actor, application_id, Action.EXTEND, expected_version)
    calendar = await work_calendar()
    await write(
        actor,
        case,
        document,
        Action.EXTEND,
        expected_version,
        to_status=Status(case["status"]),
        changes=clock.extended(calendar, document, case),
        reason=data.reason,
        detail={"extension_wd": document.extension_wd},
    )


async def decide(
    *,
    actor: Claims,
    application_id: int,
    expected_version: int | None,
    data: DecideIn,
    at: dt.datetime,
) -> None:
    """决定: approved or rejected, and on to 送达; the clock runs until delivery."""
    case, document = await checked(actor, application_id, Action.DECIDE, expected_version)
    changes = {
        Application.outcome: data.outcome,
        Application.decided_at: at,
        **onward(document, case),
    }
    await write(
        actor,
        case,
        document,
        Action.DECIDE,
        expected_version,
        to_status=Status.DECIDED,
        changes=changes,
        reason=data.text,
        detail={"outcome": data.outcome},
        at=at,
    )


async def deliver(
    *,
    actor: Claims,
    application_id: int,
    expected_version: int | None,
    data: DeliverIn,
    at: dt.datetime,
) -> None:
    """送达: the result handed over; the case is closed (办结)."""
    case, document = await checked(actor, application_id, Action.DELIVER, expected_version)
    await write(
        actor,
        case,
        document,
        Action.DELIVER,
        expected_version,
        to_status=Status.DELIVERED,
        changes=closing(at),
        reason=data.note,
        detail={"method": data.method},
        at=at,
    )
