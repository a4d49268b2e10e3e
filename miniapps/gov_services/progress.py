"""办件进度: where an application stands, told in the resident texts of the steps of the
version it was started on, with its history and its due date."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from backend.sdk import Claims, json_value, work_calendar
from miniapps.gov_services.applying import own_case
from miniapps.gov_services.document import Step
from miniapps.gov_services.offered import pinned_document
from miniapps.gov_services.resident_schemas import (
    HistoryEntry,
    Missing,
    ProgressView,
    StepProgress,
    StepState,
)
from miniapps.gov_services.resident_views import due_of, shown_ref
from miniapps.gov_services.states import CLOSED, Action, Status
from miniapps.gov_services.tables import ApplicationStatus


def step_states(steps: Sequence[Step], status: Status, current: str | None) -> list[StepState]:
    """Each step's state: those before the current one done; after a delivery all done; a
    case closed otherwise (withdrawn, rejected) reached no step after the one it left."""
    if status is Status.DELIVERED:
        return [StepState.DONE] * len(steps)
    codes = [step.code for step in steps]
    if current not in codes:  # a draft, or a bundle member not started yet
        return [StepState.PENDING] * len(steps)
    at = codes.index(current)
    here = StepState.NOT_REACHED if status in CLOSED else StepState.CURRENT
    later = StepState.NOT_REACHED if status in CLOSED else StepState.PENDING
    return [StepState.DONE] * at + [here] + [later] * (len(steps) - at - 1)


async def progress(*, actor: Claims, application_id: int, locale: str | None) -> ProgressView:
    """The caller's application's timeline: each step of its pinned version with the text
    the resident reads there, the history of its changes, and the due date."""
    case = await own_case(actor, application_id)
    doc = await pinned_document(case["item_version_id"])
    status = Status(case["status"])
    states = step_states(doc.steps, status, case["current_step"])
    due = due_of(case, doc, await work_calendar())
    history = (
        await ApplicationStatus.select(
            ApplicationStatus.action,
            ApplicationStatus.step,
            ApplicationStatus.to_status,
            ApplicationStatus.reason,
            ApplicationStatus.detail,
            ApplicationStatus.set_at,
        )
        .where(ApplicationStatus.application_id == case["id"])
        .order_by(ApplicationStatus.id)
    )
    return ProgressView(
        id=case["id"],
        ref=shown_ref(case),
        status=status,
        current_step=case["current_step"],
        due_date=due.date if due else None,
        due_provisional=due.provisional if due else False,
        steps=[
            StepProgress(
                code=step.code,
                name=step.name.pick(locale),
                resident_text=step.resident_text.pick(locale),
                state=state,
                time_limit_wd=step.time_limit_wd,
            )
            for step, state in zip(doc.steps, states, strict=True)
        ],
        history=[
            HistoryEntry(
                action=row["action"],
                step=row["step"],
                status=row["to_status"],
                reason=row["reason"],
                at=row["set_at"],
                missing=missing_in(row),
            )
            for row in history
        ],
    )


def missing_in(row: dict[str, Any]) -> Missing | None:
    """The list a return for 补正 asked for, as its history row keeps it."""
    if row["action"] != Action.RETURN_FOR_SUPPLEMENT:
        return None
    return msgspec.convert(json_value(row["detail"]), Missing)
