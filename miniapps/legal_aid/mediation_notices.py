"""What people's mediation tells its parties, its committee and its mediator."""

from __future__ import annotations

import datetime as dt

from backend.sdk import Template
from miniapps.legal_aid.hours import CITY_TIME
from miniapps.legal_aid.notices import PART


def _notice(key: str, title: tuple[str, str], body: tuple[str, str]) -> Template:
    return Template(
        key=f"legal_aid.{key}",
        category=PART,
        titles={"zh-CN": title[0], "en": title[1]},
        bodies={"zh-CN": body[0], "en": body[1]},
    )


INVITED = _notice(
    "mediation_invited",
    ("人民调解邀请", "An invitation to mediation"),
    (
        "{name}申请人民调解,邀请您参加,请在{due}前答复",
        "{name} asks for a mediation with you; answer by {due}",
    ),
)
MEDIATION_ACCEPTED = _notice(
    "mediation_accepted",
    ("对方同意调解", "The other party agreed"),
    ("对方同意参加调解,调解委员会将指派调解员", "A mediator is to be assigned"),
)
MEDIATION_DECLINED = _notice(
    "mediation_declined",
    ("对方拒绝调解", "The other party declined"),
    ("对方不同意调解,本次申请已结束", "Your application for mediation is closed"),
)
MEDIATION_LAPSED = _notice(
    "mediation_lapsed",
    ("对方未在期限内答复", "No answer in time"),
    ("对方未在期限内答复,本次调解申请已结束", "Your application for mediation is closed"),
)
TO_ASSIGN = _notice(
    "mediation_to_assign",
    ("待指派调解员", "A mediation to assign"),
    ("一件{category}纠纷待指派调解员", "A {category} dispute waits for a mediator"),
)
ASSIGNED = _notice(
    "mediation_assigned",
    ("调解指派", "A mediation for you"),
    ("您被指派调解一件{category}纠纷", "You mediate a {category} dispute"),
)
SESSION_SET = _notice(
    "mediation_session",
    ("调解时间已确定", "A mediation session"),
    ("调解将于{when}在{place}进行", "Your mediation meets at {when}, {place}"),
)
SESSION_SOON = _notice(
    "mediation_session_soon",
    ("明日调解提醒", "Mediation tomorrow"),
    ("调解将于{when}在{place}进行,请准时参加", "Your mediation meets at {when}, {place}"),
)
AGREEMENT_READY = _notice(
    "mediation_agreement",
    ("请确认调解协议", "Confirm the agreement"),
    ("调解协议已拟定,请阅读并确认", "The agreement is written: read and confirm it"),
)
SETTLED = _notice(
    "mediation_settled",
    ("调解成功", "Mediation settled"),
    (
        "双方已确认调解协议,可在{due}前申请司法确认",
        "Both parties confirmed the agreement; a court may confirm it until {due}",
    ),
)
FAILED = _notice(
    "mediation_failed",
    ("调解未成功", "Mediation ended"),
    ("调解未达成协议:{reason}", "No agreement was reached: {reason}"),
)
COURT_SOON = _notice(
    "mediation_court_due",
    ("司法确认提醒", "Judicial confirmation"),
    (
        "如需申请司法确认,请在{due}前向人民法院提出",
        "To have a court confirm the agreement, apply by {due}",
    ),
)


def mediation_link(mediation_id: int) -> str:
    return f"yimen://miniapps/legal_aid/mediations/{mediation_id}"


def shown(at: dt.datetime) -> str:
    """A moment as the city reads it."""
    return at.astimezone(CITY_TIME).strftime("%Y-%m-%d %H:%M")
