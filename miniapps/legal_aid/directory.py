"""The legal directory: stations in the district's org units, the lawyers listed at them
with their specialities, and who is on duty for consultations when (值班). A district's
admins keep it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from backend.sdk import (
    UNIQUE_VIOLATION,
    Claims,
    Conflict,
    Forbidden,
    Level,
    NotFound,
    Role,
    Unprocessable,
    district_of,
    fetch_rows,
    is_valid,
    is_within,
    people,
    require_unit,
    scopes_held,
)
from miniapps.legal_aid.errors import LegalProblem
from miniapps.legal_aid.runtime import LegalRuntime
from miniapps.legal_aid.schemas import (
    LawyerIn,
    LawyerView,
    ShiftIn,
    ShiftView,
    Speciality,
    StationIn,
    StationKind,
    StationView,
)

LONGEST_SHIFT = dt.timedelta(days=14)
PLANNED_AHEAD = dt.timedelta(days=90)  # how far ahead a rota is drawn up
# Who answers consultations: lawyers, and legal workers (基层法律服务工作者) alike.
LEGAL_ROLES = (Role.LAWYER, Role.LEGAL_WORKER)
# Who keeps a district's directory and supervises its consultations: its justice bureau,
# which acts through the district's admins, and the platform's.
SUPERVISORS = (Role.DISTRICT_ADMIN, Role.PLATFORM_ADMIN)


def district_admin_over(actor: Claims, path: str) -> str:
    """The district `path` lies in, if `actor` is a district admin over it."""
    district = district_of(path) if is_valid(path) else None
    if district is None or not actor.covers(district, *SUPERVISORS):
        raise Forbidden(LegalProblem.NOT_DISTRICT_ADMIN)
    return district


def lawyer_in(actor: Claims, district: str) -> bool:
    """Whether the caller's token holds a lawyer's or a legal worker's role in or over the
    district."""
    return any(
        is_within(held, district) or is_within(district, held)
        for held in actor.paths_for(*LEGAL_ROLES)
    )


async def holds_lawyer_role(user_id: int, district: str) -> bool:
    """Whether the person holds a lawyer's or a legal worker's role in or over the district
    now."""
    held = [s for role in LEGAL_ROLES for s in await scopes_held(user_id, role)]
    return any(is_within(district, s) or is_within(s, district) for s in held)


async def add_station(*, actor: Claims, station: StationIn, legal: LegalRuntime) -> StationView:
    """A station in an existing unit of a district the caller administers; its head, if
    named, a lawyer of the district."""
    district = district_admin_over(actor, station.org_path)
    await require_unit(
        station.org_path, Level.DISTRICT, Level.STREET, Level.COMMUNITY, field="org_path"
    )
    if station.head_id is not None and not await holds_lawyer_role(station.head_id, district):
        raise Unprocessable(LegalProblem.NOT_A_LAWYER)
    rows = await fetch_rows(
        "INSERT INTO legal_aid_station (name, kind, org_path, district, head_id, created_by,"
        " created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *",
        station.name,
        station.kind.value,
        station.org_path,
        district,
        station.head_id,
        actor.user_id,
        legal.clock(),
    )
    return station_view(rows[0])


async def station_row(station_id: int) -> Mapping[str, Any]:
    rows = await fetch_rows("SELECT * FROM legal_aid_station WHERE id = $1", station_id)
    if not rows:
        raise NotFound(LegalProblem.STATION_NOT_FOUND)
    return rows[0]


async def stations_in(district: str) -> list[StationView]:
    rows = await fetch_rows(
        "SELECT * FROM legal_aid_station WHERE district = $1 ORDER BY id", district
    )
    return [station_view(r) for r in rows]


def station_view(row: Mapping[str, Any]) -> StationView:
    return StationView(
        id=int(row["id"]),
        name=str(row["name"]),
        kind=StationKind(row["kind"]),
        org_path=str(row["org_path"]),
        district=str(row["district"]),
        head_id=row["head_id"],
    )


async def list_lawyer(
    *, actor: Claims, station_id: int, lawyer: LawyerIn, legal: LegalRuntime
) -> LawyerView:
    """List a person who holds the lawyer role in the station's district at the station."""
    station = await station_row(station_id)
    district = district_admin_over(actor, str(station["org_path"]))
    if not await holds_lawyer_role(lawyer.user_id, district):
        raise Unprocessable(LegalProblem.NOT_A_LAWYER)
    try:
        rows = await fetch_rows(
            "INSERT INTO legal_aid_lawyer (user_id, station_id, district, specialities,"
            " open_count, listed_by, listed_at) VALUES ($1, $2, $3, $4, 0, $5, $6) RETURNING *",
            lawyer.user_id,
            station_id,
            district,
            ",".join(sorted(s.value for s in lawyer.specialities)),
            actor.user_id,
            legal.clock(),
        )
    except UNIQUE_VIOLATION as err:
        raise Conflict(LegalProblem.LAWYER_LISTED) from err
    return (await lawyer_views(rows, legal.clock()))[0]


