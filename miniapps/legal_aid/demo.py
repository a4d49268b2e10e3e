"""The demo city's legal desk: the high-tech zone's legal-aid centre, with every lawyer of
the district listed at it. Nobody is on duty, so a question waits in the centre's pool for
a lawyer to take, the whole path with no shift to keep current."""

from __future__ import annotations

from backend.sdk import Role, fetch_rows, holders_at, utc_now
from miniapps.legal_aid.directory import LEGAL_ROLES
from miniapps.legal_aid.schemas import Speciality, StationKind

DISTRICT = "zz/gx"


async def seed_demo_desk() -> None:
    """Safe to run twice: what is there already is left as it stands."""
    admins = await holders_at(Role.DISTRICT_ADMIN, [DISTRICT])
    if not admins:
        return
    admin = admins[0][0]
    centre = await fetch_rows(
        "SELECT id FROM legal_aid_station WHERE district = $1 AND kind = $2",
        DISTRICT,
        StationKind.CENTRE.value,
    )
    if not centre:
        centre = await fetch_rows(
            "INSERT INTO legal_aid_station (name, kind, org_path, district, created_by,"
            " created_at) VALUES ($1, $2, $3, $3, $4, $5) RETURNING id",
            "高新区法律援助中心",
            StationKind.CENTRE.value,
            DISTRICT,
            admin,
            utc_now(),
        )
    knows = ",".join(sorted(s.value for s in (Speciality.FAMILY, Speciality.LABOUR)))
    lawyers = [u for role in LEGAL_ROLES for u, _ in await holders_at(role, [DISTRICT])]
    for lawyer in lawyers:
        await fetch_rows(
            "INSERT INTO legal_aid_lawyer (user_id, station_id, district, specialities,"
            " open_count, listed_by, listed_at) VALUES ($1, $2, $3, $4, 0, $5, $6)"
            " ON CONFLICT (user_id) DO NOTHING",
            lawyer,
            centre[0]["id"],
            DISTRICT,
            knows,
            admin,
            utc_now(),
        )
