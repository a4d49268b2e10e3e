"""Third-party apps in the launcher: a tile for each app out to the caller, in a district of
theirs that switched it on for what the version they get asks. The launcher asks on every
read, so this process keeps what it needs in memory, reloaded every few seconds and at once
after a change made here."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from backend.sdk import (
    Claims,
    Enablement,
    Role,
    Section,
    Services,
    Tile,
    cancel,
    district_of,
    every,
    fetch_rows,
)
from miniapps.open_platform.districts import OUT_VERSIONS, asks_of
from miniapps.open_platform.launch import PLATFORM_ID
from miniapps.open_platform.release import version_for
from miniapps.open_platform.schemas import AppManifest

TILE_ORDER = 200  # after the city's own tiles in their section


class OutVersion(msgspec.Struct, frozen=True, kw_only=True):
    """What the launcher needs of a version out now."""

    id: int
    titles: dict[str, str]
    entry_url: str
    roles: frozenset[Role]
    asks: frozenset[str]


class Launchable(msgspec.Struct, frozen=True, kw_only=True):
    """An app out now: its release (the row `version_for` reads), its versions out, and the
    districts that switched it on with what each approved."""

    app_id: str
    slug: str
    release: Mapping[str, Any]
    versions: dict[int, OutVersion]
    approved: dict[str, frozenset[str]]

    def roles(self) -> frozenset[Role]:
        return frozenset[Role]().union(*(v.roles for v in self.versions.values()))


class LaunchTiles:
    """The tiles of the third-party apps out to each caller (a `TileSource`)."""

    def __init__(self, enablement: Enablement, reload_interval: float = 5.0) -> None:
        self._enablement = enablement
        self._apps: list[Launchable] = []
        self._interval = reload_interval
        self._task: asyncio.Task[None] | None = None
        # One load at a time: a load begun before a change never lands after the one after.
        self._loading = asyncio.Lock()

    def tiles_for(self, claims: Claims) -> Sequence[Tile]:
        if not self._apps:
            return ()
        tiles = []
        for app in self._apps:
            version = self._version_for(app, claims)
            if version is not None:
                tiles.append(_tile(app, version))
        return tiles

    async def load(self) -> None:
        async with self._loading:
            await self._load()

    async def _load(self) -> None:
        apps = await fetch_rows(
            "SELECT * FROM open_platform_app WHERE released_version_id IS NOT NULL"
            " OR gray_version_id IS NOT NULL ORDER BY app_id"
        )
        versions: dict[str, dict[int, OutVersion]] = {}
        for row in await fetch_rows(OUT_VERSIONS):
            versions.setdefault(row["app_id"], {})[int(row["id"])] = _out(row)
        approved: dict[str, dict[str, frozenset[str]]] = {}
        for row in await fetch_rows(
            "SELECT app_id, district, approved_asks FROM open_platform_district WHERE enabled"
        ):
            asks = frozenset(a for a in row["approved_asks"].split(",") if a)
            approved.setdefault(row["app_id"], {})[row["district"]] = asks
        self._apps = [
            Launchable(
                app_id=app["app_id"],
                slug=app["slug"],
                release=dict(app),
                versions=versions.get(app["app_id"], {}),
                approved=approved.get(app["app_id"], {}),
            )
            for app in apps
        ]

    def _version_for(self, app: Launchable, claims: Claims) -> OutVersion | None:
        """The version the caller gets in the first district of theirs where it is on, the
        open platform included."""
        paths = claims.paths_for(*app.roles())
        for district in sorted({d for d in map(district_of, paths) if d}):
            if not self._enablement.serves(PLATFORM_ID, district):
                continue
            there = [path for path in paths if district_of(path) == district]
            version_id = version_for(app.release, claims.user_id, there)
            version = app.versions.get(version_id) if version_id is not None else None
            if (
                version is not None
                and claims.has_role(*version.roles)
                and version.asks <= app.approved.get(district, frozenset())
            ):
                return version
        return None

    async def start(self) -> None:
        await self.load()
        self._task = every(self._interval, self.load, "reloading third-party apps' tiles")

    async def stop(self) -> None:
        await cancel(self._task)


async def start_launch_tiles(services: Services) -> LaunchTiles | None:
    """The tiles, where the launcher is served: a worker or a command shows none."""
    if not services.has_enablement:
        return None
    tiles = LaunchTiles(services.enablement)
    await tiles.start()
    services.add_tile_source(PLATFORM_ID, tiles)
    return tiles


async def stop_launch_tiles(services: Services) -> None:
    tiles = services.tile_sources.pop(PLATFORM_ID, None)
    if isinstance(tiles, LaunchTiles):
        await tiles.stop()


def _out(row: Mapping[str, Any]) -> OutVersion:
    manifest = msgspec.json.decode(row["manifest"], type=AppManifest)
    titles = {"zh-CN": manifest.names.zh_cn}
    if manifest.names.en:
        titles["en"] = manifest.names.en
    return OutVersion(
        id=int(row["id"]),
        titles=titles,
        entry_url=manifest.entry_url,
        roles=manifest.target_roles,
        asks=asks_of(manifest),
    )


def _tile(app: Launchable, version: OutVersion) -> Tile:
    return Tile(
        id=app.slug,
        titles=version.titles,
        icon=f"/v1/miniapps/open_platform/apps/{app.app_id}/versions/{version.id}/icon",
        target=f"h5:{version.entry_url}",
        launches=app.app_id,
        roles=version.roles,
        section=Section.LIFE,
        elder=False,
        order=TILE_ORDER,
    )
