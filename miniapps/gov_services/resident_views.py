"""An application as its applicant sees it: answers, materials given and still needed, the
ref once submitted, and the due date as a date in the city."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Awaitable, Generator, Iterable, Mapping, Sequence
from typing import Any

from backend.sdk import Due, ReadTogether, WorkCalendar, fetch_where_in, json_value
from miniapps.gov_services.applicant import CITY_TIME, Applicant
from miniapps.gov_services.document import ItemDocument, first_step, required_materials
from miniapps.gov_services.resident_schemas import (
    ApplicationSummary,
    ApplicationView,
    MaterialNeed,
    MaterialView,
)
from miniapps.gov_services.states import Status
from miniapps.gov_services.tables import MaterialItem

_DRAFT_REF = "draft-"


def draft_ref() -> str:
    """A draft has no 办件编号 until it is submitted: its unique column holds a placeholder
    no one is shown, and submit replaces it."""
    return _DRAFT_REF + secrets.token_hex(12)


def shown_ref(row: Mapping[str, Any]) -> str | None:
    return None if str(row["ref_no"]).startswith(_DRAFT_REF) else row["ref_no"]


def due_date_of(due_at: dt.datetime | None) -> dt.date | None:
    """The last day in time: `due_at` is the instant overdue starts, 00:00 in the city on
    the day after it."""
    if due_at is None:
        return None
    return (due_at.astimezone(CITY_TIME) - dt.timedelta(days=1)).date()


def due_of(row: Mapping[str, Any], doc: ItemDocument, calendar: WorkCalendar) -> Due | None:
    """The due date the applicant is shown: the running clock's from 受理 on; before it,
    while the case waits to be accepted, the day its first step's limit ends, counted from
    the day after submission. That one is worked out when asked, never stored: the case's
    own clock starts at 受理, and the staff flow keeps it."""
    shown = due_date_of(row["due_at"])
    if shown is not None:
        return Due(shown, bool(row["due_provisional"]))
    if row["status"] == Status.SUBMITTED and row["submitted_at"] is not None:
        submitted_on = row["submitted_at"].astimezone(CITY_TIME).date()
        return calendar.add_working_days(submitted_on, first_step(doc).time_limit_wd)
    return None


async def materials_of(application_id: int) -> list[dict[str, Any]]:
    """The materials given for the application, in the order they were given."""
    return await materials_asked(application_id)


def materials_asked(application_id: int) -> Awaitable[list[dict[str, Any]]]:
    """`materials_of`, asked now and awaited later: it goes side by side with the reads
    awaited in between, with no task of its own."""
    return _OwnCopies(_MATERIAL_READS.ask(application_id))


class _OwnCopies:
    """The rows read, each the caller's own copy: a read's rows are shared by the callers
    who asked at once. Nothing runs until awaited, so one left unawaited leaves nothing."""

    __slots__ = ("_rows",)

    def __init__(self, rows: Awaitable[list[Mapping[str, Any]] | None]) -> None:
        self._rows = rows

    def __await__(self) -> Generator[Any, None, list[dict[str, Any]]]:
        rows = yield from self._rows.__await__()
        return [dict(row) for row in rows or ()]


async def _materials(ids: Iterable[int]) -> dict[int, list[Mapping[str, Any]]]:
    found: dict[int, list[Mapping[str, Any]]] = {}
    for row in await fetch_where_in(_MATERIALS, "application_id", ids, then="ORDER BY id"):
        found.setdefault(int(row["application_id"]), []).append(row)
    return found


# Read by every view of an application and every submit: those asked at once are read
# together.
_MATERIALS = f"""
SELECT {", ".join(column._meta.db_column_name for column in MaterialItem.all_columns())}
FROM {MaterialItem._meta.tablename}"""  # noqa: S608 - the table's own names
_MATERIAL_READS: ReadTogether[int, list[Mapping[str, Any]]] = ReadTogether(_materials)


def material_view(row: Mapping[str, Any]) -> MaterialView:
    return MaterialView(
        id=row["id"],
        material_code=row["material_code"],
        source=row["source"],
        sha256=row["sha256"],
        mime=row["mime"],
        size=row["size"],
        licence_ref=row["licence_ref"],
        consent_at=row["consent_at"],
        statement=row["statement"],
        added_at=row["added_at"],
    )


def needs_of(
    doc: ItemDocument,
    answers: Mapping[str, Any],
    given: Sequence[Mapping[str, Any]],
    who: Applicant | None,
    locale: str | None,
) -> list[MaterialNeed]:
    """Every material of the item: required by these answers or not, how many are given,
    and (for a draft or a case in 补正, `who` known) the applicant's licences that would do."""
    required = {m.code for m in required_materials(doc, answers)}
    counts: dict[str, int] = {}
    for row in given:
        counts[row["material_code"]] = counts.get(row["material_code"], 0) + 1
    held = who.licences if who is not None else []
    return [
        MaterialNeed(
            code=m.code,
            name=m.name.pick(locale),
            required=m.code in required,
            sources=list(m.sources),
            mime=list(m.mime),
            max_bytes=m.max_bytes,
            max_files=m.max_files,
            given=counts.get(m.code, 0),
            licences=[lic.ref for lic in held if lic.type in m.licence_types],
            commitment=m.commitment.pick(locale) if m.commitment else None,
        )
        for m in doc.materials
    ]


def application_view(
    row: Mapping[str, Any],
    *,
    item: tuple[str, str],
    doc: ItemDocument,
    given: Sequence[Mapping[str, Any]],
    who: Applicant | None,
    calendar: WorkCalendar,
    locale: str | None,
) -> ApplicationView:
    answers = json_value(row["answers"]) or {}
    due = due_of(row, doc, calendar)
    return ApplicationView(
        id=row["id"],
        ref=shown_ref(row),
        item_id=row["item_id"],
        item_code=item[0],
        item_name=item[1],
        item_version_id=row["item_version_id"],
        status=Status(row["status"]),
        current_step=row["current_step"],
        place_path=row["place_path"],
        answers=answers,
        prefilled=json_value(row["prefilled"]) or {},
        materials=[material_view(m) for m in given],
        needs=needs_of(doc, answers, given, who, locale),
        created_at=row["created_at"],
        submitted_at=row["submitted_at"],
        due_date=due.date if due else None,
        due_provisional=due.provisional if due else False,
        version=row["version"],
    )


def application_summary(row: Mapping[str, Any], item: tuple[str, str]) -> ApplicationSummary:
    return ApplicationSummary(
        id=row["id"],
        ref=shown_ref(row),
        item_code=item[0],
        item_name=item[1],
        status=Status(row["status"]),
        current_step=row["current_step"],
        created_at=row["created_at"],
        submitted_at=row["submitted_at"],
        due_date=due_date_of(row["due_at"]),
    )
