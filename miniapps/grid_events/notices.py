"""Who hears of each step, through the host's push service."""

from __future__ import annotations

from typing import Any

from backend.sdk import Audience, Role, Template, notify
from miniapps.grid_events.catalogue import Category
from miniapps.grid_events.states import Action

STEP = Template(
    key="grid_events.step",
    category="grid_events",
    titles={"zh-CN": "事件{event}:{step}", "en": "Event {event}: {step}"},
    bodies={"zh-CN": "{category}", "en": "{category}"},
)
STEP_NAMES = {
    "report": "新上报",
    Action.REGISTER: "已立案",
    Action.DISPATCH: "派遣给您",
    Action.REASSIGN: "改派给您",
    Action.START: "处置中",
    Action.FEED_BACK: "待核查",
    Action.VERIFY: "已核查",
    Action.CLOSE: "已结案",
    Action.RETURN: "被退回",
    Action.SUSPEND: "已挂账",
    Action.RESUME: "已恢复",
    Action.CANCEL: "已注销",
}
TO_HANDLER = {Action.DISPATCH, Action.REASSIGN, Action.VERIFY}
TO_ADMINS = {Action.FEED_BACK, Action.RETURN}


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
        source="grid_events",
        data={
            "event": str(event_id),
            "step": STEP_NAMES[step],
            "category": category.names["zh-CN"],
        },
        urgent=category.urgent and step in (Action.DISPATCH, Action.REASSIGN),
        collapse_key=f"grid_events.{event_id}",
        deep_link=f"yimen://grid_events/{event_id}",
    )
