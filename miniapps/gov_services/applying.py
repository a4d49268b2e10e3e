"""A resident's application before it is submitted: start it (eligibility, then what their
licences fill in), save its answers as a draft and pick it up again on any device.

An application is its applicant's alone: to anyone else it does not exist (a 404, never a
403, which would tell that it does). Staff reach submitted cases through the staff API."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from piccolo.columns import Column

from backend.sdk import (
    Claims,
    Conflict,
    NotFound,
    PreconditionFailed,
    ReadTogether,
    Unprocessable,
    decode_cursor,
    encode_cursor,
    fetch_where_in,
    json_value,
    person,
    work_calendar,
)
from miniapps.gov_services.applicant import (
    Applicant,
    applicant,
    city_today,
    facts_of,
    prefill,
    prefilled_now,
)
from miniapps.gov_services.cases import Case, require_version
from miniapps.gov_services.document import ItemDocument, check_answers, check_eligibility
from miniapps.gov_services.errors import GovServicesCode
from miniapps.gov_services.licences.provider import Licences
from miniapps.gov_services.offered import item_names, offered_version, pinned_document
from miniapps.gov_services.resident_schemas import ApplicationPage, ApplicationView
from miniapps.gov_services.resident_views import (
    application_summary,
    application_view,
    draft_ref,
    materials_of,
)
from miniapps.gov_services.states import Status
from miniapps.gov_services.tables import Application, ItemVersion, ServiceItem


class Pinned(NamedTuple):
    """What an application's row names, read with it: the hash of the version it pins and
    its item's (code, name)."""

    sha256: str
    item: tuple[str, str]


async def own_case(actor: Claims, application_id: int) -> Case:
    """The caller's application; `application_not_found` for anyone else's."""
    return (await own_case_pinned(actor, application_id))[0]


async def own_case_pinned(actor: Claims, application_id: int) -> tuple[Case, Pinned]:
    """`own_case`, with what it pins: a submit then reads neither of them again."""
    row = await _CASE_READS.one(application_id)
    if row is None or row["applicant_id"] != actor.user_id:
        raise NotFound(GovServicesCode.APPLICATION_NOT_FOUND)
    # Its own: the read's row is shared by the callers who asked at once.
    case = {name: row[name] for name in _CASE_COLUMNS}
    return case, Pinned(row["pinned_sha256"], (row["item_code"], row["item_name"]))


async def _cases(ids: Iterable[int]) -> dict[int, Mapping[str, Any]]:
    return {int(row["id"]): row for row in await fetch_where_in(_CASES, "a.id", ids)}


# Read first by every change a resident makes: those asked at once are read together, each
# with the hash of its pinned version and its item's name (rows by their primary keys).
_CASE_COLUMNS = tuple(column._meta.db_column_name for column in Application.all_columns())
_CASES = f"""
SELECT {", ".join(f"a.{name}" for name in _CASE_COLUMNS)},
    v.sha256 AS pinned_sha256, i.code AS item_code, i.name AS item_name
FROM {Application._meta.tablename} a
JOIN {ItemVersion._meta.tablename} v ON v.id = a.item_version_id
JOIN {ServiceItem._meta.tablename} i ON i.id = a.item_id"""  # noqa: S608 - the tables' own names
_CASE_READS: ReadTogether[int, Mapping[str, Any]] = ReadTogether(_cases)


def require_draft(case: Case) -> None:
    """Answers and materials change only while the application is a draft."""
    if case["status"] != Status.DRAFT:
        raise Conflict(
            GovServicesCode.APPLICATION_ACTION_ILLEGAL,
            extensions={"application_status": case["status"]},
        )


async def change_draft(
    case: Case, *, expected: int | None, changes: Mapping[Column | str, Any] | None = None
) -> Case:
    """Write `changes` to the draft and move it to its next version, if it is still at the
    version `case` was read at: else `application_changed`, a 412 when the client named the
    version (`expected`), else a 409. Inside a unit of work, its row stays held until commit."""
    updated = (
        await Application.update({**(changes or {}), Application.version: Application.version + 1})
        .where((Application.id == case["id"]) & (Application.version == case["version"]))
        .returning(*Application.all_columns())
    )
    if not updated:
        refusal = PreconditionFailed if expected is not None else Conflict
        raise refusal(GovServicesCode.APPLICATION_CHANGED)
    row: Case = updated[0]
    return row


async def the_applicant(actor: Claims, licences: Licences) -> Applicant:
    """The caller with their licences; one with no home has no office to apply to."""
    found = await person(actor.user_id)
    if found is None or not found.home_path:
        raise Unprocessable(GovServicesCode.APPLICANT_NO_HOME)
    return await applicant(found, licences)


async def start(
    *, actor: Claims, item_code: str, licences: Licences, locale: str | None
) -> ApplicationView:
    """A draft on the version of the item in force: refused (`not_eligible`, naming each
    rule failed) unless the caller meets the item's conditions, and filled in from their
    licences where the item says so."""
    item, version_id, doc = await offered_version(item_code)
    who = await the_applicant(actor, licences)
    row = await new_draft(
        item_id=item["id"], version_id=version_id, doc=doc, who=who, locale=locale
    )
    return application_view(
        row,
        item=(item["code"], item["name"]),
        doc=doc,
        given=[],
        who=who,
        calendar=await work_calendar(),
        locale=locale,
    )


