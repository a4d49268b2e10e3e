"""The service engine's error codes."""

from __future__ import annotations

from backend.sdk import ErrorCode, register_messages


class GovServicesCode(ErrorCode):
    """What the service engine refuses: item documents, a resident's answers, eligibility."""

    DOCUMENT_INVALID = "document_invalid"
    ANSWERS_INVALID = "answers_invalid"
    NOT_ELIGIBLE = "not_eligible"


register_messages(
    GovServicesCode,
    {
        GovServicesCode.DOCUMENT_INVALID: (
            "事项配置不正确,请按所列问题修改",
            "The item's document is not valid; fix each problem listed",
        ),
        GovServicesCode.ANSWERS_INVALID: (
            "填写内容不正确,请按所列问题修改",
            "Some answers are not valid; fix each one listed",
        ),
        GovServicesCode.NOT_ELIGIBLE: (
            "不符合申办条件",
            "You do not meet the conditions to apply",
        ),
    },
)

__all__ = ["GovServicesCode"]
