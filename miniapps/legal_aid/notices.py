"""What legal services tell people, and where a notice opens in the app."""

from __future__ import annotations

from backend.sdk import Template

PART = "legal_aid"

NEW_QUESTION = Template(
    key="legal_aid.new_question",
    category=PART,
    titles={"zh-CN": "新的法律咨询", "en": "A new legal question"},
    bodies={"zh-CN": "您有一条{category}咨询待答复", "en": "A {category} question waits for you"},
)
NEW_REPLY = Template(
    key="legal_aid.new_reply",
    category=PART,
    titles={"zh-CN": "咨询有新回复", "en": "A new reply"},
    bodies={"zh-CN": "您的法律咨询有新回复", "en": "Your legal consultation has a new reply"},
)
WAITING_TOO_LONG = Template(
    key="legal_aid.waiting_too_long",
    category=PART,
    titles={"zh-CN": "咨询超时未答复", "en": "A question waits too long"},
    bodies={
        "zh-CN": "一条{category}咨询超过时限未答复,请督办",
        "en": "A {category} question is past its time unanswered; see to it",
    },
)


def consultation_link(consultation_id: int) -> str:
    return f"yimen://miniapps/legal_aid/consultations/{consultation_id}"