async def new_draft(
    *,
    item_id: int,
    version_id: int,
    doc: ItemDocument,
    who: Applicant,
    locale: str | None,
    bundle_id: int | None = None,
) -> Case:
    """`who`'s draft on the item's version `version_id`, refused (`not_eligible`, naming
    each rule failed) unless they meet its conditions, and filled in from their licences
    where the item says so; `bundle_id` when it is a member of a bundle (一件事)."""
    check_eligibility(doc, facts_of(who, {}, city_today()), locale=locale)
    answers, prefilled = prefill(doc, who)
    rows = await Application.insert(
        Application(
            ref_no=draft_ref(),
            applicant_id=who.person.id,
            item_id=item_id,
            item_version_id=version_id,
            bundle_id=bundle_id,
            status=Status.DRAFT,
            place_path=who.person.home_path,
            answers=answers,
            prefilled=prefilled,
        )
    ).returning(*Application.all_columns())
    row: Case = rows[0]
    return row


async def application(
    *, actor: Claims, application_id: int, licences: Licences, locale: str | None
) -> ApplicationView:
    """The caller's application as it stands, to resume a draft on any device."""
    case = await own_case(actor, application_id)
    return await view_of(case, licences=licences, locale=locale)


async def view_of(
    case: Case,
    *,
    licences: Licences,
    locale: str | None,
    doc: ItemDocument | None = None,
    given: list[dict[str, Any]] | None = None,
    item: tuple[str, str] | None = None,
) -> ApplicationView:
    """The application as its applicant sees it. A caller that has just read its pinned
    document, its materials and left them as they were, or its item's (code, name), passes
    them (`doc`, `given`, `item`) rather than have them read again."""
    if doc is None:
        doc = await pinned_document(case["item_version_id"])
    if given is None:
        given = await materials_of(case["id"])
    if item is None:
        item = (await item_names({case["item_id"]}))[case["item_id"]]
    who = None
    if case["status"] in (Status.DRAFT, Status.SUPPLEMENT):  # materials may still be given
        who = await the_applicant_of(case, licences)
    return application_view(
        case,
        item=item,
        doc=doc,
        given=given,
        who=who,
        calendar=await work_calendar(),
        locale=locale,
    )


async def the_applicant_of(case: Case, licences: Licences) -> Applicant | None:
    found = await person(case["applicant_id"])
    return None if found is None else await applicant(found, licences)


async def save_answers(
    *,
    actor: Claims,
    application_id: int,
    answers: Mapping[str, Any],
    expected_version: int | None,
    licences: Licences,
    locale: str | None,
) -> ApplicationView:
    """Keep the draft's answers, each checked but none required yet; a field hidden by the
    form's rules is dropped, and a prefilled one must keep its licence's value (left out,
    it keeps it). Conditional on the version read: 412 when `If-Match` named another."""
    case, pinned = await own_case_pinned(actor, application_id)
    require_version(case, expected_version)
    require_draft(case)
    doc = await pinned_document(case["item_version_id"], sha256=pinned.sha256)
    who = await the_applicant(actor, licences)
    held = {licence.ref: licence for licence in who.licences}
    fixed, gone = prefilled_now(doc, prefilled_of(case), held, locale)
    if gone:
        raise Unprocessable(GovServicesCode.ANSWERS_INVALID, errors=gone)
    kept = check_answers(doc, {**fixed, **answers}, complete=False, prefilled=fixed, locale=locale)
    row = await change_draft(case, expected=expected_version, changes={Application.answers: kept})
    given = await materials_of(case["id"])
    return application_view(
        row,
        item=pinned.item,
        doc=doc,
        given=given,
        who=who,
        calendar=await work_calendar(),
        locale=locale,
    )


def prefilled_of(case: Case) -> dict[str, str]:
    return dict(json_value(case["prefilled"]) or {})


async def my_applications(
    *, actor: Claims, status: Status | None, cursor: str | None, limit: int
) -> ApplicationPage:
    """The caller's applications, newest first, `limit` at a time after the cursor's."""
    query = Application.select(
        Application.id,
        Application.ref_no,
        Application.item_id,
        Application.status,
        Application.current_step,
        Application.created_at,
        Application.submitted_at,
        Application.due_at,
    ).where(Application.applicant_id == actor.user_id)
    if status is not None:
        query = query.where(Application.status == status)
    if cursor is not None:
        query = query.where(Application.id < decode_cursor(cursor))
    rows = await query.order_by(Application.id, ascending=False).limit(limit + 1)
    page = rows[:limit]
    names = await item_names({row["item_id"] for row in page})
    return ApplicationPage(
        items=[application_summary(row, names[row["item_id"]]) for row in page],
        next_cursor=encode_cursor(page[-1]["id"]) if len(rows) > limit else None,
    )
