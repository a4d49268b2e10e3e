"""The chain 上报 → 立案 → 派遣 → 处置 → 反馈 → 核查 → 结案, with 退回, 挂账 and 注销:
which action moves an event from which states to which, and who may take it."""

from __future__ import annotations

import enum

import msgspec


class State(enum.StrEnum):
    REPORTED = "reported"  # 上报
    REGISTERED = "registered"  # 立案
    DISPATCHED = "dispatched"  # 派遣
    HANDLING = "handling"  # 处置
    FED_BACK = "fed_back"  # 反馈
    VERIFIED = "verified"  # 核查
    CLOSED = "closed"  # 结案
    SUSPENDED = "suspended"  # 挂账
    CANCELLED = "cancelled"  # 注销


# What a state means to the rest of the package: each question asked of an event's state
# has its answer here, so one part cannot count an event open that another counts done.

# 结案 or 注销: no step is left to take.
FINISHED = frozenset({State.CLOSED, State.CANCELLED})
# Still someone's business: a repeat report or a sensor's next alarm joins it, it takes
# photos, and Open311 calls it open.
UNFINISHED = frozenset(State) - FINISHED
# Waiting on a step with a time limit: escalation watches these, and the stats count them
# overdue. Not 挂账 (suspended: the clock stops) nor verified (the work is done and checked).
WATCHED = frozenset(
    {State.REPORTED, State.REGISTERED, State.DISPATCHED, State.HANDLING, State.FED_BACK}
)
# Due by a deadline: what the event waits for has a time limit. Not once finished, nor while
# 挂账 (suspended: the clock stops); resuming starts a new one.
DUE = UNFINISHED - {State.SUSPENDED}
# With a handler, who has not yet fed back: what weighs on a worker when dispatch picks
# the least loaded.
IN_HAND = frozenset({State.DISPATCHED, State.HANDLING})


class Action(enum.StrEnum):
    REGISTER = "register"
    DISPATCH = "dispatch"
    REASSIGN = "reassign"
    START = "start"
    FEED_BACK = "feed_back"
    VERIFY = "verify"
    CLOSE = "close"
    RETURN = "return"  # 退回: back to registered, with a reason
    SUSPEND = "suspend"
    RESUME = "resume"
    CANCEL = "cancel"


# How people read the states and actions, in notices, problems and the docs.
STATE_NAMES: dict[State, dict[str, str]] = {
    State.REPORTED: {"zh-CN": "已上报", "en": "reported"},
    State.REGISTERED: {"zh-CN": "已立案", "en": "registered"},
    State.DISPATCHED: {"zh-CN": "已派遣", "en": "dispatched"},
    State.HANDLING: {"zh-CN": "处置中", "en": "being handled"},
    State.FED_BACK: {"zh-CN": "已反馈", "en": "fed back"},
    State.VERIFIED: {"zh-CN": "已核查", "en": "verified"},
    State.CLOSED: {"zh-CN": "已结案", "en": "closed"},
    State.SUSPENDED: {"zh-CN": "已挂账", "en": "suspended"},
    State.CANCELLED: {"zh-CN": "已注销", "en": "cancelled"},
}
ACTION_NAMES: dict[Action, dict[str, str]] = {
    Action.REGISTER: {"zh-CN": "立案", "en": "register"},
    Action.DISPATCH: {"zh-CN": "派遣", "en": "dispatch"},
    Action.REASSIGN: {"zh-CN": "改派", "en": "reassign"},
    Action.START: {"zh-CN": "开始处置", "en": "start handling"},
    Action.FEED_BACK: {"zh-CN": "反馈", "en": "feed back"},
    Action.VERIFY: {"zh-CN": "核查", "en": "verify"},
    Action.CLOSE: {"zh-CN": "结案", "en": "close"},
    Action.RETURN: {"zh-CN": "退回", "en": "return"},
    Action.SUSPEND: {"zh-CN": "挂账", "en": "suspend"},
    Action.RESUME: {"zh-CN": "恢复", "en": "resume"},
    Action.CANCEL: {"zh-CN": "注销", "en": "cancel"},
}


class Actor(enum.StrEnum):
    ADMIN = "admin"  # a community or district admin above the event's grid
    HANDLER = "handler"  # the worker the event is dispatched to
    VERIFIER = "verifier"  # an admin or grid worker of the grid who is not the handler


class Move(msgspec.Struct, frozen=True):
    sources: frozenset[State]
    target: State
    actors: frozenset[Actor]
    needs_reason: bool = False


_ADMIN = frozenset({Actor.ADMIN})
_HANDLER = frozenset({Actor.HANDLER})

MOVES: dict[Action, Move] = {
    Action.REGISTER: Move(frozenset({State.REPORTED}), State.REGISTERED, _ADMIN),
    Action.DISPATCH: Move(frozenset({State.REGISTERED}), State.DISPATCHED, _ADMIN),
    Action.REASSIGN: Move(frozenset({State.DISPATCHED, State.HANDLING}), State.DISPATCHED, _ADMIN),
    Action.START: Move(frozenset({State.DISPATCHED}), State.HANDLING, _HANDLER),
    Action.FEED_BACK: Move(frozenset({State.HANDLING}), State.FED_BACK, _HANDLER),
    Action.VERIFY: Move(frozenset({State.FED_BACK}), State.VERIFIED, frozenset({Actor.VERIFIER})),
    Action.CLOSE: Move(frozenset({State.VERIFIED}), State.CLOSED, _ADMIN),
    Action.RETURN: Move(
        frozenset({State.DISPATCHED, State.HANDLING, State.FED_BACK}),
        State.REGISTERED,
        frozenset({Actor.ADMIN, Actor.HANDLER, Actor.VERIFIER}),
        needs_reason=True,
    ),
    Action.SUSPEND: Move(
        frozenset({State.REGISTERED, State.DISPATCHED, State.HANDLING}),
        State.SUSPENDED,
        _ADMIN,
        needs_reason=True,
    ),
    Action.RESUME: Move(frozenset({State.SUSPENDED}), State.REGISTERED, _ADMIN),
    Action.CANCEL: Move(
        frozenset({State.REPORTED, State.REGISTERED, State.SUSPENDED}),
        State.CANCELLED,
        _ADMIN,
        needs_reason=True,
    ),
}
