"""What the parts may ask of the directory: who a person is, who holds a role where, which
org units exist. The parts call these instead of reading the directory's tables."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import msgspec

from backend.directory.orgs.tables import OrgUnit
from backend.directory.users.service import ID_CARD_PURPOSE, PHONE_PURPOSE
from backend.directory.users.tables import RoleAssignment, UserAccount
from backend.kernel.db import fetch_rows, fetch_where_in, placeholders
from backend.kernel.i18n import DEFAULT_LOCALE
from backend.kernel.id_cards import age_on, birth_date_of
from backend.kernel.masking import mask_name, mask_phone
from backend.kernel.paths import Level, ancestors
from backend.kernel.read_together import ReadTogether
from backend.kernel.roles import Role
from backend.kernel.vault import Vault


class Person(msgspec.Struct, frozen=True, kw_only=True):
    """A person as other parts may know them: no phone, no ID-card number."""

    id: int
    name: str
    home_path: str | None
    locale: str  # the one they chose, else the default: a notice is written before any request


_PERSON = (UserAccount.id, UserAccount.name, UserAccount.home_path, UserAccount.locale)


def _person(row: Mapping[str, Any]) -> Person:
    return Person(
        id=int(row["id"]),
        name=row["name"],
        home_path=row["home_path"],
        locale=row["locale"] or DEFAULT_LOCALE,
    )


async def person(user_id: int) -> Person | None:
    """The person with account `user_id`, if any. Asked on every report, submission and
    notice: the ids asked at the same time are read with one statement."""
    return await _PERSON_READS.one(user_id)


# Prepared statements, not built queries.
_PERSON_COLUMNS = ", ".join(c._meta.db_column_name for c in _PERSON)
_PEOPLE = f"SELECT {_PERSON_COLUMNS} FROM {UserAccount._meta.tablename}"  # noqa: S608 - own names


async def people(user_ids: Iterable[int]) -> dict[int, Person]:
    """The people among `user_ids` who have an account, by id."""
    rows = await fetch_where_in(_PEOPLE, "id", user_ids)
    return {int(row["id"]): _person(row) for row in rows}


_PERSON_READS: ReadTogether[int, Person] = ReadTogether(people)


async def person_by_phone(phone: str, vault: Vault) -> Person | None:
    """The person whose account has this phone, if any; the phones asked at the same time
    are read with one statement."""
    return await _BY_PHONE_READS.one(vault.lookup(phone, purpose=PHONE_PURPOSE))


async def people_by_phone(phones: Iterable[str], vault: Vault) -> dict[str, Person]:
    """The people among `phones` who have an account, by phone: `person_by_phone` of each,
    asked at once."""
    lookups = {vault.lookup(phone, purpose=PHONE_PURPOSE): phone for phone in phones}
    found = await _BY_PHONE_READS.many(lookups)
    return {lookups[lookup]: who for lookup, who in found.items()}


async def _people_by_phone(lookups: Iterable[str]) -> dict[str, Person]:
    rows = await fetch_where_in(_PEOPLE_AND_PHONE, "phone_lookup", lookups)
    return {row["phone_lookup"]: _person(row) for row in rows}


_PEOPLE_AND_PHONE = f"SELECT {_PERSON_COLUMNS}, phone_lookup FROM {UserAccount._meta.tablename}"  # noqa: S608
_BY_PHONE_READS: ReadTogether[str, Person] = ReadTogether(_people_by_phone)


class MaskedContact(msgspec.Struct, frozen=True, kw_only=True):
    """How a person may be reached, masked for staff who call them back: 张*, 138****0001."""

    name: str
    phone: str


async def masked_contact(user_id: int, vault: Vault) -> MaskedContact | None:
    """The person's name and phone, masked; None if there is no such account."""
    row = (
        await UserAccount.select(UserAccount.name, UserAccount.phone_sealed)
        .where(UserAccount.id == user_id)
        .first()
    )
    if row is None:
        return None
    phone = vault.open(row["phone_sealed"], purpose=PHONE_PURPOSE)
    return MaskedContact(name=mask_name(row["name"]), phone=mask_phone(phone))


class PersonalDetails(msgspec.Struct, frozen=True, kw_only=True):
    """A person's own details, unmasked: for a reader the person consented to, each field
    read only when consented to."""

    name: str
    phone: str
    id_card: str | None


# Prepared statements, not queries built for each call: open-API reads ask these per request.
_ACCOUNTS = f"SELECT id, active FROM {UserAccount._meta.tablename}"  # noqa: S608 - own names
_DETAILS = (
    f"SELECT name, phone_sealed, id_card_sealed FROM {UserAccount._meta.tablename}"  # noqa: S608
    " WHERE id = $1"
)


