"""People a bench needs by the thousand: accounts made by the database in one statement
each (a recursive CTE, which SQLite and PostgreSQL both run), roles given in one more, and
access tokens minted in this process as `yimen dev-token` mints them, from the roles and
home each account holds. Call inside `common.in_database`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

# 1, 2, … $1: rows made by the database, not sent one by one.
NUMBERS = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1) "


async def accounts(kind: str, count: int, home: str) -> list[int]:
    """`count` new accounts living at `home`, their ids in order. `kind` names them (their
    phone lookups are `bench-<kind>-<n>`), so it must be new to the database."""
    from backend.kernel.db import fetch_rows

    prefix = f"bench-{kind}-"
    await fetch_rows(
        NUMBERS + "INSERT INTO user_account (phone_lookup, phone_sealed, name, "  # noqa: S608
        "home_path, elder_mode, active, created_at) "
        "SELECT CAST($2 AS TEXT) || CAST(i AS TEXT), '', '', $3, $4, $5, $6 FROM n",
        count,
        prefix,
        home,
        False,
        True,
        dt.datetime.now(dt.UTC),
    )
    rows = await fetch_rows(
        "SELECT id FROM user_account WHERE phone_lookup LIKE $1 ORDER BY id", prefix + "%"
    )
    if len(rows) != count:
        raise SystemExit(f"{len(rows)} accounts named {prefix}* where {count} were made")
    return [int(row["id"]) for row in rows]


async def give_role(user_ids: Sequence[int], role: str, scope: str) -> None:
    from backend.directory.users.tables import RoleAssignment
    from backend.kernel.db import insert_rows

    now = dt.datetime.now(dt.UTC)
    columns = [
        RoleAssignment.user,
        RoleAssignment.role,
        RoleAssignment.scope_path,
        RoleAssignment.granted_by,
        RoleAssignment.created_at,
    ]
    await insert_rows(RoleAssignment, columns, [[u, role, scope, None, now] for u in user_ids])


async def access_tokens(user_ids: Sequence[int]) -> list[str]:
    """An access token for each account, with the roles and scope it holds now."""
    from auth.keys import KeyRing
    from auth.revocation import DenyList
    from auth.sessions import grant_for
    from auth.tokens import TokenService
    from backend.kernel.settings import get_settings
    from backend.kernel.vault import vault_for

    settings = get_settings()
    ring = KeyRing(settings, vault_for(settings.secret))
    await ring.load()
    service = TokenService(settings, ring, DenyList())
    return [service.issue(await grant_for(user_id))[0] for user_id in user_ids]
