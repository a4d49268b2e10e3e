"""The legal services mini-app's error codes."""

from __future__ import annotations

from backend.sdk import ErrorCode, register_messages


class LegalProblem(ErrorCode):
    """What legal services refuse: the directory of stations and lawyers, their duty, and
    consultations."""

    STATION_NOT_FOUND = "legal_station_not_found"
    NOT_DISTRICT_ADMIN = "legal_not_district_admin"
    NOT_A_LAWYER = "legal_not_a_lawyer"
    LAWYER_NOT_FOUND = "legal_lawyer_not_found"
    LAWYER_LISTED = "legal_lawyer_listed"
    SHIFT_INVALID = "legal_shift_invalid"
    NO_DISTRICT = "legal_no_district"
    CONSULTATION_NOT_FOUND = "legal_consultation_not_found"
    CONSULTATION_CLOSED = "legal_consultation_closed"
    NOT_YOUR_CONSULTATION = "legal_not_your_consultation"
    NOT_IN_POOL = "legal_not_in_pool"
    NOT_ANSWERED = "legal_not_answered"
    RATED = "legal_rated"
    ATTACHMENTS_FULL = "legal_attachments_full"
    ATTACHMENT_NOT_FOUND = "legal_attachment_not_found"


register_messages(
    LegalProblem,
    {
        LegalProblem.STATION_NOT_FOUND: ("找不到该法律服务机构", "No such legal service station"),
        LegalProblem.NOT_DISTRICT_ADMIN: (
            "仅该区的区级管理员可以操作",
            "Only a district admin over the district may do this",
        ),
        LegalProblem.NOT_A_LAWYER: (
            "该用户在本区没有律师角色",
            "This person holds no lawyer role in the district",
        ),
        LegalProblem.LAWYER_NOT_FOUND: ("找不到该律师", "No such lawyer"),
        LegalProblem.LAWYER_LISTED: (
            "该律师已登记在一个机构",
            "This lawyer is listed at a station already",
        ),
        LegalProblem.SHIFT_INVALID: (
            "值班须先开始后结束,且不超过 14 天",
            "A shift must end after it starts, within 14 days",
        ),
        LegalProblem.NO_DISTRICT: (
            "请先在个人资料中设置住址,以便分派本区律师",
            "Set your home first, so a lawyer of your district can answer",
        ),
        LegalProblem.CONSULTATION_NOT_FOUND: ("找不到该咨询", "No such consultation"),
        LegalProblem.CONSULTATION_CLOSED: ("该咨询已结束", "This consultation is closed"),
        LegalProblem.NOT_YOUR_CONSULTATION: (
            "仅提问人和承办律师可以回复",
            "Only the one who asked and the assigned lawyer write here",
        ),
        LegalProblem.NOT_IN_POOL: (
            "该咨询已分派,或不在您所在机构的待领池中",
            "This consultation is assigned, or not in your station's pool",
        ),
        LegalProblem.NOT_ANSWERED: ("律师答复后才能评价", "Rate it once a lawyer has answered"),
        LegalProblem.RATED: ("已评价过", "Rated already"),
        LegalProblem.ATTACHMENTS_FULL: (
            "每条咨询最多 {most} 个附件",
            "A consultation takes at most {most} attachments",
        ),
        LegalProblem.ATTACHMENT_NOT_FOUND: ("找不到该附件", "No such attachment"),
    },
)
