"""A bundle's waiting members start when the members they depend on are done.

On each `application_moved` that delivers a case with its request granted, the licence
sources that learn of deliveries hear of it first (the demo's records the 出生医学证明 it
issued), and then each member of the case's bundle that waited for it, and for nothing
else not done, is released: `RELEASE_WAITING` makes it a draft again, read afresh from its
applicant's licences (now holding the new one: its prefilled fields, the shared fields the
licence fills, the licences the resident agreed at submit to give when issued), and it is
submitted the way any draft is. A member that still lacks something stays a draft for its
applicant to complete; the release told them so through its event.

A re-delivered event finds the members it released no longer waiting and does nothing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backend.sdk import Event, JobContext, Unprocessable, json_value, unit_of_work
from miniapps.gov_services import cases
from miniapps.gov_services.applicant import Applicant, prefill
from miniapps.gov_services.applying import prefilled_of, the_applicant_of
from miniapps.gov_services.bundle_giving import Given, give_licences
from miniapps.gov_services.bundle_model import BundleDefinition
from miniapps.gov_services.bundle_progress import bundle_of, children_by_code, is_done, waiting_for
from miniapps.gov_services.document import ItemDocument, prefill_values
from miniapps.gov_services.licences.issued import Delivered, LearnsOfDeliveries
from miniapps.gov_services.licences.provider import Licences
from miniapps.gov_services.offered import item_names, pinned_document
from miniapps.gov_services.states import Action, ApplicationMoved, Status
from miniapps.gov_services.submitting import checked_answers, submitted
from miniapps.gov_services.tables import Application, BundleApplication

Row = dict[str, Any]


def is_delivery(event: Event) -> bool:
    """The moves `follow_delivery` runs for: a delivery (送达), the last step."""
    moved: ApplicationMoved = event.payload
    return moved.action == Action.DELIVER


async def follow_delivery(event: Event, job: JobContext) -> None:
    """The handler of `gov_services.application_moved`: after a granted delivery, what it
    issued is learnt and the bundle members waiting for it are released."""
    moved: ApplicationMoved = event.payload  # a delivery: `is_delivery` picked it
    case = await cases.case_by_id(moved.application_id)
    if not is_done(case):
        return
    licences = job.services.runtime(Licences)
    await tell_sources(case, licences)
    if case["bundle_id"] is not None:
        await release_ready(case["bundle_id"], licences=licences)


async def tell_sources(case: Mapping[str, Any], licences: Licences) -> None:
    """Each licence source that learns of deliveries hears of this one."""
    names = await item_names({case["item_id"]})
    delivered = Delivered(
        application_id=case["id"],
        ref=case["ref_no"],
        item_code=names[case["item_id"]][0],
        applicant_id=case["applicant_id"],
        answers=json_value(case["answers"]) or {},
    )
    for source in licences.providers.values():
        if isinstance(source, LearnsOfDeliveries):
            await source.learn(delivered)


async def release_ready(bundle_id: int, *, licences: Licences) -> list[str]:
    """Release each member of the bundle that waits and whose prerequisites are all done,
    in one unit of work; the item codes of those released."""
    bundle = await BundleApplication.select().where(BundleApplication.id == bundle_id).first()
    if bundle is None:
        return []
    _, definition = await bundle_of(bundle)
    children = await children_by_code(bundle_id)
    ready = [
        code
        for code, row in children.items()
        if row["status"] == Status.WAITING and not waiting_for(definition, code, children)
    ]
    if not ready:
        return []
    who = await the_applicant_of(children[ready[0]], licences)
    if who is None:  # the applicant's account is gone: nobody to apply for
        return []
    docs = {code: await pinned_document(row["item_version_id"]) for code, row in children.items()}
    async with unit_of_work():
        for code in ready:
            await release(children[code], code, bundle, definition, docs, who)
    return ready


async def release(
    child: Row,
    code: str,
    bundle: Mapping[str, Any],
    definition: BundleDefinition,
    docs: Mapping[str, ItemDocument],
    who: Applicant,
) -> None:
    """One waiting member made a draft again, read afresh from its applicant's licences,
    then submitted if it is complete now."""
    doc = docs[code]
    fresh, refs = prefill(doc, who)
    answers = {
        **shared_from_licences(definition, docs, who, code),
        **(json_value(child["answers"]) or {}),
        **fresh,
    }
    row = await cases.move(
        child,
        action=Action.RELEASE_WAITING,
        actor=None,
        to_status=Status.DRAFT,
        changes={
            Application.answers: answers,
            Application.prefilled: {**prefilled_of(child), **refs},
        },
    )
    if bundle["consent_at"] is not None:
        await give_licences(
            row,
            doc,
            awaited_licences(bundle, who),
            added_by=who.person.id,
            consent_at=bundle["consent_at"],
        )
    held = {licence.ref: licence for licence in who.licences}
    try:
        kept = await checked_answers(row, doc, held, who.person.locale)
    except Unprocessable:
        return  # a draft for its applicant to complete, and to submit as any other
    await submitted(row, doc=doc, answers=kept, actor=None)


def shared_from_licences(
    definition: BundleDefinition,
    docs: Mapping[str, ItemDocument],
    who: Applicant,
    code: str,
) -> dict[str, Any]:
    """The member's fields filled by a shared field that some member fills from a licence
    the applicant holds now: the 出生医学证明's number, given to every member that asks it
    once one member reads it off the certificate."""
    held = {kind: licence.fields for kind, licence in who.by_type.items()}
    found: dict[str, Any] = {}
    for field, name in definition.shared_of(code).items():
        for other, other_field in definition.shared[name].items():
            value = prefill_values(docs[other], held).get(other_field) if other in docs else None
            if value is not None:
                found[field] = value
                break
    return found


def awaited_licences(bundle: Mapping[str, Any], who: Applicant) -> list[Given]:
    """The licences the resident agreed at submit to give once issued, that they hold now."""
    by_type = who.by_type
    return [
        Given(material_code=use["material_code"], licence=by_type[use["licence_type"]])
        for use in json_value(bundle["awaited_licences"]) or []
        if use["licence_type"] in by_type
    ]
