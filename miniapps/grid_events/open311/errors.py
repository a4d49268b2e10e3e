"""The error codes of the Open311 GeoReport v2 face of grid events."""

from __future__ import annotations

from backend.sdk import ErrorCode, register_messages


class Open311Code(ErrorCode):
    """What the Open311 endpoints refuse in a filter or a posted request."""

    OPEN311_SERVICE_UNKNOWN = "open311_service_unknown"
    OPEN311_JURISDICTION_INVALID = "open311_jurisdiction_invalid"
    OPEN311_JURISDICTION_UNKNOWN = "open311_jurisdiction_unknown"
    OPEN311_DATE_OUT_OF_RANGE = "open311_date_out_of_range"
    OPEN311_DATES_REVERSED = "open311_dates_reversed"
    OPEN311_REQUEST_ID_INVALID = "open311_request_id_invalid"


register_messages(
    Open311Code,
    {
        Open311Code.OPEN311_SERVICE_UNKNOWN: (
            "没有该服务类别",
            "No such service; see services.json",
        ),
        Open311Code.OPEN311_JURISDICTION_INVALID: (
            "辖区须为市或区的路径,例如 zz/gx",
            "The jurisdiction must be the city's or a district's path, e.g. zz/gx",
        ),
        Open311Code.OPEN311_JURISDICTION_UNKNOWN: ("没有该辖区", "No such jurisdiction"),
        Open311Code.OPEN311_DATE_OUT_OF_RANGE: ("日期超出范围", "The date is out of range"),
        Open311Code.OPEN311_DATES_REVERSED: (
            "开始日期晚于结束日期",
            "The start date is after the end date",
        ),
        Open311Code.OPEN311_REQUEST_ID_INVALID: (
            "请求编号须为至多 100 个以逗号分隔的正整数",
            "Request ids must be at most 100 positive integers, separated by commas",
        ),
    },
)

__all__ = ["Open311Code"]
