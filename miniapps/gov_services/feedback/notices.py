"""Whom 好差评 tells: the handling org's officers of a rectification a bad rating opened, the
approvers over the org of an appeal to decide, and the staff who appealed of the decision.
The resident's comment is never in a notice: it is read in the app, behind its scope."""

from __future__ import annotations

import datetime as dt

from backend.sdk import Audience, Role, Template, notify

SOURCE = "gov_services"

RECTIFICATION_OPENED = Template(
    key="gov_services.rectification_opened",
    category="gov_services",
    titles={"zh-CN": "差评整改:办件{ref}", "en": "Rectification: application {ref}"},
    bodies={
        "zh-CN": "申请人评价为{level_zh},请于{due_date}前整改、答复并回访",
        "en": "Rated {level_en}; reply and visit the applicant by {due_date}",
    },
)
APPEAL_REQUESTED = Template(
    key="gov_services.appeal_requested",
    category="gov_services",
    titles={"zh-CN": "差评申诉待复核", "en": "A rating appeal awaits review"},
    bodies={"zh-CN": "办件{ref}的评价被申诉为恶意差评", "en": "The rating of {ref} is appealed"},
)
APPEAL_DECIDED = Template(
    key="gov_services.appeal_decided",
    category="gov_services",
    titles={"zh-CN": "差评申诉已复核", "en": "Your rating appeal was decided"},
    bodies={"zh-CN": "办件{ref}:{outcome_zh}", "en": "Application {ref}: {outcome_en}"},
)


def _link(kind: str, row_id: int) -> str:
    return f"yimen://miniapps/gov_services/{kind}/{row_id}"


async def rectification_opened(
    *, rectification_id: int, org: str, ref: str, level: tuple[str, str], due_date: dt.date
) -> None:
    await notify(
        audience=Audience.role_within(Role.SERVICE_OFFICER, org),
        template=RECTIFICATION_OPENED,
        data={
            "ref": ref,
            "level_zh": level[0],
            "level_en": level[1],
            "due_date": due_date.isoformat(),
        },
        source=SOURCE,
        deep_link=_link("rectifications", rectification_id),
    )


async def appeal_requested(*, appeal_id: int, org: str, ref: str) -> None:
    """The approvers who hold the org or an org above it decide its appeals."""
    await notify(
        audience=Audience.role_above(Role.SERVICE_APPROVER, org),
        template=APPEAL_REQUESTED,
        data={"ref": ref},
        source=SOURCE,
        deep_link=_link("rating-appeals", appeal_id),
    )


async def appeal_decided(*, appeal_id: int, requested_by: int, ref: str, upheld: bool) -> None:
    outcome = ("申诉成立,该评价不计入统计", "upheld; the rating is not counted")
    if not upheld:
        outcome = ("申诉不成立,评价维持", "dismissed; the rating stands")
    await notify(
        audience=Audience.users(requested_by),
        template=APPEAL_DECIDED,
        data={"ref": ref, "outcome_zh": outcome[0], "outcome_en": outcome[1]},
        source=SOURCE,
        deep_link=_link("rating-appeals", appeal_id),
    )
