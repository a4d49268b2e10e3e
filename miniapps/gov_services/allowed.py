"""Which staff action a case takes now, and who may take it: the one rule that both the
check of an action and the `allowed_actions` of a case view ask, so a view never offers an
action the check refuses.

Who: holders of the current step's role whose scope covers the case's assignee org; the one
extension is signed off by a service approver covering it instead. What: the status must
take the action (`states.TAKEN_FROM`), the step's kind must offer it (`ACTIONS_OF` of the
item document), and a case claimed by one officer is theirs to act on."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backend.sdk import Claims, Conflict, Forbidden, PreconditionFailed, Role
from miniapps.gov_services.document import ACTIONS_OF, ItemDocument, Step
from miniapps.gov_services.errors import GovServicesCode as Code
from miniapps.gov_services.states import CLOCK_RUNS, STAFF_ACTIONS, Action, Status, takes

# In the order a case meets them, which is the order `allowed_actions` lists them in.
ORDER = (
    Action.CLAIM,
    Action.RELEASE,
    Action.ACCEPT,
    Action.ADVANCE,
    Action.RETURN_FOR_SUPPLEMENT,
    Action.REJECT,
    Action.EXTEND,
    Action.DECIDE,
    Action.DELIVER,
)
assert set(ORDER) == STAFF_ACTIONS
# Taken by the step's staff whoever holds the claim: the approver signs off an extension
# without taking the case from the officer working on it.
BESIDE_THE_CLAIM = frozenset({Action.EXTEND})


def step_of(document: ItemDocument, case: Mapping[str, Any]) -> Step | None:
    code = case["current_step"]
    return document.step(code) if code else None


def may_handle(actor: Claims, case: Mapping[str, Any], action: Action) -> bool:
    """Whether the caller holds, over the case's assignee org, the role the action needs."""
    role = Role.SERVICE_APPROVER if action is Action.EXTEND else _role(case["step_role"])
    return role is not None and actor.covers(case["assignee_org"], role)


def may_see(actor: Claims, case: Mapping[str, Any]) -> bool:
    """Whether the caller handles the case or signs off its extension."""
    return may_handle(actor, case, Action.CLAIM) or may_handle(actor, case, Action.EXTEND)


def _role(name: str) -> Role | None:
    try:
        return Role(name)
    except ValueError:  # no step yet, or a role no token can hold: nobody handles it
        return None


def refusal(
    actor: Claims, case: Mapping[str, Any], document: ItemDocument, action: Action
) -> Code | None:
    """Why `action` may not be taken on the case now by a caller who may handle it (a 409
    each), or None if it may."""
    claimed = case["claimed_by"]
    if claimed is not None and claimed != actor.user_id and action not in BESIDE_THE_CLAIM:
        return Code.APPLICATION_CLAIMED
    step = step_of(document, case)
    status = Status(case["status"])
    if step is None or not takes(status, action):
        return Code.APPLICATION_ACTION_ILLEGAL
    if action is Action.CLAIM:  # held by someone else is answered above
        return None if claimed is None else Code.APPLICATION_ACTION_ILLEGAL
    if action is Action.RELEASE:
        return None if claimed == actor.user_id else Code.APPLICATION_ACTION_ILLEGAL
    if action.value not in {offered.value for offered in ACTIONS_OF[step.kind]}:
        return Code.APPLICATION_ACTION_ILLEGAL
    return _limits(case, document, action, status)


def _limits(
    case: Mapping[str, Any], document: ItemDocument, action: Action, status: Status
) -> Code | None:
    """What the item's settings allow: one extension, if it has any; a 补正 that stops a
    running clock only where the item lets it stand still."""
    if action is Action.EXTEND:
        if document.extension_wd == 0:
            return Code.APPLICATION_NO_EXTENSION
        return Code.APPLICATION_EXTENDED_ALREADY if case["extended"] else None
    if action is Action.RETURN_FOR_SUPPLEMENT and status in CLOCK_RUNS:
        return None if document.pause_allowed else Code.APPLICATION_PAUSE_NOT_ALLOWED
    return None


def allowed_actions(actor: Claims, case: Mapping[str, Any], document: ItemDocument) -> list[Action]:
    """The actions the caller may take on the case now, in the chain's order."""
    return [
        action
        for action in ORDER
        if may_handle(actor, case, action) and refusal(actor, case, document, action) is None
    ]


def require_allowed(
    actor: Claims,
    case: Mapping[str, Any],
    document: ItemDocument,
    action: Action,
    expected_version: int | None,
) -> None:
    """Refuse an action the rule does not allow, most final answer first: a 403 when the
    caller does not handle the case; a 409 `application_claimed` when another officer holds
    it; a 412 when `If-Match` named another version than the stored one; else a 409 saying
    why. Each 409 names the status, the step, the action and the caller's allowed actions."""
    if not may_handle(actor, case, action):
        raise Forbidden(Code.APPLICATION_OUTSIDE_SCOPE)
    why = refusal(actor, case, document, action)
    if why is Code.APPLICATION_CLAIMED:
        raise Conflict(why, extensions=_named(actor, case, document, action))
    if expected_version is not None and expected_version != case["version"]:
        raise PreconditionFailed(Code.APPLICATION_CHANGED)
    if why is not None:
        raise Conflict(why, extensions=_named(actor, case, document, action))


def _named(
    actor: Claims, case: Mapping[str, Any], document: ItemDocument, action: Action
) -> dict[str, Any]:
    return {
        "application_status": case["status"],
        "step": case["current_step"],
        "action": action,
        "allowed_actions": allowed_actions(actor, case, document),
    }
