"""Accounts, staff provisioning within an admin's own subtree, and audited reads.

Who administers whom (reading a person's record, revoking, disabling, enabling, granting
them another role) is one rule, `administers`: the admin holds, for EVERY role the person
holds, an admin role that ranks above it (`backend.kernel.roles.RANK`) over that role's org path.
A person with no granted role answers only to a platform admin: their home is their own
choice and gives no admin a hold on them. Nobody administers themselves.
"""

from __future__ import annotations

from typing import Any

import msgspec

from backend.directory.errors import DirectoryCode
from backend.directory.orgs.tables import OrgUnit
from backend.directory.users.schemas import PersonView, StaffCreate, StaffPage, StaffView
from backend.directory.users.tables import AuditEntry, RoleAssignment, UserAccount
from backend.kernel.claims import Claims
from backend.kernel.clock import utc_now
from backend.kernel.codes import KernelCode
from backend.kernel.db import transaction
from backend.kernel.errors import Forbidden, NotFound, Unprocessable
from backend.kernel.events.outbox import insert_with_unit
from backend.kernel.masking import mask_id_card, mask_name, mask_phone
from backend.kernel.pagination import decode_cursor, encode_cursor
from backend.kernel.roles import ADMIN_ROLES, STAFF_ROLES, Role, may_grant
from backend.kernel.vault import Vault

PHONE_PURPOSE = "user.phone"
ID_CARD_PURPOSE = "user.id-card"


async def account_for_phone(*, phone: str, vault: Vault, name: str = "") -> int:
    """The account of a phone number, opened as a resident's on first use."""
    user_id, _ = await open_account(phone=phone, vault=vault, name=name)
    return user_id


async def open_account(
    *, phone: str, vault: Vault, name: str = "", id_card: str | None = None
) -> tuple[int, bool]:
    """The account of a phone and whether this call opened it. `name` and `id_card` are
    written only into a new account: an existing one keeps its identity.

    Safe when many open one phone at once, inside a transaction too: the insert skips a
    row that exists (on PostgreSQL it waits for a racing insert to commit), where catching
    a unique violation would leave a PostgreSQL transaction aborted.
    """
    lookup = vault.lookup(phone, purpose=PHONE_PURPOSE)
    while True:  # again only if the account went between the two statements
        found = await _account_id(lookup)
        if found is not None:
            return found, False
        opened = (
            await UserAccount.insert(
                UserAccount(
                    phone_lookup=lookup,
                    phone_sealed=vault.seal(phone, purpose=PHONE_PURPOSE),
                    name=name,
                    id_card_sealed=vault.seal(id_card, purpose=ID_CARD_PURPOSE)
                    if id_card
                    else None,
                )
            )
            .on_conflict(action="DO NOTHING")
            .returning(UserAccount.id)
        )
        if opened:
            return int(opened[0]["id"]), True


async def _account_id(phone_lookup: str) -> int | None:
    found = (
        await UserAccount.select(UserAccount.id)
        .where(UserAccount.phone_lookup == phone_lookup)
        .first()
    )
    return None if found is None else int(found["id"])


def _granting_roles(actor: Claims, role: Role, path: str) -> list[Role]:
    return [
        admin
        for admin in ADMIN_ROLES
        if actor.has_role(admin) and may_grant(admin, role) and actor.covers(path, admin)
    ]