async def lawyer_row(lawyer_id: int) -> Mapping[str, Any]:
    rows = await fetch_rows("SELECT * FROM legal_aid_lawyer WHERE id = $1", lawyer_id)
    if not rows:
        raise NotFound(LegalProblem.LAWYER_NOT_FOUND)
    return rows[0]


async def lawyers_at(station_id: int, now: dt.datetime) -> list[LawyerView]:
    await station_row(station_id)
    rows = await fetch_rows(
        "SELECT * FROM legal_aid_lawyer WHERE station_id = $1 ORDER BY id", station_id
    )
    return await lawyer_views(rows, now)


async def lawyer_views(rows: Sequence[Mapping[str, Any]], now: dt.datetime) -> list[LawyerView]:
    named = await people({int(r["user_id"]) for r in rows})
    on_duty = {
        int(r["lawyer_id"])
        for r in await fetch_rows(
            "SELECT lawyer_id FROM legal_aid_shift WHERE starts_at <= $1 AND ends_at > $1", now
        )
    }
    return [
        LawyerView(
            id=int(r["id"]),
            user_id=int(r["user_id"]),
            name=named[int(r["user_id"])].name if int(r["user_id"]) in named else "",
            station_id=int(r["station_id"]),
            specialities=[Speciality(s) for s in str(r["specialities"]).split(",")],
            open_consultations=int(r["open_count"]),
            on_duty=int(r["id"]) in on_duty,
        )
        for r in rows
    ]


async def add_shift(
    *, actor: Claims, lawyer_id: int, shift: ShiftIn, legal: LegalRuntime
) -> ShiftView:
    """Put a lawyer on duty in their district, by an admin of that district."""
    lawyer = await lawyer_row(lawyer_id)
    district = district_admin_over(actor, str(lawyer["district"]))
    now = legal.clock()
    try:  # a time at the calendar's end, in a zone behind UTC, is past it in UTC
        starts, ends = shift.starts_at.astimezone(dt.UTC), shift.ends_at.astimezone(dt.UTC)
    except OverflowError as err:
        raise Unprocessable(LegalProblem.SHIFT_INVALID) from err
    ahead, long = starts > now + PLANNED_AHEAD, ends > starts + LONGEST_SHIFT
    if ends <= now or ends <= starts or ahead or long:
        raise Unprocessable(LegalProblem.SHIFT_INVALID)
    rows = await fetch_rows(
        "INSERT INTO legal_aid_shift (lawyer_id, district, starts_at, ends_at, set_by)"
        " VALUES ($1, $2, $3, $4, $5) RETURNING id",
        lawyer_id,
        district,
        starts,
        ends,
        actor.user_id,
    )
    return ShiftView(
        id=int(rows[0]["id"]),
        lawyer_id=lawyer_id,
        district=district,
        starts_at=starts,
        ends_at=ends,
    )
