"""The service engine's error codes, each with its message in zh-CN and en."""

from __future__ import annotations

from backend.sdk import ErrorCode, register_messages


class GovServicesCode(ErrorCode):
    """What the service engine refuses."""

    APPLICATION_NOT_FOUND = "application_not_found"
    APPLICATION_CHANGED = "application_changed"
    APPLICATION_ACTION_ILLEGAL = "application_action_illegal"
    APPLICATION_NOT_YOURS = "application_not_yours"
    APPLICATION_OUTSIDE_SCOPE = "application_outside_scope"
    APPLICATION_CLAIMED = "application_claimed"
    APPLICATION_IF_MATCH_INVALID = "application_if_match_invalid"
    DOCUMENT_INVALID = "document_invalid"
    ANSWERS_INVALID = "answers_invalid"
    NOT_ELIGIBLE = "not_eligible"


register_messages(
    GovServicesCode,
    {
        GovServicesCode.APPLICATION_NOT_FOUND: ("办件不存在", "No such application"),
        GovServicesCode.APPLICATION_CHANGED: (
            "办件已被他人修改,请刷新后重试",
            "The application changed since it was read; reload it and try again",
        ),
        GovServicesCode.APPLICATION_ACTION_ILLEGAL: (
            "办件当前环节不能进行此操作",
            "The application's current step does not take this action",
        ),
        GovServicesCode.APPLICATION_NOT_YOURS: (
            "只有申请人本人可以进行此操作",
            "Only the applicant may do this",
        ),
        GovServicesCode.APPLICATION_OUTSIDE_SCOPE: (
            "该办件不在您的岗位或管辖范围内",
            "The application is outside your role or your area",
        ),
        GovServicesCode.APPLICATION_CLAIMED: (
            "办件已由其他工作人员认领",
            "Another officer has claimed the application",
        ),
        GovServicesCode.APPLICATION_IF_MATCH_INVALID: (
            "If-Match 应为办件的版本号",
            "If-Match must name the application's version",
        ),
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
