"""Submitting an application, and withdrawing it before the decision.

Submit holds the draft to the whole of its pinned document: every answer (now required
ones too), each prefilled field against the licence it came from as that licence stands
today, and each material the answers call for, a licence material against its hash. Every
problem is listed at once, by JSON pointer. Then one transaction takes its 办件编号 and
writes the first step (受理) and the office that takes it, as `cases.move` does."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import msgspec
from piccolo.columns import Column

from backend.sdk import (
    Claims,
    Conflict,
    FieldError,
    GroupCommit,
    Unprocessable,
    fetch_rows,
    json_value,
    unit_of_work,
    utc_now,
)
from miniapps.gov_services import cases
from miniapps.gov_services.applicant import CITY_TIME, prefilled_now, said
from miniapps.gov_services.applying import (
    own_case,
    own_case_pinned,
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
from miniapps.gov_services.resident_views import materials_asked, materials_of
from miniapps.gov_services.routing import entering
from miniapps.gov_services.states import Action, Status, takes
from miniapps.gov_services.tables import Application

_MISSING = ("缺少此项材料", "this material is required")
_LICENCE_CHANGED = ("所用电子证照已失效或已变更", "the licence given is no longer valid as given")

# Take the day's next numbers, creating the day's row with the first: one statement, so two
# submits at once wait for each other's row instead of reading the same count. It runs in
# the transaction that writes the submits, after their rows are held, so a number is taken
# only by a submit that commits with it (no gaps), and a submit waiting for its row holds
# no number up; the submits written together take theirs with one statement.
_NEXT_NUMBERS = (
    "INSERT INTO gov_services_ref_counter (day, issued) VALUES ($1, $2) "
    "ON CONFLICT (day) DO UPDATE SET issued = gov_services_ref_counter.issued + $2 "
    "RETURNING issued"
)


def ref_day(now: dt.datetime) -> str:
    """The day a 办件编号 taken at `now` is numbered in: the city's date."""
    return now.astimezone(CITY_TIME).strftime("%Y%m%d")


async def next_refs(days: Sequence[str]) -> list[str]:
    """The next 办件编号 of each of `days`, in order: the day and its sequence,
    `20261202000017`. Inside a unit of work: the day's row stays held until it commits."""
    issued: dict[str, int] = {}
    for day, count in Counter(days).items():
        rows = await fetch_rows(_NEXT_NUMBERS, day, count)
        issued[day] = int(rows[0]["issued"]) - count
    refs = []
    for day in days:
        issued[day] += 1
        refs.append(f"{day}{issued[day]:06d}")
    return refs


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
    case, pinned = await own_case_pinned(actor, application_id)
    cases.require_version(case, expected_version)
    require_draft(case)
    await require_bundle_submitted(case)
    # Asked now, read beside the applicant's reads: submit checks the materials and
    # answers with them, and changes neither.
    materials = materials_asked(case["id"])
    doc = await pinned_document(case["item_version_id"], sha256=pinned.sha256)
    who = await the_applicant(actor, licences)
    given = await materials
    held = {lic.ref: lic for lic in who.licences}
    kept = await checked_answers(case, doc, held, locale, given=given)
    now = utc_now()
    change = cases.Move(
        case=case,
        action=Action.SUBMIT,
        actor=actor,
        to_status=Status.SUBMITTED,
        changes=submit_changes(case, doc, kept, at=now),
        at=now,
    )
    written = await _SUBMITS.write(change)
    if written is cases.Held.CHANGED:
        raise cases.changed_refusal(version_named=expected_version is not None)
    if written is cases.Held.BUSY:
        # Its row is held by another transaction: written on its own, it waits its turn.
        async with unit_of_work():
            await cases.hold(case["id"])
            (numbered,) = await _numbered([change])
            written = await cases.write_move(numbered, version_named=expected_version is not None)
    return await view_of(
        written, licences=licences, locale=locale, doc=doc, given=given, item=pinned.item
    )


async def _write_submits(changes: Sequence[cases.Move]) -> list[cases.Case | cases.Held]:
    async with unit_of_work():
        return await cases.move_held(changes, complete=_numbered)


async def _numbered(changes: Sequence[cases.Move]) -> list[cases.Move]:
    """`changes` (submits) each with its 办件编号, taken in the caller's unit of work once
    their rows are held: a row is always held before the day's count, never after."""
    refs = await next_refs([ref_day(change.at) for change in changes])
    return [
        msgspec.structs.replace(change, changes={**change.changes, Application.ref_no: ref})
        for change, ref in zip(changes, refs, strict=True)
    ]


# Submits that arrive at the same time are written in one transaction, which takes their
# numbers too: a submit is a few rows, and its own transaction's round trips cost several
# times what the rows do.
_SUBMITS: GroupCommit[cases.Move, cases.Case | cases.Held] = GroupCommit(
    "gov_services.submit", _write_submits
)


def submit_changes(
    case: cases.Case, doc: ItemDocument, answers: dict[str, Any], *, at: dt.datetime
) -> dict[Column | str, Any]:
    """What a submit sets, but its ref (`_numbered`): the answers checked, the first step
    (受理) and the office that takes it."""
    return {
        Application.answers: answers,
        **entering(doc, first_step(doc), case["place_path"]),
        Application.submitted_at: at,
    }


async def submitted(
    case: cases.Case,
    *,
    doc: ItemDocument,
    answers: dict[str, Any],
    actor: Claims | None,
) -> cases.Case:
    """Write the submit of a draft whose `answers` passed `checked_answers`, with a ref
    taken here, through `cases.move`. Inside a unit of work; `actor` None when the platform
    submits it (a bundle's member, released)."""
    now = utc_now()
    await cases.hold(case["id"])
    (ref,) = await next_refs([ref_day(now)])
    return await cases.move(
        case,
        action=Action.SUBMIT,
        actor=actor,
        to_status=Status.SUBMITTED,
        changes={Application.ref_no: ref, **submit_changes(case, doc, answers, at=now)},
        at=now,
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
