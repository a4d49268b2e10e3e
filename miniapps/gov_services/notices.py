"""Who hears of an application's change, made from its one `application_moved` event (so a
change writes one outbox row, and its notices follow from it once it has committed).

The resident hears of each step with `notify` that their case reaches, in that step's
resident text, and always of what asks something of them or ends the case: a 补正, an
extension (行政许可法 Art. 42: the applicant is told why), a rejection, the delivery. The
staff of the step's role at the org the case reaches hear of new work there."""

from __future__ import annotations

from backend.sdk import Audience, Event, JobContext, Role, Template, notify
from miniapps.gov_services.document import Step, Texts
from miniapps.gov_services.offered import item_names, pinned_document
from miniapps.gov_services.states import Action, ApplicationMoved

APP_ID = "gov_services"

PROGRESS = Template(
    key="gov_services.progress",
    category=APP_ID,
    titles={"zh-CN": "{item}({ref})", "en": "{item} ({ref})"},
    bodies={"zh-CN": "{text_zh}", "en": "{text_en}"},
)
NEW_WORK = Template(
    key="gov_services.new_work",
    category=APP_ID,
    titles={"zh-CN": "新办件:{item}({ref})", "en": "New application: {item} ({ref})"},
    bodies={"zh-CN": "待{step_zh}", "en": "To do: {step_en}"},
)
# The case reaches a step: its resident text, if the step notifies; new work for its staff.
REACHES_STEP = frozenset(
    {Action.SUBMIT, Action.ACCEPT, Action.ADVANCE, Action.DECIDE, Action.RELEASE_WAITING}
)
BACK_TO_STAFF = REACHES_STEP | {Action.SUPPLEMENT}
ALWAYS_TOLD: dict[str, Texts] = {
    Action.RETURN_FOR_SUPPLEMENT: Texts(
        zh_cn="您的办件需要补正,请按补正告知清单一次性补齐后提交",
        en="Your application needs more: see the list of what is missing, and send it all at once",
    ),
    Action.EXTEND: Texts(
        zh_cn="您的办件已依法延长办理期限,请在办件详情中查看新的办结时限和延期理由",
        en="The time limit of your application was extended; see its new due date and the reason",
    ),
    Action.REJECT: Texts(
        zh_cn="您的申请未予通过,请在办件详情中查看理由",
        en="Your application was not granted; see the reason in its details",
    ),
    Action.DELIVER: Texts(
        zh_cn="您的办件已办结,结果已送达",
        en="Your application is complete and its result delivered",
    ),
}


def resident_link(application_id: int) -> str:
    return f"yimen://miniapps/{APP_ID}/applications/{application_id}"


def work_link(application_id: int) -> str:
    return f"yimen://miniapps/{APP_ID}/work/{application_id}"


async def tell_of_move(event: Event, job: JobContext) -> None:
    """The notices of one change of an application."""
    moved: ApplicationMoved = event.payload
    document = await pinned_document(moved.item_version_id)
    step = document.step(moved.step) if moved.step else None
    text = resident_text(moved, step)
    staff = step if moved.action in BACK_TO_STAFF and step is not None else None
    if text is None and staff is None:
        return
    item = await _item_name(moved.item_id)
    if text is not None:
        await _tell_resident(moved, item, text)
    if staff is not None:
        await _tell_staff(moved, item, staff)


def resident_text(moved: ApplicationMoved, step: Step | None) -> Texts | None:
    """What the resident is told of the change, if anything."""
    if moved.action in ALWAYS_TOLD:
        return ALWAYS_TOLD[moved.action]
    if moved.action in REACHES_STEP and step is not None and step.notify:
        return step.resident_text
    return None


async def _tell_resident(moved: ApplicationMoved, item: str, text: Texts) -> None:
    await notify(
        audience=Audience.users(moved.applicant_id),
        template=PROGRESS,
        source=APP_ID,
        data={"item": item, "ref": moved.ref, "text_zh": text.zh_cn, "text_en": text.en},
        collapse_key=f"{APP_ID}.{moved.application_id}",
        deep_link=resident_link(moved.application_id),
    )


async def _tell_staff(moved: ApplicationMoved, item: str, step: Step) -> None:
    await notify(
        audience=Audience.role_within(Role(step.role), moved.assignee_org),
        template=NEW_WORK,
        source=APP_ID,
        data={"item": item, "ref": moved.ref, "step_zh": step.name.zh_cn, "step_en": step.name.en},
        collapse_key=f"{APP_ID}.work.{moved.application_id}",
        deep_link=work_link(moved.application_id),
    )


async def _item_name(item_id: int) -> str:
    names = await item_names({item_id})
    return names[item_id][1] if item_id in names else ""
