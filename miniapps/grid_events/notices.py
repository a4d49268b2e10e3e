"""Who hears of each step, through the host's push service, in their own language, with a
link that opens the event in the app.

A template is filled from one set of data for every locale, so the data carries each text in
both: `step_zh`/`step_en`, `category_zh`/`category_en`. Beside them, for the app: the event's
id, the step as its code (`step`) and the category's code (`category`)."""

from __future__ import annotations

from typing import Any

from backend.sdk import Audience, Role, Template, notify
from miniapps.grid_events.catalogue import Category
from miniapps.grid_events.states import Action
from miniapps.grid_events.switches import APP_ID

STEP = Template(
    key="grid_events.step",
    category="grid_events",
    titles={"zh-CN": "事件{event}:{step_zh}", "en": "Event {event}: {step_en}"},
    bodies={"zh-CN": "{category_zh}", "en": "{category_en}"},
)
# What each step means to the one told of it (the handler hears "dispatched to you").
STEP_NAMES: dict[str, dict[str, str]] = {
    "report": {"zh-CN": "新上报", "en": "new report"},
    Action.REGISTER: {"zh-CN": "已立案", "en": "registered"},
    Action.DISPATCH: {"zh-CN": "派遣给您", "en": "dispatched to you"},
    Action.REASSIGN: {"zh-CN": "改派给您", "en": "reassigned to you"},
    Action.START: {"zh-CN": "处置中", "en": "being handled"},
    Action.FEED_BACK: {"zh-CN": "待核查", "en": "awaiting verification"},
    Action.VERIFY: {"zh-CN": "已核查", "en": "verified"},
    Action.CLOSE: {"zh-CN": "已结案", "en": "closed"},
    Action.RETURN: {"zh-CN": "被退回", "en": "returned"},
    Action.SUSPEND: {"zh-CN": "已挂账", "en": "suspended"},
    Action.RESUME: {"zh-CN": "已恢复", "en": "resumed"},
    Action.CANCEL: {"zh-CN": "已注销", "en": "cancelled"},
}
TO_HANDLER = {Action.DISPATCH, Action.REASSIGN, Action.VERIFY}
TO_ADMINS = {Action.FEED_BACK, Action.RETURN}


def deep_link(event_id: int) -> str:
    """Where a notice about the event takes its reader: the event in the app."""
    return f"yimen://miniapps/{APP_ID}/events/{event_id}"


def category_data(category: Category) -> dict[str, str]:
    """The category as a notice's data carries it: its code and its name in each locale."""
    return {
        "category": category.code,
        "category_zh": category.names["zh-CN"],
        "category_en": category.names["en"],
    }


async def reported(*, event_id: int, grid: str, category: Category) -> None:
    """Community admins above the grid hear of a new report, to register it."""
    await _tell(Audience.role_above(Role.COMMUNITY_ADMIN, grid), event_id, "report", category)


async def moved(*, action: Action, event: dict[str, Any], category: Category) -> None:
    if action in TO_HANDLER:
        audience = Audience.users(event["handler_id"])
    elif action in TO_ADMINS:
        audience = Audience.role_above(Role.COMMUNITY_ADMIN, event["grid_path"])
    else:
        audience = Audience.users(event["reporter_id"])
    await _tell(audience, event["id"], action, category)


async def _tell(audience: Audience, event_id: int, step: str, category: Category) -> None:
    await notify(
        audience=audience,
        template=STEP,
        source=APP_ID,
        data={
            "event": str(event_id),
            "step": str(step),
            "step_zh": STEP_NAMES[step]["zh-CN"],
            "step_en": STEP_NAMES[step]["en"],
            **category_data(category),
        },
        urgent=category.urgent and step in (Action.DISPATCH, Action.REASSIGN),
        collapse_key=f"grid_events.{event_id}",
        deep_link=deep_link(event_id),
    )
