"""补正 (supplement): the officer's one list of everything missing, which stops the clock,
and the resident's answer (the answers as they now stand and the materials asked for),
after which the case goes back to its officers and the clock counts on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from backend.sdk import (
    Claims,
    Conflict,
    FieldError,
    Forbidden,
    PreconditionFailed,
    Unprocessable,
    json_value,
    unit_of_work,
    work_calendar,
)
from miniapps.gov_services import clock
from miniapps.gov_services.cases import Case, case_by_id, move
from miniapps.gov_services.dates import last_day
from miniapps.gov_services.document import ItemDocument, check_answers
from miniapps.gov_services.errors import GovServicesCode as Code
from miniapps.gov_services.handling import checked, write
from miniapps.gov_services.offered import pinned_document
from miniapps.gov_services.staff_schemas import ProgressState, SupplementIn, SupplementRequestIn
from miniapps.gov_services.states import Action, Status, takes
from miniapps.gov_services.tables import Application, ApplicationStatus, MaterialItem

RESIDENT_ACTIONS = (Action.SUPPLEMENT, Action.WITHDRAW)


async def return_for_supplement(
    *,
    actor: Claims,
    application_id: int,
    expected_version: int | None,
    data: SupplementRequestIn,
    at: dt.datetime,
) -> None:
    """补正: everything missing, in one list (一次性告知); the clock stands still until the
    resident answers."""
    action = Action.RETURN_FOR_SUPPLEMENT
    case, document = await checked(actor, application_id, action, expected_version)
    require_known(document, data)
    calendar = await work_calendar()
    await write(
        actor,
        case,
        document,
        action,
        expected_version,
        to_status=Status.SUPPLEMENT,
        changes=clock.paused(calendar, case, at=at),
        reason=data.note,
        detail={
            "fields": [{"field": f.field, "note": f.note} for f in data.fields],
            "materials": [{"code": m.code, "note": m.note} for m in data.materials],
        },
        at=at,
    )


def require_known(document: ItemDocument, data: SupplementRequestIn) -> None:
    """A 补正 list names at least one thing, and only fields and materials the item has."""
    materials = {material.code for material in document.materials}
    problems = [
        FieldError(field=f"fields[{i}].field", message="not a field of the form")
        for i, item in enumerate(data.fields)
        if item.field not in document.fields
    ] + [
        FieldError(field=f"materials[{i}].code", message="not a material of the item")
        for i, item in enumerate(data.materials)
        if item.code not in materials
    ]
    if not data.fields and not data.materials:
        problems.append(FieldError(field="$", message="name what is missing"))
    if problems:
        raise Unprocessable(Code.APPLICATION_SUPPLEMENT_LIST_INVALID, errors=problems)


async def answer_supplement(
    *,
    actor: Claims,
    application_id: int,
    data: SupplementIn,
    expected_version: int | None,
    at: dt.datetime,
    locale: str | None,
) -> Case:
    """补正 answered: the answers are checked as at submit (prefilled ones unchanged), and
    every material asked for must come with one added since the case was returned. The case
    goes back to where it was returned from (to wait for 受理, or in progress with what is
    left of its limit counted from the next day)."""
    case = await case_by_id(application_id)
    require_supplementable(actor, case, expected_version)
    document = await pinned_document(case["item_version_id"])
    stored = _json(case["answers"])
    prefilled = {field: stored.get(field) for field in _json(case["prefilled"])}
    answers = check_answers(
        document, data.answers, complete=True, prefilled=prefilled, locale=locale
    )
    await require_materials(case, data.material_ids)
    calendar = await work_calendar()
    changes = {
        Application.answers: answers,
        **clock.resumed(calendar, document, case, at=at),
    }
    back = Status.IN_PROGRESS if case["accepted_at"] is not None else Status.SUBMITTED
    async with unit_of_work():
        return await move(
            case,
            action=Action.SUPPLEMENT,
            actor=actor,
            to_status=back,
            changes=changes,
            detail={"material_ids": list(data.material_ids)},
            version_named=expected_version is not None,
            at=at,
        )


def require_supplementable(actor: Claims, case: Case, expected_version: int | None) -> None:
    """Only the applicant answers, from the version they read, a case waiting for 补正."""
    if case["applicant_id"] != actor.user_id:
        raise Forbidden(Code.APPLICATION_NOT_YOURS)
    if expected_version is not None and expected_version != case["version"]:
        raise PreconditionFailed(Code.APPLICATION_CHANGED)
    status = Status(case["status"])
    if not takes(status, Action.SUPPLEMENT):
        allowed = [action for action in RESIDENT_ACTIONS if takes(status, action)]
        extensions = {
            "application_status": status,
            "step": case["current_step"],
            "action": Action.SUPPLEMENT,
            "allowed_actions": allowed,
        }
        raise Conflict(Code.APPLICATION_ACTION_ILLEGAL, extensions=extensions)


async def require_materials(case: Case, material_ids: Sequence[int]) -> None:
    """Each material named is the application's, added since it was returned; together they
    provide every material the 补正 asked for."""
    rows = await MaterialItem.select(MaterialItem.id, MaterialItem.material_code).where(
        (MaterialItem.application_id == case["id"])
        & (MaterialItem.added_at >= case["paused_at"])
        & MaterialItem.id.is_in(list(material_ids) or [0])
    )
    codes = {row["id"]: row["material_code"] for row in rows}
    problems = [
        FieldError(field=f"material_ids[{i}]", message="not a material added since the return")
        for i, material_id in enumerate(material_ids)
        if material_id not in codes
    ]
    asked = await _asked_materials(case["id"])
    problems += [
        FieldError(field="material_ids", message=f"nothing provides the material {code}")
        for code in asked
        if code not in codes.values()
    ]
    if problems:
        raise Unprocessable(Code.APPLICATION_SUPPLEMENT_INCOMPLETE, errors=problems)


async def _asked_materials(application_id: int) -> list[str]:
    """The materials the latest 补正 list asked for."""
    row = (
        await ApplicationStatus.select(ApplicationStatus.detail)
        .where(
            (ApplicationStatus.application_id == application_id)
            & (ApplicationStatus.action == Action.RETURN_FOR_SUPPLEMENT)
        )
        .order_by(ApplicationStatus.id, ascending=False)
        .first()
    )
    detail = _json(row["detail"]) if row is not None else {}
    return [item["code"] for item in detail.get("materials", [])]


def progress_state(case: Case) -> ProgressState:
    due_at = case["due_at"]
    return ProgressState(
        id=case["id"],
        ref=case["ref_no"],
        status=case["status"],
        step=case["current_step"],
        due_at=due_at,
        due_date=last_day(due_at) if due_at is not None else None,
        due_provisional=bool(case["due_provisional"]),
        version=case["version"],
    )


def _json(value: Any) -> dict[str, Any]:
    found = json_value(value)
    return dict(found) if isinstance(found, Mapping) else {}