async def provision_staff(*, actor: Claims, request: StaffCreate, vault: Vault) -> StaffView:
    """Give a person a staff role over an org path the admin holds; opens the account if new.

    A new phone gets an account with the request's name and ID-card number. An existing
    account is never rewritten (its name and ID card stay its own, whatever the request
    says) and gets the role only when the admin already administers its holder (see the
    module's docstring); otherwise the grant is refused with `person_not_administered`,
    so that granting a role can never be the way to gain power over someone. Nobody
    grants themselves a role (`grant_to_self`): separation of duties.
    """
    if not _granting_roles(actor, request.role, request.scope_path):
        raise Forbidden(DirectoryCode.GRANT_NOT_ALLOWED)
    if not await OrgUnit.exists().where(OrgUnit.path == request.scope_path):
        raise Unprocessable(DirectoryCode.ORG_UNKNOWN)
    async with transaction():
        user_id, opened = await open_account(
            phone=request.phone, vault=vault, name=request.name, id_card=request.id_card
        )
        if not opened:
            await _may_grant_to(actor, user_id)
        assignment_id = await assign_role(
            user_id=user_id,
            role=request.role,
            scope_path=request.scope_path,
            granted_by=actor.user_id,
        )
        await audit(
            actor, "staff.provision", user_id, {"role": request.role, "scope": request.scope_path}
        )
    staff = await _staff_rows(RoleAssignment.id == assignment_id, limit=1)
    return _staff_view(staff[0], vault)


async def assign_role(
    *, user_id: int, role: Role, scope_path: str, granted_by: int | None = None
) -> int:
    """Give `role` over `scope_path` to a user; giving it twice, even at once, changes nothing
    (a unique index holds each grant once)."""
    held = (RoleAssignment.user == user_id) & (RoleAssignment.role == role)
    held &= RoleAssignment.scope_path == scope_path
    while True:  # again only if a revoke slipped between the two statements
        rows = (
            await RoleAssignment.insert(
                RoleAssignment(
                    user=user_id, role=role, scope_path=scope_path, granted_by=granted_by
                )
            )
            .on_conflict(action="DO NOTHING")
            .returning(RoleAssignment.id)
        )
        existing = (
            rows[0] if rows else await RoleAssignment.select(RoleAssignment.id).where(held).first()
        )
        if existing is not None:
            return int(existing["id"])


async def set_home(*, user_id: int, home_path: str) -> None:
    await UserAccount.update({UserAccount.home_path: home_path}).where(UserAccount.id == user_id)


async def _may_grant_to(actor: Claims, user_id: int) -> None:
    if user_id == actor.user_id:
        raise Forbidden(DirectoryCode.GRANT_TO_SELF)
    if not await administers(actor, user_id):
        raise Forbidden(DirectoryCode.PERSON_NOT_ADMINISTERED)


async def set_active(*, user_id: int, active: bool) -> None:
    """Enable or disable an account; a disabled one can neither log in nor refresh."""
    await UserAccount.update({UserAccount.active: active}).where(UserAccount.id == user_id)


async def list_staff(
    *, actor: Claims, under: str | None, cursor: str | None, limit: int, vault: Vault
) -> StaffPage:
    """The staff roles held under `under` (default: everything the admin holds); a family
    member's role is not staff, so it is not listed."""
    held = actor.paths_for(*ADMIN_ROLES)
    roots = [under] if under else held
    if not roots or not all(actor.covers(root, *ADMIN_ROLES) for root in roots):
        raise Forbidden(KernelCode.SCOPE_NOT_ALLOWED)
    where = RoleAssignment.role.is_in(sorted(STAFF_ROLES)) & _under_any(roots)
    if cursor:
        where &= RoleAssignment.id > decode_cursor(cursor)
    rows = await _staff_rows(where, limit=limit + 1)
    items = [_staff_view(row, vault) for row in rows[:limit]]
    more = len(rows) > limit
    return StaffPage(
        items=items, next_cursor=encode_cursor(items[-1].assignment_id) if more else None
    )


def _under_any(roots: list[str]) -> Any:
    condition = None
    for root in roots:
        # Org paths hold no LIKE wildcards (see orgs.paths.SEGMENT), so this is a prefix test.
        here = (RoleAssignment.scope_path == root) | RoleAssignment.scope_path.like(root + "/%")
        condition = here if condition is None else condition | here
    return condition


