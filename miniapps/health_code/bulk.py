"""Bulk colours from a CSV or JSON upload: every row checked, and all applied or none."""

from __future__ import annotations

import csv
import io

import msgspec

from backend.sdk import (
    Claims,
    FieldError,
    Person,
    Role,
    Unprocessable,
    Vault,
    person_by_phone,
    unit_of_work,
)
from miniapps.health_code.errors import HealthProblem
from miniapps.health_code.schemas import BulkReport, BulkStatusIn, BulkStatusRow, Colour, StatusIn
from miniapps.health_code.status import apply_status

ONE_OF_THEM = "give either rows or csv"


def rows_of(upload: BulkStatusIn) -> list[BulkStatusRow]:
    """The upload's rows, or every row the CSV reader or the row's checks refuse, by number."""
    if (upload.rows is None) == (upload.csv is None):
        raise Unprocessable(
            HealthProblem.BULK_STATUS_INVALID, errors=[FieldError(field="csv", message=ONE_OF_THEM)]
        )
    if upload.rows is not None:
        return upload.rows
    rows, errors = _csv_rows(upload.csv or "")
    if errors:
        raise Unprocessable(HealthProblem.BULK_STATUS_INVALID, errors=errors)
    return rows


def _csv_rows(text: str) -> tuple[list[BulkStatusRow], list[FieldError]]:
    reader = csv.DictReader(io.StringIO(text))
    rows: list[BulkStatusRow] = []
    errors: list[FieldError] = []
    number = 0
    try:
        for number, raw in enumerate(reader, start=1):
            try:
                rows.append(msgspec.convert(raw, BulkStatusRow))
            except msgspec.ValidationError as err:
                errors.append(FieldError(field="csv", message=str(err), row=number))
    except csv.Error as err:
        # The reader stops at the first row it cannot read (a field over 128 KiB, a bare
        # carriage return): that is the row after the last one it gave.
        errors.append(FieldError(field="csv", message=_unreadable(err), row=number + 1))
    return rows, errors


def _unreadable(err: csv.Error) -> str:
    if "field limit" in str(err):
        return f"a field is longer than {csv.field_size_limit() // 1024} KiB"
    if "new-line character" in str(err):
        return "a line break inside a field must be quoted"
    return f"not readable as CSV: {err}"


async def apply_bulk(*, actor: Claims, upload: BulkStatusIn, vault: Vault) -> BulkReport:
    """Check every row (known resident, in the official's area, a real colour), then apply
    all of them in one transaction, or report every bad row and apply none."""
    rows = rows_of(upload)
    errors: list[FieldError] = []
    planned: list[tuple[Person, StatusIn]] = []
    for number, row in enumerate(rows, start=1):
        resident, problem = await _resident(actor, row, vault)
        if problem:
            errors.append(FieldError(field=problem[0], message=problem[1], row=number))
        elif resident is not None:
            wanted = {"colour": row.colour, "reason": row.reason, "source": row.source}
            planned.append((resident, msgspec.convert(wanted, StatusIn)))
    if errors:
        raise Unprocessable(HealthProblem.BULK_STATUS_INVALID, errors=errors)
    async with unit_of_work():
        for holder, status in planned:
            await apply_status(set_by=actor.user_id, resident=holder, status=status)
    return BulkReport(changed=len(planned))


async def _resident(
    actor: Claims, row: BulkStatusRow, vault: Vault
) -> tuple[Person | None, tuple[str, str] | None]:
    if row.colour not in {c.value for c in Colour}:
        return None, ("colour", "green, yellow or red")
    resident = await person_by_phone(row.phone, vault)
    if resident is None:
        return None, ("phone", "no resident with this phone")
    if not resident.home_path or not actor.covers(resident.home_path, Role.HEALTH_OFFICIAL):
        return None, ("phone", "this resident lives outside your area")
    return resident, None
