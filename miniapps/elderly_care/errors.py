"""The elderly care mini-app's error codes."""

from __future__ import annotations

from backend.sdk import ErrorCode, register_messages


class CareProblem(ErrorCode):
    """What elderly care refuses: enrolments and family circles."""

    ELDER_NOT_FOUND = "elder_not_found"
    PERSON_NOT_FOUND = "person_not_found"
    HOME_UNKNOWN = "home_unknown"
    ALREADY_ENROLLED = "already_enrolled"
    BINDING_TO_SELF = "binding_to_self"
    BINDING_OPEN = "binding_open"
    BINDING_NOT_FOUND = "binding_not_found"
    BINDING_NOT_PENDING = "binding_not_pending"
    REASON_REQUIRED = "reason_required"
    CARE_STAFF_ONLY = "care_staff_only"
    WORKER_NOT_IN_SCOPE = "worker_not_in_scope"


register_messages(
    CareProblem,
    {
        CareProblem.ELDER_NOT_FOUND: ("找不到这位老人", "No such elder"),
        CareProblem.PERSON_NOT_FOUND: ("找不到该居民", "No such resident in your area"),
        CareProblem.HOME_UNKNOWN: (
            "请先登记住址所在网格",
            "The resident's home grid must be known first",
        ),
        CareProblem.ALREADY_ENROLLED: ("已建立养老档案", "Already enrolled in elderly care"),
        CareProblem.BINDING_TO_SELF: ("不能关联自己", "One cannot join one's own family circle"),
        CareProblem.BINDING_OPEN: (
            "已申请或已关联这位老人",
            "You have already asked to join, or are in, this elder's circle",
        ),
        CareProblem.BINDING_NOT_FOUND: ("找不到该亲情关联", "No such family binding"),
        CareProblem.BINDING_NOT_PENDING: (
            "该申请已处理",
            "This request has already been decided",
        ),
        CareProblem.CARE_STAFF_ONLY: (
            "仅负责该网格的养老工作人员可修改",
            "Only care staff over the elder's grid may change this",
        ),
        CareProblem.WORKER_NOT_IN_SCOPE: (
            "该人员不负责老人所在网格",
            "That worker does not hold the role over the elder's grid",
        ),
        CareProblem.REASON_REQUIRED: (
            "代老人操作须填写原因",
            "Acting for the elder needs a reason",
        ),
    },
)

__all__ = ["CareProblem"]
