"""A bundle's one submit: the one form's answers copied into each member (a shared answer
into every member field it fills), the licences given once attached to each member that
asks for them, and then, in one transaction, each member whose prerequisites are done
submitted the way a single application is (`submitting.checked_answers`, then
`submitting.submitted`), and each other member set to wait for them.

Every problem of every member is listed in one 422 (`bundle_incomplete`), each at its
place in the form: `/answers/shared/<field>`, `/answers/members/<item>/<field>`,
`/members/<item>/materials/<code>`. Nothing is written then."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from backend.sdk import (
    Claims,
    Conflict,
    FieldError,
    PreconditionFailed,
    Unprocessable,
    unit_of_work,
    utc_now,
)
from miniapps.gov_services import cases
from miniapps.gov_services.applicant import prefilled_now
from miniapps.gov_services.applying import change_draft, prefilled_of, the_applicant
from miniapps.gov_services.bundle_giving import LicencePlan, give_licences, licence_plan
from miniapps.gov_services.bundle_model import BundleDefinition
from miniapps.gov_services.bundle_progress import (
    bundle_application_view,
    bundle_of,
    children_by_code,
    own_bundle,
    waiting_for,
)
from miniapps.gov_services.bundle_schemas import (
    BundleAnswers,
    BundleApplicationView,
    SubmitBundleIn,
)
from miniapps.gov_services.document import ItemDocument, check_answers
from miniapps.gov_services.document.pointers import pointer
from miniapps.gov_services.errors import GovServicesCode as Code
from miniapps.gov_services.licences.provider import Licence, Licences
from miniapps.gov_services.offered import pinned_document
from miniapps.gov_services.states import Action, Status
from miniapps.gov_services.submitting import checked_answers, submitted
from miniapps.gov_services.tables import Application, BundleApplication

Row = dict[str, Any]


async def submit(
    *,
    actor: Claims,
    bundle_id: int,
    data: SubmitBundleIn,
    expected_version: int | None,
    licences: Licences,
    locale: str | None,
) -> BundleApplicationView:
    """Submit the caller's bundle application, all its members in one transaction."""
    bundle = await own_bundle(actor, bundle_id)
    if expected_version is not None and expected_version != bundle["version"]:
        raise PreconditionFailed(Code.BUNDLE_APPLICATION_CHANGED)
    if bundle["submitted_at"] is not None:
        raise Conflict(Code.BUNDLE_APPLICATION_SUBMITTED)
    _, definition = await bundle_of(bundle)
    children = await children_by_code(bundle_id)
    docs = {code: await pinned_document(row["item_version_id"]) for code, row in children.items()}
    who = await the_applicant(actor, licences)
    held = {licence.ref: licence for licence in who.licences}
    plan = licence_plan(data, docs, held)
    problems = form_problems(definition, data.answers)
    if problems:
        raise Unprocessable(Code.BUNDLE_INCOMPLETE, errors=problems)
    async with unit_of_work():
        await _mark_submitted(bundle, data, plan, expected_version)
        for code in definition.codes:
            child = children[code]
            answers = member_answers(definition, data.answers, code)
            ready = not waiting_for(definition, code, children)
            problems += at_form(
                definition,
                code,
                await _send(child, docs[code], answers, plan, held, actor, ready, locale),
            )
        if problems:
            raise Unprocessable(Code.BUNDLE_INCOMPLETE, errors=_unique(problems))
    return await bundle_application_view(
        actor=actor, bundle_id=bundle_id, licences=licences, locale=locale
    )


