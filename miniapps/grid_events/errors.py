"""The grid events mini-app's error codes (Open311's own are in `open311/errors.py`)."""

from __future__ import annotations

from backend.sdk import ErrorCode, register_messages


class GridEventsCode(ErrorCode):
    """What the grid events app refuses: events, their photos, dispatch rules and sensors."""

    EVENT_NOT_FOUND = "event_not_found"
    EVENT_REPORT_INVALID = "event_report_invalid"
    EVENT_NO_GRID = "event_no_grid"
    EVENT_NEEDS_PLACE = "event_needs_place"
    EVENT_TRANSITION_ILLEGAL = "event_transition_illegal"
    EVENT_ADMINS_ONLY = "event_admins_only"
    EVENT_HANDLER_ONLY = "event_handler_only"
    EVENT_OWN_WORK = "event_own_work"
    EVENT_STAFF_ONLY = "event_staff_only"
    EVENT_REASON_REQUIRED = "event_reason_required"
    EVENT_NO_HANDLER = "event_no_handler"
    EVENT_CHANGED = "event_changed"
    IF_MATCH_INVALID = "if_match_invalid"
    EVENT_FINISHED = "event_finished"
    RULE_NOT_FOUND = "rule_not_found"
    SENSOR_REFUSED = "sensor_refused"
    SENSOR_EXISTS = "sensor_exists"
    SENSOR_BUSY = "sensor_busy"
    SENSOR_CATEGORY_UNKNOWN = "sensor_category_unknown"


register_messages(
    GridEventsCode,
    {
        GridEventsCode.EVENT_NOT_FOUND: ("事件不存在", "No such event"),
        GridEventsCode.EVENT_REPORT_INVALID: ("上报内容不正确", "The report is not valid"),
        GridEventsCode.EVENT_NO_GRID: ("无法确定所在网格", "The place is in no grid we know"),
        GridEventsCode.EVENT_NEEDS_PLACE: (
            "请提供事件位置,或先在个人资料中设置住址",
            "Give the event's place (lat and lon), or set your home first (PATCH /v1/me)",
        ),
        GridEventsCode.EVENT_TRANSITION_ILLEGAL: (
            "事件当前{state_zh},不能{action_zh};您现在可执行:{allowed_zh}",
            "You cannot {action_en} an event that is {state_en}; you may now: {allowed_en}",
        ),
        GridEventsCode.EVENT_ADMINS_ONLY: (
            "只有事件所在网格的上级管理员可以执行此操作",
            "Only an admin over the event's grid may take this step",
        ),
        GridEventsCode.EVENT_HANDLER_ONLY: (
            "只有承办该事件的网格员可以执行此操作",
            "Only the worker the event is dispatched to may take this step",
        ),
        GridEventsCode.EVENT_OWN_WORK: (
            "处置人不能核查自己处置的事件",
            "The handler may not verify their own work",
        ),
        GridEventsCode.EVENT_STAFF_ONLY: (
            "只有事件的处置人、所在网格的网格员或上级管理员可以执行此操作",
            "Only the event's handler, its grid's workers or the admins over it may take this step",
        ),
        GridEventsCode.EVENT_REASON_REQUIRED: ("请填写原因", "A reason is required"),
        GridEventsCode.EVENT_NO_HANDLER: (
            "没有可派遣的处置人员",
            "Nobody can be dispatched for this event",
        ),
        GridEventsCode.EVENT_CHANGED: (
            "事件已被他人更新,请刷新后重试",
            "The event changed since it was read; read it again and retry",
        ),
        GridEventsCode.IF_MATCH_INVALID: (
            "If-Match 须为事件的版本号",
            "If-Match must carry the event's version",
        ),
        GridEventsCode.EVENT_FINISHED: (
            "事件已结案或注销,不能再添加照片",
            "The event is closed or cancelled; it takes no more photos",
        ),
        GridEventsCode.RULE_NOT_FOUND: ("派遣规则不存在", "No such dispatch rule"),
        GridEventsCode.SENSOR_REFUSED: (
            "设备签名无效或已过期",
            "The reading's signature is not valid",
        ),
        GridEventsCode.SENSOR_EXISTS: (
            "该设备名已登记",
            "A device of this name is already enrolled",
        ),
        GridEventsCode.SENSOR_BUSY: (
            "设备报警过于频繁,请稍后重发",
            "The device alarms too fast; send again",
        ),
        GridEventsCode.SENSOR_CATEGORY_UNKNOWN: ("未知的事件类别", "No such event category"),
    },
)

__all__ = ["GridEventsCode"]
