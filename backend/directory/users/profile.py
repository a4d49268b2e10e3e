"""A person's own settings: locale, elder mode and home. They travel in the access token
(a home as the resident scope), so the launcher and the guards read them without a query;
a change reaches the token at the next refresh, and the answer to it says whether one is due.
Nothing here touches a name, a phone, an ID number or a role."""

from __future__ import annotations

from typing import Any

import msgspec
from msgspec import UNSET

from backend.directory.errors import DirectoryCode
from backend.directory.orgs.service import place_in_grid, require_unit
from backend.directory.users.schemas import HomeIn, MeView, ProfileUpdate, ProfileView
from backend.directory.users.service import audit
from backend.directory.users.tables import UserAccount
from backend.kernel.claims import Claims
from backend.kernel.errors import Conflict, FieldError, NotFound, Unprocessable
from backend.kernel.events import emit, unit_of_work
from backend.kernel.paths import Level
from backend.kernel.roles import Role

_PROFILE = (UserAccount.locale, UserAccount.elder_mode, UserAccount.home_path)

HOME_SET = "directory.home_set"


class HomeSet(msgspec.Struct, frozen=True):
    """A person chose their home: push subscribes their phones to its grid's topic."""

    user_id: int
    home: str


def me_view(claims: Claims) -> MeView:
    """The caller as their token says."""
    return MeView(
        user_id=claims.user_id,
        roles=claims.roles,
        scope=claims.scope,
        locale=claims.locale,
        elder_mode=claims.elder_mode,
        home=home_in(claims),
        expires_at=claims.exp,
    )


def home_in(claims: Claims) -> str | None:
    """The home a token carries: every account is a resident of its home, and of no other
    path (see `auth.sessions.grant_for`)."""
    paths = claims.scope.get(Role.RESIDENT)
    return paths[0] if paths else None


async def update_profile(*, actor: Claims, change: ProfileUpdate) -> ProfileView:
    """Save what `change` sets, all of it or, when any part is wrong, none.

    A home is chosen once, by a person who has none (or the same again): the home decides
    which grid workers and health officials answer for the person, so moving it is the
    community's act, not the person's alone; a move here is a 409 `home_already_set`."""
    values: dict[Any, Any] = {}
    if change.locale is not UNSET:
        values[UserAccount.locale] = None if change.locale is None else str(change.locale)
    if change.elder_mode is not UNSET:
        values[UserAccount.elder_mode] = change.elder_mode
    mine = UserAccount.id == actor.user_id
    home = None if change.home is UNSET else await home_path(change.home)
    if home is not None:
        values[UserAccount.home_path] = home
    if not values:
        rows = await UserAccount.select(*_PROFILE).where(mine)
        if not rows:
            raise NotFound(DirectoryCode.USER_NOT_FOUND)
        return _profile_view(actor, rows[0])
    async with unit_of_work():
        rows = await _save(mine, values, home)
        if home is not None:
            await audit(actor, "home.set", actor.user_id, {"home": home})
            await emit(HOME_SET, HomeSet(user_id=actor.user_id, home=home))
    return _profile_view(actor, rows[0])


async def _save(mine: Any, values: dict[Any, Any], home: str | None) -> list[dict[str, Any]]:
    unset_or_same = UserAccount.home_path.is_null() | (UserAccount.home_path == home)
    where = mine if home is None else mine & unset_or_same
    rows = await UserAccount.update(values).where(where).returning(*_PROFILE)
    if rows:
        return list(rows)
    if home is not None and await UserAccount.exists().where(mine):
        culprit = FieldError(field="home", message="already set; to move, ask your community")
        raise Conflict(DirectoryCode.HOME_ALREADY_SET, errors=[culprit])
    raise NotFound(DirectoryCode.USER_NOT_FOUND)


async def home_path(home: HomeIn) -> str:
    """The org path of a home: the community or grid named, or the grid holding the point."""
    has_point = home.lat is not None or home.lon is not None
    if (home.path is None) == (not has_point):
        raise Unprocessable(
            DirectoryCode.HOME_INVALID,
            errors=[FieldError(field="home", message="give either path, or lat and lon")],
        )
    if home.path is not None:
        await require_unit(home.path, Level.COMMUNITY, Level.GRID, field="home.path")
        return home.path
    if home.lat is None or home.lon is None:
        missing = "home.lat" if home.lat is None else "home.lon"
        raise Unprocessable(
            DirectoryCode.HOME_INVALID,
            errors=[FieldError(field=missing, message="a point needs both lat and lon")],
        )
    grid = await place_in_grid(lon=home.lon, lat=home.lat)
    if grid is None:
        raise Unprocessable(
            DirectoryCode.HOME_IN_NO_GRID,
            errors=[FieldError(field="home", message="no grid of the city holds this point")],
        )
    return grid


def _profile_view(claims: Claims, row: dict[str, Any]) -> ProfileView:
    home = row["home_path"]
    scope = dict(claims.scope)
    if home:
        scope[Role.RESIDENT] = [home]
    return ProfileView(
        user_id=claims.user_id,
        roles=claims.roles,
        scope=scope,
        locale=row["locale"],
        elder_mode=row["elder_mode"],
        home=home,
        expires_at=claims.exp,
        token_outdated=(row["locale"], row["elder_mode"], home)
        != (claims.locale, claims.elder_mode, home_in(claims)),
    )