async def personal_details(user_id: int, vault: Vault) -> PersonalDetails | None:
    """The person's name, phone and ID-card number; None if there is no such account."""
    rows = await fetch_rows(_DETAILS, user_id)
    if not rows:
        return None
    row = rows[0]
    sealed_id = row["id_card_sealed"]
    return PersonalDetails(
        name=row["name"],
        phone=vault.open(row["phone_sealed"], purpose=PHONE_PURPOSE),
        id_card=vault.open(sealed_id, purpose=ID_CARD_PURPOSE) if sealed_id else None,
    )


# Keyset pages of an area's people, so a district of a million is read a page at a time.
_WITHIN = (
    f"{_PEOPLE} WHERE id > $1 AND active AND (home_path = $2 OR home_path LIKE $3 "  # noqa: S608
    f'OR id IN (SELECT "user" FROM {RoleAssignment._meta.tablename} '
    "WHERE role = $4 AND (scope_path = $2 OR scope_path LIKE $3))) ORDER BY id LIMIT $5"
)


async def people_within(path: str, *, after: int, limit: int) -> list[Person]:
    """Up to `limit` people, in id order after `after`, who live in the unit at `path` (a
    well-formed path, so it holds no LIKE wildcard) or work in it as grid workers."""
    rows = await fetch_rows(_WITHIN, after, path, path + "/%", str(Role.GRID_WORKER), limit)
    return [_person(row) for row in rows]


async def holders_at(role: Role, paths: Iterable[str]) -> list[tuple[int, str]]:
    """(user id, scope) of every holder of `role` whose scope is exactly one of `paths`."""
    wanted = list(paths)
    if not wanted:
        return []
    rows = await fetch_rows(
        f'SELECT "user", scope_path FROM {RoleAssignment._meta.tablename} '  # noqa: S608
        f"WHERE role = $1 AND scope_path IN ({placeholders(2, len(wanted))})",
        str(role),
        *wanted,
    )
    return [(int(row["user"]), row["scope_path"]) for row in rows]


async def holders_within(role: Role, path: str) -> set[int]:
    """Holders of `role` whose scope lies at or below `path` (a well-formed path, so it holds
    no LIKE wildcard): "grid workers of g07"."""
    rows = await fetch_rows(_HOLDERS_WITHIN, str(role), path, path + "/%")
    return {int(row["user"]) for row in rows}


# Asked for the staff audience of every notice: a statement prepared once.
_HOLDERS_WITHIN = (
    f'SELECT "user" FROM {RoleAssignment._meta.tablename} '  # noqa: S608 - own names
    "WHERE role = $1 AND (scope_path = $2 OR scope_path LIKE $3)"
)


async def holders_of(role: Role) -> set[int]:
    """Every holder of `role`, wherever: "the platform admins"."""
    rows = await fetch_rows(_HOLDERS_OF, str(role))
    return {int(row["user"]) for row in rows}


_HOLDERS_OF = f'SELECT "user" FROM {RoleAssignment._meta.tablename} WHERE role = $1'  # noqa: S608 - own names


async def holders_above(role: Role, path: str) -> set[int]:
    """Holders of `role` whose scope contains `path`: "community admins above g07"."""
    return {user for user, _ in await holders_at(role, ancestors(path))}


async def active_among(user_ids: Iterable[int]) -> set[int]:
    """Those of `user_ids` whose accounts are not switched off: who may be given work."""
    rows = await fetch_where_in(_ACCOUNTS, "id", user_ids)
    return {int(row["id"]) for row in rows if row["active"]}


async def scopes_held(user_id: int, role: Role) -> list[str]:
    """The org paths where the person holds `role`."""
    rows = await RoleAssignment.select(RoleAssignment.scope_path).where(
        (RoleAssignment.user == user_id) & (RoleAssignment.role == role)
    )
    return [row["scope_path"] for row in rows]


async def unit_exists(path: str) -> bool:
    return bool(await OrgUnit.exists().where(OrgUnit.path == path))


async def units_under(path: str, level: Level) -> list[str]:
    """The paths of the org units of `level` below `path` (a well-formed path, so it holds no
    LIKE wildcard)."""
    rows = await OrgUnit.select(OrgUnit.path).where(
        (OrgUnit.level == level) & OrgUnit.path.like(path + "/%")
    )
    return [row["path"] for row in rows]


async def age_of(user_id: int, *, vault: Vault, on: dt.date) -> int | None:
    """The person's age in full years on `on`, read off the identity card number they gave
    (digits 7-14); None without one. The number itself never leaves the directory."""
    rows = await fetch_rows("SELECT id_card_sealed FROM user_account WHERE id = $1", user_id)
    if not rows or not rows[0]["id_card_sealed"]:
        return None
    birth = birth_date_of(vault.open(str(rows[0]["id_card_sealed"]), purpose=ID_CARD_PURPOSE))
    return None if birth is None else age_on(birth, on)
