"""Push's error codes."""

from __future__ import annotations

from backend.kernel.codes import ErrorCode, register_messages


class PushCode(ErrorCode):
    """What push answers about devices, the inbox and notifications it does not have."""

    DEVICE_NOT_FOUND = "device_not_found"
    INBOX_ITEM_NOT_FOUND = "inbox_item_not_found"
    NOTIFICATION_NOT_FOUND = "notification_not_found"


register_messages(
    PushCode,
    {
        PushCode.DEVICE_NOT_FOUND: ("设备不存在", "No such device"),
        PushCode.INBOX_ITEM_NOT_FOUND: ("消息不存在", "No such message"),
        PushCode.NOTIFICATION_NOT_FOUND: ("通知不存在", "No such notification"),
    },
)

__all__ = ["PushCode"]
