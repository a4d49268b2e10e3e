"""Elder profiles: enrolled by the resident themselves, by care staff over their home
grid, or by a family member (`family_enrolment`), and seen by the elder, their family
circle and that staff, by nobody else.

An elder is always placed in the grid of their home, so "who may see them" is a question of
that path: staff see the elders of the grids their roles cover, a family member those whose
circle accepted them."""

from __future__ import annotations

import hmac
from collections.abc import Mapping
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
    Vault,
    fetch_rows,
    is_within,
    level_of,
    person,
    scopes_held,
    utc_now,
)
from miniapps.elderly_care.errors import CareProblem
from miniapps.elderly_care.schemas import BindingStatus, CareIn, ElderEnrolIn, EnrolledAs

# Who looks after the elders of a grid: its workers and the admins above it.
CARE_STAFF = (
    Role.CARE_WORKER,
    Role.GRID_WORKER,
    Role.COMMUNITY_ADMIN,
    Role.DISTRICT_ADMIN,
    Role.PLATFORM_ADMIN,
)


class Seen:
    """How the caller stands to an elder they may see."""

    def __init__(self, elder: Mapping[str, Any], *, own: bool, staff: bool) -> None:
        self.elder = elder
        self.own = own
        self.staff = staff

    @property
    def id(self) -> int:
        return int(self.elder["id"])


async def enrol(*, actor: Claims, enrolment: ElderEnrolIn) -> int:
    """Enrol the caller, or (care staff) a resident whose home is in their grids; the new
    elder's id."""
    user_id = actor.user_id if enrolment.user_id is None else enrolment.user_id
    resident = await person(user_id)
    own = user_id == actor.user_id
    if resident is None or not (
        own or (resident.home_path and actor.covers(resident.home_path, *CARE_STAFF))
    ):
        raise NotFound(CareProblem.PERSON_NOT_FOUND)
    # A grid, not a wider unit: the elder's grid worker is who looks in on them.
    if not resident.home_path or level_of(resident.home_path) is not Level.GRID:
        raise Unprocessable(CareProblem.HOME_UNKNOWN)
    try:
        rows = await fetch_rows(
            "INSERT INTO elderly_care_elder (user_id, grid_path, living_alone, enrolled_by,"
            " enrolled_as, enrolled_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            user_id,
            resident.home_path,
            enrolment.living_alone,
            actor.user_id,
            (EnrolledAs.SELF if own else EnrolledAs.STAFF).value,
            utc_now(),
        )
    except UNIQUE_VIOLATION as err:
        raise Conflict(CareProblem.ALREADY_ENROLLED) from err
    return int(rows[0]["id"])


async def own_elder(actor: Claims) -> Seen:
    """The caller as an elder, if they are enrolled; not found otherwise."""
    rows = await fetch_rows("SELECT * FROM elderly_care_elder WHERE user_id = $1", actor.user_id)
    if not rows:
        raise NotFound(CareProblem.ELDER_NOT_FOUND)
    return Seen(rows[0], own=True, staff=actor.covers(str(rows[0]["grid_path"]), *CARE_STAFF))


async def elder_seen_by(actor: Claims, elder_id: int) -> Seen:
    """The elder, if the caller is them, an accepted member of their circle, or care staff
    over their grid; to anyone else they are not found."""
    rows = await fetch_rows("SELECT * FROM elderly_care_elder WHERE id = $1", elder_id)
    if rows:
        elder = rows[0]
        own = int(elder["user_id"]) == actor.user_id
        staff = actor.covers(str(elder["grid_path"]), *CARE_STAFF)
        if own or staff or await in_circle(elder_id, actor.user_id):
            return Seen(elder, own=own, staff=staff)
    raise NotFound(CareProblem.ELDER_NOT_FOUND)


async def in_circle(elder_id: int, member_id: int) -> bool:
    rows = await fetch_rows(
        "SELECT id FROM elderly_care_family_binding"
        " WHERE elder_id = $1 AND member_id = $2 AND status = $3",
        elder_id,
        member_id,
        BindingStatus.ACCEPTED.value,
    )
    return bool(rows)


INVITE = "elderly_care_invite"
_INVITE_MAC = 24  # hex digits of the keyed hash: 96 bits, beyond guessing


def invite_of(elder_id: int, vault: Vault) -> str:
    """What the elder's circle shares (as a QR code, say) for family to ask to join: the
    elder's id with a keyed hash of it, so that ids cannot be tried one after another."""
    return f"{elder_id}-{vault.lookup(str(elder_id), purpose=INVITE)[:_INVITE_MAC]}"


async def elder_invited(invite: str, vault: Vault) -> Mapping[str, Any]:
    """The elder `invite` was made for; an invite not made here is an elder not found."""
    elder_id = invite.partition("-")[0]
    if elder_id.isdigit() and hmac.compare_digest(invite, invite_of(int(elder_id), vault)):
        rows = await fetch_rows("SELECT * FROM elderly_care_elder WHERE id = $1", int(elder_id))
        if rows:
            return rows[0]
    raise NotFound(CareProblem.ELDER_NOT_FOUND)


RISK_NOTES = "elderly_care_risk_notes"


async def set_care(*, actor: Claims, elder_id: int, care: CareIn, vault: Vault) -> Seen:
    """Care staff over the elder's grid set who looks after the elder and their notes."""
    seen = await elder_seen_by(actor, elder_id)
    if not seen.staff:
        raise Forbidden(CareProblem.CARE_STAFF_ONLY)
    grid = str(seen.elder["grid_path"])
    for worker, role in (
        (care.care_worker_id, Role.CARE_WORKER),
        (care.grid_worker_id, Role.GRID_WORKER),
    ):
        if worker is not None and not any(
            is_within(grid, scope) for scope in await scopes_held(worker, role)
        ):
            raise Unprocessable(CareProblem.WORKER_NOT_IN_SCOPE)
    notes = care.risk_notes.strip() if care.risk_notes else ""
    await fetch_rows(
        "UPDATE elderly_care_elder SET living_alone = $2, care_worker_id = $3,"
        " grid_worker_id = $4, risk_notes_sealed = $5 WHERE id = $1",
        elder_id,
        care.living_alone,
        care.care_worker_id,
        care.grid_worker_id,
        vault.seal(notes, purpose=RISK_NOTES) if notes else None,
    )
    return await elder_seen_by(actor, elder_id)


def risk_notes(seen: Seen, vault: Vault) -> str | None:
    """The notes, for care staff; None for anyone else or when there are none."""
    sealed = seen.elder["risk_notes_sealed"]
    return vault.open(str(sealed), purpose=RISK_NOTES) if seen.staff and sealed else None