async def _staff_rows(where: Any, *, limit: int) -> list[dict[str, Any]]:
    return (
        await RoleAssignment.select(
            RoleAssignment.id,
            RoleAssignment.role,
            RoleAssignment.scope_path,
            RoleAssignment.created_at,
            RoleAssignment.user.id.as_alias("user_id"),
            RoleAssignment.user.name.as_alias("name"),
            RoleAssignment.user.phone_sealed.as_alias("phone_sealed"),
        )
        .where(where)
        .order_by(RoleAssignment.id)
        .limit(limit)
    )


def _staff_view(row: dict[str, Any], vault: Vault) -> StaffView:
    return StaffView(
        assignment_id=row["id"],
        user_id=row["user_id"],
        name=row["name"],
        phone=mask_phone(vault.open(row["phone_sealed"], purpose=PHONE_PURPOSE)),
        role=row["role"],
        scope_path=row["scope_path"],
        created_at=row["created_at"],
    )


async def read_person(*, actor: Claims, user_id: int, vault: Vault) -> PersonView:
    """One person's record: whole to its owner, masked and audited to an admin above them."""
    own = actor.user_id == user_id
    if not own and not await administers(actor, user_id):
        raise NotFound(DirectoryCode.USER_NOT_FOUND)
    user = await UserAccount.select().where(UserAccount.id == user_id).first()
    if user is None:
        raise NotFound(DirectoryCode.USER_NOT_FOUND)
    if not own:
        await audit(actor, "person.read", user_id, {})
    return _person_view(user, vault, masked=not own)


async def require_administered(actor: Claims, user_id: int) -> None:
    """Refuse to act on oneself (`own_account`), or on a person the actor does not
    administer, who is then reported as not found, so their existence is not revealed."""
    if user_id == actor.user_id:
        raise Forbidden(DirectoryCode.OWN_ACCOUNT)
    if not await administers(actor, user_id):
        raise NotFound(DirectoryCode.USER_NOT_FOUND)


async def administers(actor: Claims, user_id: int) -> bool:
    """True when the actor outranks every role the person holds, each over its path; a
    person with no granted role answers only to a platform admin. Never oneself."""
    if user_id == actor.user_id:
        return False
    if not await UserAccount.exists().where(UserAccount.id == user_id):
        return False
    held = await RoleAssignment.select(RoleAssignment.role, RoleAssignment.scope_path).where(
        RoleAssignment.user == user_id
    )
    if not held:
        return actor.has_role(Role.PLATFORM_ADMIN)
    return all(actor.outranks(row["role"], row["scope_path"]) for row in held)


def _person_view(user: dict[str, Any], vault: Vault, *, masked: bool) -> PersonView:
    phone = vault.open(user["phone_sealed"], purpose=PHONE_PURPOSE)
    id_card = (
        vault.open(user["id_card_sealed"], purpose=ID_CARD_PURPOSE)
        if user["id_card_sealed"]
        else None
    )
    return PersonView(
        id=user["id"],
        name=mask_name(user["name"]) if masked else user["name"],
        phone=mask_phone(phone) if masked else phone,
        id_card=(mask_id_card(id_card) if masked else id_card) if id_card else None,
        home_path=user["home_path"],
        active=user["active"],
        masked=masked,
    )


async def audit(actor: Claims, action: str, subject_id: int | None, detail: dict[str, Any]) -> None:
    """Record who read or changed whose sensitive data; the rows are never changed. Inside a
    unit of work, written with it: together with its other audit rows, before it commits."""
    entry = (actor.user_id, action, subject_id, msgspec.json.encode(detail).decode(), utc_now())
    await insert_with_unit(AuditEntry, _AUDIT_COLUMNS, entry)


# Every change of a case and every read of a person's record writes one.
_AUDIT_COLUMNS = (
    AuditEntry.actor_id,
    AuditEntry.action,
    AuditEntry.subject_id,
    AuditEntry.detail,
    AuditEntry.at,
)
