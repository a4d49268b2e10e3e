"""What legal-aid cases tell their applicant, their lawyer and the centre."""

from __future__ import annotations

from backend.sdk import Template
from miniapps.legal_aid.notices import PART


def _notice(key: str, title: tuple[str, str], body: tuple[str, str]) -> Template:
    return Template(
        key=f"legal_aid.{key}",
        category=PART,
        titles={"zh-CN": title[0], "en": title[1]},
        bodies={"zh-CN": body[0], "en": body[1]},
    )


CASE_OPENED = _notice(
    "case_opened",
    ("法律援助已批准", "Legal aid granted"),
    (
        "您的法律援助申请{ref}已批准,将在3个工作日内指派律师",
        "A lawyer is assigned within 3 working days",
    ),
)
CASE_TO_ASSIGN = _notice(
    "case_to_assign",
    ("待指派援助律师", "A case to assign"),
    ("法律援助案件{ref}待指派律师", "Legal-aid case {ref} waits for a lawyer"),
)
CASE_ASSIGNED = _notice(
    "case_assigned",
    ("已指派援助律师", "Your lawyer"),
    ("法律援助案件{ref}已指派律师{lawyer}", "Case {ref} is assigned to {lawyer}"),
)
CASE_OVERDUE = _notice(
    "case_overdue",
    ("援助案件超时未指派", "A case waits too long"),
    (
        "法律援助案件{ref}已超过3个工作日未指派律师,请督办",
        "Case {ref} has no lawyer after 3 working days",
    ),
)
HEARING_SET = _notice(
    "hearing_set",
    ("开庭通知", "A hearing"),
    ("您的案件将于{when}在{court}开庭", "Your case is heard at {when}, {court}"),
)
HEARING_SOON = _notice(
    "hearing_soon",
    ("明日开庭提醒", "Hearing tomorrow"),
    ("您的案件将于{when}在{court}开庭,请准时到庭", "Your case is heard at {when}, {court}"),
)
CLOSE_OUT_FILED = _notice(
    "close_out_filed",
    ("结案材料待审查", "A close-out to review"),
    ("法律援助案件{ref}已提交结案材料", "Case {ref} is filed for closing"),
)
CLOSE_OUT_RETURNED = _notice(
    "close_out_returned",
    ("结案材料被退回", "Close-out returned"),
    ("法律援助案件{ref}的结案材料需补充", "Case {ref}'s close-out needs more"),
)
CASE_CLOSED = _notice(
    "case_closed",
    ("案件已结案", "Case closed"),
    ("您的法律援助案件{ref}已结案,欢迎评价承办律师", "Case {ref} is closed; rate your lawyer"),
)


def case_link(case_id: int) -> str:
    return f"yimen://miniapps/legal_aid/cases/{case_id}"


def refusal_link(refusal_id: int) -> str:
    return f"yimen://miniapps/legal_aid/refusals/{refusal_id}"


OBJECTION_TO_REVIEW = _notice(
    "objection_to_review",
    ("法律援助异议待审查", "An objection to review"),
    ("申请{ref}不予援助的决定被提出异议,请在5个工作日内审查", "Review the objection to {ref}"),
)
OBJECTION_OVERDUE = _notice(
    "objection_overdue",
    ("异议审查超时", "An objection waits too long"),
    ("申请{ref}的异议超过5个工作日未审查,请督办", "The objection to {ref} is past its time"),
)
REFUSAL_UPHELD = _notice(
    "refusal_upheld",
    ("维持不予援助决定", "The refusal stands"),
    ("经审查,维持对申请{ref}不予法律援助的决定:{note}", "The refusal of {ref} stands: {note}"),
)
REFUSAL_OVERTURNED = _notice(
    "refusal_overturned",
    ("异议成立", "Your objection is upheld"),
    ("经审查,申请{ref}将获得法律援助,正在指派律师", "{ref} is granted legal aid after all"),
)
