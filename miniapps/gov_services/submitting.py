"""Submitting an application, and withdrawing it before the decision.

Submit holds the draft to the whole of its pinned document: every answer (now required
ones too), each prefilled field against the licence it came from as that licence stands
today, and each material the answers call for, a licence material against its hash. Every
problem is listed at once, by JSON pointer. Then it takes its 办件编号, and one transaction
writes the first step (受理) and the office that takes it, through `cases.move`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from backend.sdk import (
    Claims,
    Conflict,
    FieldError,
    Unprocessable,
    fetch_rows,
    in_transaction,
    is_postgres,
    json_value,
    unit_of_work,
    utc_now,
)
from miniapps.gov_services import cases
from miniapps.gov_services.applicant import CITY_TIME, prefilled_now, said
from miniapps.gov_services.applying import (
    own_case,
    prefilled_of,
    require_draft,
    the_applicant,
    view_of,
)
from miniapps.gov_services.bundle_records import require_bundle_submitted
from miniapps.gov_services.document import (
    ItemDocument,
    check_answers,
    first_step,
    required_materials,
)
from miniapps.gov_services.errors import GovServicesCode
from miniapps.gov_services.licences.provider import Licence, Licences
from miniapps.gov_services.materials import Source
from miniapps.gov_services.offered import pinned_document
from miniapps.gov_services.resident_schemas import ApplicationView
from miniapps.gov_services.resident_views import materials_of
from miniapps.gov_services.routing import entering
from miniapps.gov_services.states import Action, Status, takes
from miniapps.gov_services.tables import Application

_MISSING = ("缺少此项材料", "this material is required")
_LICENCE_CHANGED = ("所用电子证照已失效或已变更", "the licence given is no longer valid as given")

# Take the day's next number, creating the day's row with the first: one statement, so two
# submits at once wait for each other's row instead of reading the same count. It runs as a
# statement of its own, before the submit's transaction, so the day's row is held for that
# statement only and not until each submit in flight has committed in turn. A submit that
# fails after taking its number leaves a gap, as a sequence would; numbers stay unique and
# rise. On PostgreSQL the statement's commit does not wait for its WAL to reach the disk
# (the next submit would queue behind that flush): a submit that uses the number commits
# after it, and flushing that commit flushes the number's change with it, so no number
# outlives a crash that loses its count.
_NEXT_NUMBER = (
    "INSERT INTO gov_services_ref_counter (day, issued) VALUES ($1, 1) "
    "ON CONFLICT (day) DO UPDATE SET issued = gov_services_ref_counter.issued + 1 "
    "RETURNING issued"
)
_NEXT_NUMBER_PG = (
    "INSERT INTO gov_services_ref_counter (day, issued) "
    "SELECT $1, 1 FROM (SELECT set_config('synchronous_commit', 'off', true)) AS unflushed "
    "ON CONFLICT (day) DO UPDATE SET issued = gov_services_ref_counter.issued + 1 "
    "RETURNING issued"
)


async def next_ref(now: dt.datetime) -> str:
    """The next 办件编号: the city's date and the day's sequence, `20261202000017`. Outside
    a unit of work it commits at once; inside one, the day's row stays held until that
    commits, so take it there only where submits are rare (a bundle's members)."""
    day = now.astimezone(CITY_TIME).strftime("%Y%m%d")
    quick = is_postgres() and not in_transaction()
    rows = await fetch_rows(_NEXT_NUMBER_PG if quick else _NEXT_NUMBER, day)
    return f"{day}{int(rows[0]['issued']):06d}"


def material_problems(
    doc: ItemDocument,
    answers: Mapping[str, Any],
    given: Sequence[Mapping[str, Any]],
    held: Mapping[str, Licence],
    locale: str | None,
) -> list[FieldError]:
    """Each material these answers require but nobody gave, and each licence given that
    its applicant no longer holds as it was given (reissued, revoked)."""
    codes = {row["material_code"] for row in given}
    problems = [
        FieldError(field=f"/materials/{m.code}", message=said(_MISSING, locale))
        for m in required_materials(doc, answers)
        if m.code not in codes
    ]
    for row in given:
        if row["source"] != Source.E_LICENSE:
            continue
        licence = held.get(row["licence_ref"])
        if licence is None or licence.sha256 != row["sha256"]:
            at = f"/materials/{row['material_code']}"
            problems.append(FieldError(field=at, message=said(_LICENCE_CHANGED, locale)))
    return problems


async def checked_answers(
    case: cases.Case,
    doc: ItemDocument,
    held: Mapping[str, Licence],
    locale: str | None,
    *,
    given: Sequence[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """The answers to submit, or one 422 `application_incomplete` listing every problem.
    `given` is the case's materials, if the caller has read them."""
    fixed, problems = prefilled_now(doc, prefilled_of(case), held, locale)
    answers = json_value(case["answers"]) or {}
    kept: dict[str, Any] = answers
    try:
        kept = check_answers(doc, answers, complete=True, prefilled=fixed, locale=locale)
    except Unprocessable as refused:
        problems.extend(refused.errors or [])
    if given is None:
        given = await materials_of(case["id"])
    problems.extend(material_problems(doc, kept, given, held, locale))
    if problems:
        raise Unprocessable(GovServicesCode.APPLICATION_INCOMPLETE, errors=problems)
    return kept


async def submit(
    *,
    actor: Claims,
    application_id: int,
    expected_version: int | None,
    licences: Licences,
    locale: str | None,
) -> ApplicationView:
    """Submit the caller's draft: checked whole against its pinned version, then given its
    ref and sent to the office of its first step."""
    case = await own_case(actor, application_id)
    cases.require_version(case, expected_version)
    require_draft(case)
    await require_bundle_submitted(case)
    doc = await pinned_document(case["item_version_id"])
    who = await the_applicant(actor, licences)
    # Read once: submit checks them and answers with them, and changes neither.
    given = await materials_of(case["id"])
    held = {lic.ref: lic for lic in who.licences}
    kept = await checked_answers(case, doc, held, locale, given=given)
    now = utc_now()
    ref = await next_ref(now)
    async with unit_of_work():
        row = await submitted(
            case,
            doc=doc,
            answers=kept,
            actor=actor,
            version_named=expected_version is not None,
            ref=ref,
            at=now,
        )
    return await view_of(row, licences=licences, locale=locale, doc=doc, given=given)


async def submitted(
    case: cases.Case,
    *,
    doc: ItemDocument,
    answers: dict[str, Any],
    actor: Claims | None,
    version_named: bool = False,
    ref: str | None = None,
    at: dt.datetime | None = None,
) -> cases.Case:
    """Write the submit of a draft whose `answers` passed `checked_answers`: its ref (`ref`,
    taken by `next_ref` at `at`, or taken here), the first step (受理) and the office that
    takes it, through `cases.move`. Inside a unit of work; `actor` None when the platform
    submits it (a bundle's member, released)."""
    now = at or utc_now()
    return await cases.move(
        case,
        action=Action.SUBMIT,
        actor=actor,
        to_status=Status.SUBMITTED,
        changes={
            Application.ref_no: ref or await next_ref(now),
            Application.answers: answers,
            **entering(doc, first_step(doc), case["place_path"]),
            Application.submitted_at: now,
        },
        version_named=version_named,
    )


async def withdraw(
    *,
    actor: Claims,
    application_id: int,
    expected_version: int | None,
    reason: str,
    licences: Licences,
    locale: str | None,
) -> ApplicationView:
    """Withdraw (撤回) the caller's application: from submitted until the decision; a
    decided, delivered or closed one is a 409."""
    case = await own_case(actor, application_id)
    cases.require_version(case, expected_version)
    if not takes(Status(case["status"]), Action.WITHDRAW):
        raise Conflict(
            GovServicesCode.APPLICATION_ACTION_ILLEGAL,
            extensions={"application_status": case["status"]},
        )
    async with unit_of_work():
        row = await cases.move(
            case,
            action=Action.WITHDRAW,
            actor=actor,
            to_status=Status.WITHDRAWN,
            changes={Application.closed_at: utc_now(), Application.claimed_by: None},
            reason=reason,
            version_named=expected_version is not None,
        )
    return await view_of(row, licences=licences, locale=locale)
