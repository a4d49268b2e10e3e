"""Where an application (办件) stands, what can happen to it, and who may make it happen.

受理 → 审核 → 决定 → 送达: staff move a case along its item's steps; the resident submits,
answers a 补正 and may withdraw until the decision. One table says which action a status
takes and where it leads; `cases.move` writes every one of them the same way."""

from __future__ import annotations

import enum

# The event of a change is defined in the host, so that other parts can read it.
from backend.sdk import APPLICATION_MOVED as APPLICATION_MOVED
from backend.sdk import ApplicationMoved as ApplicationMoved

# The decision's outcome is the kernel's: the event of a decision carries it.
from backend.sdk import Outcome as Outcome


class Status(enum.StrEnum):
    DRAFT = "draft"  # being filled in; no one but the applicant sees it
    WAITING = "waiting"  # a bundle's member, until the members it depends on are done
    SUBMITTED = "submitted"  # 待受理
    IN_PROGRESS = "in_progress"  # 办理中: accepted, at a review, decision or delivery step
    SUPPLEMENT = "supplement"  # 待补正: returned to the resident, the clock paused
    DECIDED = "decided"  # 已决定, to be delivered (送达)
    DELIVERED = "delivered"  # 已办结
    REJECTED = "rejected"  # 不予受理 or 不予许可
    WITHDRAWN = "withdrawn"  # 已撤回


class CaseAction(enum.StrEnum):
    SUBMIT = "submit"
    WITHDRAW = "withdraw"
    SUPPLEMENT = "supplement"  # the resident answers a 补正
    CLAIM = "claim"
    RELEASE = "release"
    ACCEPT = "accept"  # 受理: the clock starts the day after
    ADVANCE = "advance"
    RETURN_FOR_SUPPLEMENT = "return_for_supplement"
    REJECT = "reject"
    EXTEND = "extend"  # the one extension (延期), by an approver
    DECIDE = "decide"
    DELIVER = "deliver"  # 送达
    RELEASE_WAITING = "release_waiting"  # a bundle member whose prerequisites are done


# Its name in the code; the class is named apart from the grid events' `Action`, because
# clients generated from the OpenAPI document name each enum after its class.
Action = CaseAction


# What staff do; the rest is the applicant's or the platform's.
STAFF_ACTIONS = frozenset(
    {
        Action.CLAIM,
        Action.RELEASE,
        Action.ACCEPT,
        Action.ADVANCE,
        Action.RETURN_FOR_SUPPLEMENT,
        Action.REJECT,
        Action.EXTEND,
        Action.DECIDE,
        Action.DELIVER,
    }
)
APPLICANT_ACTIONS = frozenset({Action.SUBMIT, Action.WITHDRAW, Action.SUPPLEMENT})

# Which statuses each action is taken from. The step's kind narrows it further: only an
# accepting step accepts, only a deciding step decides (the item's document says which).
TAKEN_FROM: dict[Action, frozenset[Status]] = {
    Action.SUBMIT: frozenset({Status.DRAFT}),
    # A bundle's member waiting for its prerequisites may be withdrawn as well: one whose
    # prerequisite was refused would wait for ever.
    Action.WITHDRAW: frozenset(
        {Status.WAITING, Status.SUBMITTED, Status.IN_PROGRESS, Status.SUPPLEMENT}
    ),
    Action.SUPPLEMENT: frozenset({Status.SUPPLEMENT}),
    Action.CLAIM: frozenset({Status.SUBMITTED, Status.IN_PROGRESS, Status.DECIDED}),
    # A claim outlasts a 补正: the claimant may let the case go while the resident answers.
    Action.RELEASE: frozenset(
        {Status.SUBMITTED, Status.IN_PROGRESS, Status.SUPPLEMENT, Status.DECIDED}
    ),
    Action.ACCEPT: frozenset({Status.SUBMITTED}),
    Action.ADVANCE: frozenset({Status.IN_PROGRESS}),
    Action.RETURN_FOR_SUPPLEMENT: frozenset({Status.SUBMITTED, Status.IN_PROGRESS}),
    Action.REJECT: frozenset({Status.SUBMITTED, Status.IN_PROGRESS}),
    Action.EXTEND: frozenset({Status.IN_PROGRESS}),
    Action.DECIDE: frozenset({Status.IN_PROGRESS}),
    Action.DELIVER: frozenset({Status.DECIDED}),
    Action.RELEASE_WAITING: frozenset({Status.WAITING}),
}

OPEN = frozenset({Status.SUBMITTED, Status.IN_PROGRESS, Status.SUPPLEMENT, Status.DECIDED})
CLOSED = frozenset({Status.DELIVERED, Status.REJECTED, Status.WITHDRAWN})
# Where the clock runs: staff owe the next step. It stands still in 补正.
CLOCK_RUNS = frozenset({Status.IN_PROGRESS, Status.DECIDED})


def takes(status: Status, action: Action) -> bool:
    """Whether an application in `status` can take `action` at all."""
    return status in TAKEN_FROM.get(action, frozenset())