async def _send(
    child: Row,
    doc: ItemDocument,
    answers: Mapping[str, Any],
    plan: LicencePlan,
    held: Mapping[str, Licence],
    actor: Claims,
    ready: bool,
    locale: str | None,
) -> list[FieldError]:
    """One member, inside the submit's unit of work: the problems that keep it back, or
    none once it is submitted (`ready`) or set to wait."""
    fixed, problems = prefilled_now(doc, prefilled_of(child), held, locale)
    merged = {**fixed, **answers}
    if not ready:  # held to the form now; to everything else when its turn comes
        try:
            merged = check_answers(doc, merged, complete=False, prefilled=fixed, locale=locale)
        except Unprocessable as refused:
            problems.extend(refused.errors or [])
    if problems:
        return problems
    row = await change_draft(child, expected=None, changes={Application.answers: merged})
    await give_licences(row, doc, plan.given, added_by=actor.user_id, consent_at=utc_now())
    if not ready:
        await cases.move(row, action=Action.SUBMIT, actor=actor, to_status=Status.WAITING)
        return []
    try:
        kept = await checked_answers(row, doc, held, locale)
    except Unprocessable as refused:
        return list(refused.errors or [])
    await submitted(row, doc=doc, answers=kept, actor=actor)
    return []


async def _mark_submitted(
    bundle: Row, data: SubmitBundleIn, plan: LicencePlan, expected: int | None
) -> None:
    """The bundle submitted, if it still stands as read: two submits at once send it once."""
    now = utc_now()
    updated = (
        await BundleApplication.update(
            {
                BundleApplication.submitted_at: now,
                BundleApplication.shared: dict(data.answers.shared),
                BundleApplication.awaited_licences: plan.awaited,
                BundleApplication.consent_at: now if data.consent else None,
                BundleApplication.version: BundleApplication.version + 1,
            }
        )
        .where(
            (BundleApplication.id == bundle["id"])
            & (BundleApplication.version == bundle["version"])
            & BundleApplication.submitted_at.is_null()
        )
        .returning(BundleApplication.id)
    )
    if not updated:
        refusal = PreconditionFailed if expected is not None else Conflict
        raise refusal(Code.BUNDLE_APPLICATION_CHANGED)


def member_answers(
    definition: BundleDefinition, answers: BundleAnswers, code: str
) -> dict[str, Any]:
    """One member's answers from the form: its own, and each shared answer under the name of
    the member's field it fills."""
    own = dict(answers.members.get(code, {}))
    for field, name in definition.shared_of(code).items():
        if name in answers.shared:
            own[field] = answers.shared[name]
    return own


def form_problems(definition: BundleDefinition, answers: BundleAnswers) -> list[FieldError]:
    """What the form's answers name that the bundle has not: an unknown shared field or
    member, or a member's field that a shared field fills (it is answered once, there)."""
    problems = [
        FieldError(field=pointer("/answers/shared", name), message="not a shared field")
        for name in answers.shared
        if name not in definition.shared
    ]
    for code, given in answers.members.items():
        if code not in definition.codes:
            problems.append(
                FieldError(field=pointer("/answers/members", code), message="not a member")
            )
            continue
        filled = definition.shared_of(code)
        problems.extend(
            FieldError(
                field=pointer("/answers/members", code, field),
                message=f"answered once, at /answers/shared/{filled[field]}",
            )
            for field in given
            if field in filled
        )
    return problems


def at_form(
    definition: BundleDefinition, code: str, errors: Sequence[FieldError]
) -> list[FieldError]:
    """A member's problems at their places in the bundle's form: a field a shared answer
    fills at that shared answer, the member's own at its own, a material at the member's."""
    filled = definition.shared_of(code)
    placed = []
    for error in errors:
        if error.field.startswith("/answers/"):
            field, _, rest = error.field.removeprefix("/answers/").partition("/")
            base = (
                pointer("/answers/shared", filled[field])
                if field in filled
                else pointer("/answers/members", code, field)
            )
            where = base + (f"/{rest}" if rest else "")
        else:
            where = pointer("/members", code) + error.field
        placed.append(FieldError(field=where, message=error.message))
    return placed


def _unique(errors: Sequence[FieldError]) -> list[FieldError]:
    """A shared answer refused by each member it fills is listed once."""
    return list(dict.fromkeys(errors))
