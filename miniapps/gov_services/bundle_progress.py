"""A bundle application's progress: each member's application as its applicant sees it, what
each waiting member waits for, where the whole stands and the bundle's own due date.

The bundle promises its limit (承诺时限) from the first 受理 of any of its members, counted
the way a single case's clock is (from the next day, on the working-day calendar): until an
office has accepted something, no one has started to owe the resident anything. The date
is worked out when asked, never stored, so a year of the calendar loaded later counts at
once; a member's 补正 does not stop it, as the bundle's promise is to the whole."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from backend.sdk import Claims, Due, NotFound, WorkCalendar, json_value, work_calendar
from miniapps.gov_services.applying import view_of
from miniapps.gov_services.bundle_admin import definition_of
from miniapps.gov_services.bundle_model import BundleDefinition
from miniapps.gov_services.bundle_schemas import (
    BundleAnswers,
    BundleApplicationView,
    BundleMemberView,
    BundleState,
)
from miniapps.gov_services.dates import city_date
from miniapps.gov_services.errors import GovServicesCode as Code
from miniapps.gov_services.licences.provider import Licences
from miniapps.gov_services.offered import item_names
from miniapps.gov_services.states import CLOSED, OPEN, Outcome, Status
from miniapps.gov_services.tables import Application, BundleApplication, BundleVersion

Row = dict[str, Any]
NEEDS_APPLICANT = frozenset({Status.DRAFT, Status.SUPPLEMENT})


def is_done(child: Mapping[str, Any]) -> bool:
    """A member is done once delivered (送达) with its request granted."""
    return bool(child["status"] == Status.DELIVERED and child["outcome"] == Outcome.APPROVED)


async def own_bundle(actor: Claims, bundle_id: int) -> Row:
    """The caller's bundle application; `bundle_application_not_found` for anyone else's."""
    row = (
        await BundleApplication.select()
        .where(
            (BundleApplication.id == bundle_id) & (BundleApplication.applicant_id == actor.user_id)
        )
        .first()
    )
    if row is None:
        raise NotFound(Code.BUNDLE_APPLICATION_NOT_FOUND)
    return row


async def bundle_of(bundle: Mapping[str, Any]) -> tuple[Row, BundleDefinition]:
    """The version a bundle application pinned, and its definition."""
    version = (
        await BundleVersion.select().where(BundleVersion.id == bundle["bundle_version_id"]).first()
    )
    if version is None:  # versions are never deleted while an application pins them
        raise LookupError(f"bundle version {bundle['bundle_version_id']} is gone")
    return version, definition_of(version)


async def children_by_code(bundle_id: int) -> dict[str, Row]:
    """The bundle's member applications, by their item's code."""
    rows = await Application.select().where(Application.bundle_id == bundle_id)
    names = await item_names({row["item_id"] for row in rows})
    return {names[row["item_id"]][0]: row for row in rows}


def waiting_for(definition: BundleDefinition, code: str, children: Mapping[str, Row]) -> list[str]:
    """The members `code` depends on that are not done yet."""
    return [d for d in definition.depends_on(code) if d in children and not is_done(children[d])]


def bundle_state(
    bundle: Mapping[str, Any], definition: BundleDefinition, children: Mapping[str, Row]
) -> BundleState:
    """Where the bundle stands: its applicant's turn comes first (a draft, a 补正, or a
    member that can never start because a member it needs was refused), then the offices'."""
    if bundle["submitted_at"] is None:
        return BundleState.DRAFT
    rows = list(children.values())
    if all(is_done(row) for row in rows):
        return BundleState.DONE
    if all(row["status"] in CLOSED for row in rows):
        return BundleState.ENDED
    if any(
        row["status"] in NEEDS_APPLICANT or _blocked(definition, code, children)
        for code, row in children.items()
    ):
        return BundleState.NEEDS_YOU
    if any(row["status"] in OPEN for row in rows):
        return BundleState.IN_PROGRESS
    return BundleState.WAITING


def _blocked(definition: BundleDefinition, code: str, children: Mapping[str, Row]) -> bool:
    """A waiting member one of whose prerequisites closed without being granted."""
    if children[code]["status"] != Status.WAITING:
        return False
    return any(
        children[d]["status"] in CLOSED and not is_done(children[d])
        for d in waiting_for(definition, code, children)
    )


def bundle_due(
    rows: Sequence[Mapping[str, Any]], limit_wd: int, calendar: WorkCalendar
) -> Due | None:
    """The bundle's due date: its limit counted from the day after the first 受理 of any
    member; None before one."""
    accepted = [row["accepted_at"] for row in rows if row["accepted_at"] is not None]
    if not accepted:
        return None
    first: dt.datetime = min(accepted)
    return calendar.add_working_days(city_date(first), limit_wd)


def form_answers(definition: BundleDefinition, children: Mapping[str, Row]) -> BundleAnswers:
    """The members' answers as the bundle's one form holds them: each shared field once
    (from the first member that has it), and each member's own fields."""
    answers = {code: json_value(row["answers"]) or {} for code, row in children.items()}
    shared: dict[str, Any] = {}
    for name, mapped in definition.shared.items():
        found = [answers[c][f] for c, f in mapped.items() if f in answers.get(c, {})]
        if found:
            shared[name] = found[0]
    members = {
        code: {k: v for k, v in given.items() if k not in definition.shared_of(code)}
        for code, given in answers.items()
    }
    return BundleAnswers(shared=shared, members=members)


async def bundle_application_view(
    *, actor: Claims, bundle_id: int, licences: Licences, locale: str | None
) -> BundleApplicationView:
    """The caller's bundle application with each member's application, the state of the
    whole and its due date."""
    bundle = await own_bundle(actor, bundle_id)
    version, definition = await bundle_of(bundle)
    children = await children_by_code(bundle_id)
    members = [
        BundleMemberView(
            item_code=code,
            depends_on=list(definition.depends_on(code)),
            waiting_for=waiting_for(definition, code, children),
            application=await view_of(children[code], licences=licences, locale=locale),
        )
        for code in definition.codes
        if code in children
    ]
    due = bundle_due(list(children.values()), definition.promised_limit_wd, await work_calendar())
    return BundleApplicationView(
        id=bundle["id"],
        bundle_code=version["code"],
        bundle_name=version["name"],
        bundle_version_id=version["id"],
        state=bundle_state(bundle, definition, children),
        promised_limit_wd=definition.promised_limit_wd,
        due_date=due.date if due else None,
        due_provisional=due.provisional if due else False,
        answers=form_answers(definition, children),
        members=members,
        created_at=bundle["created_at"],
        submitted_at=bundle["submitted_at"],
        version=bundle["version"],
    )
