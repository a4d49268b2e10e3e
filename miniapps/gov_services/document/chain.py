"""The steps of a case as the document chains them: which comes next, and what may be done
at each."""

from __future__ import annotations

from miniapps.gov_services.document.model import ACTIONS_OF, ItemDocument, Step
from miniapps.gov_services.states import Action


def first_step(doc: ItemDocument) -> Step:
    """受理: where every submitted case starts."""
    return doc.steps[0]


def next_step(doc: ItemDocument, code: str) -> Step | None:
    """The step after the one named `code`; None after the last (送达) or for a code the
    document does not have."""
    codes = [step.code for step in doc.steps]
    if code not in codes:
        return None
    index = codes.index(code) + 1
    return doc.steps[index] if index < len(doc.steps) else None


def allowed_actions(doc: ItemDocument, code: str) -> tuple[Action, ...]:
    """What staff may do at the step named `code` (none at a code the document does not
    have): its kind's actions, without `extend` where the item grants no extension."""
    step = doc.step(code)
    if step is None:
        return ()
    actions = ACTIONS_OF[step.kind]
    if not doc.extension_wd:
        actions = tuple(a for a in actions if a is not Action.EXTEND)
    return actions


__all__ = ["allowed_actions", "first_step", "next_step"]
