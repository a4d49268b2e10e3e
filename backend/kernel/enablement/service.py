"""Per-district enablement (一台多峰): a platform admin switches a mini-app on city-wide, a
district admin may switch it off within the district. The launcher and the routes both
read this process's copy, reloaded every few seconds and at once after a local change."""

from __future__ import annotations

import asyncio
from typing import Annotated

import msgspec

from backend.kernel.claims import Claims
from backend.kernel.codes import KernelCode
from backend.kernel.contract import Manifest
from backend.kernel.enablement.tables import MiniAppSwitch
from backend.kernel.errors import Forbidden, NotFound
from backend.kernel.pagination import decode_position, encode_position
from backend.kernel.paths import district_of, is_valid, level_of
from backend.kernel.registry import Registry
from backend.kernel.roles import Role
from backend.kernel.timers import cancel, every

CITY = ""


class SwitchChange(msgspec.Struct, frozen=True):
    enabled: bool
    district: str | None = None


class AppState(msgspec.Struct, frozen=True):
    app_id: str
    enabled_city_wide: bool
    disabled_in: list[str]


class AppStatePage(msgspec.Struct, frozen=True):
    items: list[AppState]
    next_cursor: str | None


def districts_of(claims: Claims) -> frozenset[str]:
    """The districts a caller acts in; CITY for a role held above any district."""
    return frozenset(district_of(p) or CITY for p in claims.paths_for())


class Enablement:
    def __init__(self, registry: Registry, reload_interval: float = 5.0) -> None:
        self._registry = registry
        self._city: dict[str, bool] = {}
        self._off: dict[str, frozenset[str]] = {}
        self.version = 0
        self._interval = reload_interval
        self._task: asyncio.Task[None] | None = None

    def enabled_for(self, app_id: str, districts: frozenset[str]) -> bool:
        manifest = self._registry.apps.get(app_id)
        if manifest is None or not self._city.get(app_id, manifest.enabled_by_default):
            return False
        if not districts or CITY in districts:
            return True
        return bool(districts - self._off.get(app_id, frozenset()))

    def serves(self, app_id: str, path: str) -> bool:
        """Whether the app is on where `path` lies: in its district, or city-wide above one."""
        return self.enabled_for(app_id, frozenset({district_of(path) or CITY}))

    def switched_off_in(self, app_id: str) -> frozenset[str] | None:
        """The districts where the app is off; None when it is off city-wide (or unknown)."""
        manifest = self._registry.apps.get(app_id)
        if manifest is None or not self._city.get(app_id, manifest.enabled_by_default):
            return None
        return self._off.get(app_id, frozenset())

    def states(self, after: str = "") -> list[AppState]:
        """Every installed app's switches, by app id; only those after `after` when given."""
        return [
            self._state(app_id, manifest)
            for app_id, manifest in sorted(self._registry.apps.items())
            if app_id > after
        ]

    def state_of(self, app_id: str) -> AppState:
        return self._state(app_id, self._registry.apps[app_id])

    def _state(self, app_id: str, manifest: Manifest) -> AppState:
        return AppState(
            app_id=app_id,
            enabled_city_wide=self._city.get(app_id, manifest.enabled_by_default),
            disabled_in=sorted(self._off.get(app_id, frozenset())),
        )

    async def load(self) -> None:
        rows = await MiniAppSwitch.select().order_by(MiniAppSwitch.id)
        city: dict[str, bool] = {}
        off: dict[str, set[str]] = {}
        for row in rows:  # later switches win
            if row["district"] == CITY:
                city[row["app_id"]] = row["enabled"]
            elif row["enabled"]:
                off.setdefault(row["app_id"], set()).discard(row["district"])
            else:
                off.setdefault(row["app_id"], set()).add(row["district"])
        frozen = {k: frozenset(v) for k, v in off.items() if v}
        if (city, frozen) != (self._city, self._off):
            self._city, self._off = city, frozen
            self.version += 1

    async def start(self) -> None:
        await self.load()
        self._task = every(self._interval, self.load, "reloading mini-app switches")

    async def stop(self) -> None:
        await cancel(self._task)


class AppPosition(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    """Where a page of switches ends: the last app id shown."""

    app_id: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


def list_states(enablement: Enablement, *, cursor: str | None, limit: int) -> AppStatePage:
    """The apps' switches a page at a time, by app id; the next page starts after the last
    app shown, so an app installed meanwhile is neither shown twice nor makes one skipped."""
    after = decode_position(cursor, AppPosition).app_id if cursor else ""
    states = enablement.states(after=after)
    items = states[:limit]
    more = len(states) > limit
    return AppStatePage(
        items=items,
        next_cursor=encode_position(AppPosition(items[-1].app_id)) if more else None,
    )


async def switch(
    *,
    actor: Claims,
    app_id: str,
    change: SwitchChange,
    enablement: Enablement,
    registry: Registry,
) -> AppState:
    """Switch a mini-app city-wide (platform admin) or within a district (its admin); the
    app's switches as they are now."""
    if app_id not in registry.apps:
        raise NotFound(KernelCode.MINIAPP_UNKNOWN)
    district = change.district or CITY
    if district == CITY:
        if not actor.has_role(Role.PLATFORM_ADMIN):
            raise Forbidden(KernelCode.FORBIDDEN)
    else:
        if not is_valid(district) or level_of(district) != "district":
            raise Forbidden(KernelCode.DISTRICT_INVALID)
        if not actor.covers(district, Role.DISTRICT_ADMIN, Role.PLATFORM_ADMIN):
            raise Forbidden(KernelCode.SCOPE_NOT_ALLOWED)
    await MiniAppSwitch.insert(
        MiniAppSwitch(
            app_id=app_id, district=district, enabled=change.enabled, changed_by=actor.user_id
        )
    )
    await enablement.load()
    return enablement.state_of(app_id)
