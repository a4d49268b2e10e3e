"""The health code mini-app's error codes.

The enum is `HealthProblem`, not `HealthCode`: in this app a "code" is the resident's
health code itself (see `codes.py`)."""

from __future__ import annotations

from backend.sdk import ErrorCode, register_messages


class HealthProblem(ErrorCode):
    """What the health code app refuses: residents, codes, places, statuses and areas."""

    HOLDER_NOT_FOUND = "holder_not_found"
    HOLDER_KEY_INVALID = "holder_key_invalid"
    DEVICE_NOT_ENROLLED = "device_not_enrolled"
    CODE_NOT_YOURS = "code_not_yours"
    BAD_FORMAT = "bad_format"
    STATUS_VALIDITY_PAST = "status_validity_past"
    STATUS_VALIDITY_TOO_FAR = "status_validity_too_far"
    BULK_STATUS_INVALID = "bulk_status_invalid"
    PLACE_NOT_FOUND = "place_not_found"
    PLACE_CODE_INVALID = "place_code_invalid"
    TRACE_WINDOW_INVALID = "trace_window_invalid"
    COMMUNITY_UNKNOWN = "community_unknown"
    DISTRICT_UNKNOWN = "district_unknown"


register_messages(
    HealthProblem,
    {
        HealthProblem.HOLDER_NOT_FOUND: ("找不到该居民", "No such resident in your area"),
        HealthProblem.HOLDER_KEY_INVALID: ("设备公钥无效", "The phone's public key is not valid"),
        HealthProblem.DEVICE_NOT_ENROLLED: (
            "请先在本机开通健康码",
            "Enrol this phone for the health code first",
        ),
        HealthProblem.CODE_NOT_YOURS: ("不是本人的有效健康码", "This is not your own valid code"),
        HealthProblem.BAD_FORMAT: (
            "这不是一个格式正确的健康码",
            "This is not a health code in its one valid form",
        ),
        HealthProblem.STATUS_VALIDITY_PAST: (
            "有效期须晚于当前时间",
            "The validity must end in the future",
        ),
        HealthProblem.STATUS_VALIDITY_TOO_FAR: (
            "有效期最长一年",
            "The validity may end a year from now at the latest",
        ),
        HealthProblem.BULK_STATUS_INVALID: (
            "批量导入有误,未做任何修改",
            "The upload has errors; nothing changed",
        ),
        HealthProblem.PLACE_NOT_FOUND: ("场所不存在", "No such place"),
        HealthProblem.PLACE_CODE_INVALID: ("场所码无效", "This place code is not valid"),
        HealthProblem.TRACE_WINDOW_INVALID: (
            "查询时间范围无效(最长28天)",
            "The time window is not valid (28 days at most)",
        ),
        HealthProblem.COMMUNITY_UNKNOWN: ("社区不存在", "No such community"),
        HealthProblem.DISTRICT_UNKNOWN: ("区县不存在", "No such district"),
    },
)

__all__ = ["HealthProblem"]
