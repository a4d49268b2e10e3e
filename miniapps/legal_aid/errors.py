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
    NO_COMMUNITY = "legal_no_community"
    MEDIATION_NOT_FOUND = "legal_mediation_not_found"
    INVITED_ONESELF = "legal_mediation_self"
    MEDIATION_STATE = "legal_mediation_state"
    NOT_OTHER_PARTY = "legal_not_other_party"
    INVITE_LAPSED = "legal_invite_lapsed"
    NOT_ON_COMMITTEE = "legal_not_on_committee"
    NOT_A_MEDIATOR = "legal_not_a_mediator"
    MEDIATOR_RECUSED = "legal_mediator_recused"
    NOT_YOUR_MEDIATION = "legal_not_your_mediation"
    SESSION_INVALID = "legal_session_invalid"
    NO_AGREEMENT = "legal_no_agreement"
    AGREEMENT_CHANGED = "legal_agreement_changed"
    AGREEMENT_CONFIRMED = "legal_agreement_confirmed"
    NOT_A_PARTY = "legal_not_a_party"
    MEDIATION_OPEN = "legal_mediation_open"
    PARTIES_ONLY = "legal_mediation_parties_only"
    CASE_NOT_FOUND = "legal_case_not_found"
    REFUSAL_NOT_FOUND = "legal_refusal_not_found"
    NOT_YOUR_REFUSAL = "legal_not_your_refusal"
    REFUSAL_STATE = "legal_refusal_state"
    OBJECTION_LATE = "legal_objection_late"
    NOT_CENTRE = "legal_not_centre"
    CASE_STATE = "legal_case_state"
    LAWYER_CONFLICTED = "legal_lawyer_conflicted"
    LAWYER_OFF_DUTY = "legal_lawyer_off_duty"
    NO_LAWYER_FREE = "legal_no_lawyer_free"
    NOT_YOUR_CASE = "legal_not_your_case"
    HEARING_INVALID = "legal_hearing_invalid"
    CASE_RATED = "legal_case_rated"


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
        LegalProblem.NO_COMMUNITY: (
            "请先在个人资料中设置住址,以便由所在社区的调解委员会受理",
            "Set your home first, so your community's mediation committee takes it",
        ),
        LegalProblem.MEDIATION_NOT_FOUND: ("找不到该调解", "No such mediation"),
        LegalProblem.INVITED_ONESELF: (
            "对方当事人不能是您自己",
            "The other party cannot be yourself",
        ),
        LegalProblem.MEDIATION_STATE: (
            "该调解当前({status})不能进行此操作",
            "This mediation is {status}: not a step it takes now",
        ),
        LegalProblem.NOT_OTHER_PARTY: (
            "仅受邀的对方当事人可以答复邀请",
            "Only the invited party answers the invitation",
        ),
        LegalProblem.INVITE_LAPSED: (
            "答复邀请的期限已过",
            "The time to answer the invitation is over",
        ),
        LegalProblem.NOT_ON_COMMITTEE: (
            "仅该社区调解委员会的调解员或区级管理员可以操作",
            "Only a mediator of the community's committee or a district admin may do this",
        ),
        LegalProblem.NOT_A_MEDIATOR: (
            "该用户不是本社区调解委员会的调解员",
            "This person is no mediator of the community's committee",
        ),
        LegalProblem.MEDIATOR_RECUSED: (
            "该调解员须回避,不能承办此调解",
            "This mediator is recused from this mediation",
        ),
        LegalProblem.NOT_YOUR_MEDIATION: (
            "仅承办的调解员可以操作",
            "Only the assigned mediator may do this",
        ),
        LegalProblem.SESSION_INVALID: (
            "调解时间须在将来 180 天以内",
            "A session must be in the future, within 180 days",
        ),
        LegalProblem.NO_AGREEMENT: ("尚无调解协议", "There is no agreement yet"),
        LegalProblem.AGREEMENT_CHANGED: (
            "协议内容已变更,请阅读最新文本后再确认",
            "The agreement changed since: read it again before confirming",
        ),
        LegalProblem.AGREEMENT_CONFIRMED: ("您已确认过该协议", "You confirmed it already"),
        LegalProblem.NOT_A_PARTY: (
            "调解员只能申请自行回避;要求其他调解员回避须由当事人提出",
            "A mediator steps aside of their own accord; only a party asks another to",
        ),
        LegalProblem.PARTIES_ONLY: (
            "仅双方当事人可以确认调解协议",
            "Only the two parties confirm the agreement",
        ),
        LegalProblem.MEDIATION_OPEN: (
            "您与对方已有进行中的调解申请,或待答复的邀请已达 {most} 件",
            "You have an open mediation with this party, or {most} invitations waiting",
        ),
        LegalProblem.CASE_NOT_FOUND: ("找不到该法律援助案件", "No such legal-aid case"),
        LegalProblem.REFUSAL_NOT_FOUND: ("找不到该不予援助决定", "No such refusal"),
        LegalProblem.NOT_YOUR_REFUSAL: (
            "仅申请人可以提出异议",
            "Only the applicant objects to a refusal",
        ),
        LegalProblem.REFUSAL_STATE: (
            "该决定当前({status})不能进行此操作",
            "This refusal is {status}: not a step it takes now",
        ),
        LegalProblem.OBJECTION_LATE: (
            "提出异议的期限已过",
            "The time to object is over",
        ),
        LegalProblem.NOT_CENTRE: (
            "仅本区法律援助中心或区级管理员可以操作",
            "Only the district's legal-aid centre or its admins may do this",
        ),
        LegalProblem.CASE_STATE: (
            "该案件当前({status})不能进行此操作",
            "This case is {status}: not a step it takes now",
        ),
        LegalProblem.LAWYER_CONFLICTED: (
            "该律师与本案存在利益冲突,须回避",
            "This lawyer has a conflict of interest in the case",
        ),
        LegalProblem.LAWYER_OFF_DUTY: (
            "该律师当前不在值班,不能指派",
            "This lawyer is not on duty now",
        ),
        LegalProblem.NO_LAWYER_FREE: (
            "本区当前没有可指派的值班律师",
            "No lawyer of the district is on duty and free of conflicts",
        ),
        LegalProblem.NOT_YOUR_CASE: ("仅承办律师可以操作", "Only the case's lawyer may do this"),
        LegalProblem.HEARING_INVALID: (
            "开庭时间须在将来一年以内",
            "A hearing must be in the future, within a year",
        ),
        LegalProblem.CASE_RATED: (
            "案件结案后方可评价,且只能评价一次",
            "A case is rated once, after it closes",
        ),
    },
)
