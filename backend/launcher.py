"""The launcher: the tiles a caller sees, by role, scope, locale, elder mode and district.

The tile set depends only on (roles and their scope, locale, mode, switches), so it is
computed once per combination and kept; only badges are per user.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Annotated, Literal

import msgspec

from backend.badges import BadgeBoard
from backend.kernel.caches import BoundedCache
from backend.kernel.claims import Claims
from backend.kernel.contract import HOST_APP_ID, Section, Tile, TileSource
from backend.kernel.enablement.service import Enablement, districts_of
from backend.kernel.i18n import Locale
from backend.kernel.paths import is_within
from backend.kernel.registry import Registry

SECTION_TITLES = {
    Section.SERVICES: {"zh-CN": "办事", "en": "Services"},
    Section.LIFE: {"zh-CN": "生活", "en": "Daily life"},
    Section.WORK: {"zh-CN": "工作台", "en": "Work"},
    Section.ADMIN: {"zh-CN": "管理", "en": "Administration"},
    Section.PROMOTIONS: {"zh-CN": "推荐", "en": "Featured"},
}
ELDER_TILES_PER_SECTION = 6
LOCALES = frozenset(Locale)


class TileView(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    app_id: str
    tile_id: str
    title: str
    icon: str
    target: str
    size: Literal["regular", "large"]
    badge: int | None = None
    launches: Annotated[
        str | None,
        msgspec.Meta(
            description="The open-platform app the tile opens through the launch handshake "
            "(`POST /v1/miniapps/open_platform/apps/{launches}/launch`); absent for a tile "
            "that opens a screen or a page needing no launch code."
        ),
    ] = None


class SectionView(msgspec.Struct, frozen=True):
    id: str
    title: str
    tiles: list[TileView]


class LauncherView(msgspec.Struct, frozen=True):
    locale: str
    elder_mode: bool
    sections: list[SectionView]


class Layout(msgspec.Struct, frozen=True):
    """A computed tile set, its encoding when no badge applies, and the badge sources."""

    view: LauncherView
    body: bytes
    etag: str
    badges: list[tuple[int, int, str]]  # (section index, tile index, badge source)


# What tells a tile decided per caller from another: its app and all of the tile.
TileSignature = tuple[str, bytes]
LayoutKey = tuple[
    tuple[tuple[str, tuple[str, ...]], ...],
    tuple[str, ...],
    str,
    bool,
    int,
    tuple[TileSignature, ...],
]


class Launcher:
    def __init__(
        self,
        registry: Registry,
        enablement: Enablement,
        badges: BadgeBoard,
        host_tiles: Sequence[Tile] = (),
        size: int = 10_000,
        tile_sources: Mapping[str, TileSource] | None = None,
    ) -> None:
        self._registry = registry
        # Each app's tiles decided per caller, by app id; filled as the apps start.
        self._sources = tile_sources if tile_sources is not None else {}
        self._host_tiles = tuple(host_tiles)  # shown under HOST_APP_ID, never switched off
        self._enablement = enablement
        self._badges = badges
        # Least recently used: a layout never goes stale (the switches' version is in its key).
        self._layouts: BoundedCache[LayoutKey, Layout] = BoundedCache(size, lru=True)
        # Least recently used: a rendering is named by its layout and counts, so never stale.
        self._rendered: BoundedCache[tuple[str, tuple[int, ...]], tuple[bytes, str]] = BoundedCache(
            size, lru=True
        )

    async def render(self, claims: Claims, *, locale: str, elder: bool) -> tuple[bytes, str]:
        """The caller's launcher as JSON and its ETag."""
        layout = self.layout(claims, locale=locale, elder=elder)
        if not layout.badges:
            return layout.body, layout.etag
        counts = tuple(
            await self._badges.counts(claims, [source for _, _, source in layout.badges])
        )
        rendered = self._rendered.get((layout.etag, counts))
        if rendered is None:
            rendered = self._with_badges(layout, counts)
            self._rendered.put((layout.etag, counts), rendered)
        return rendered

    def _with_badges(self, layout: Layout, counts: tuple[int, ...]) -> tuple[bytes, str]:
        sections = [SectionView(s.id, s.title, list(s.tiles)) for s in layout.view.sections]
        for (si, ti, _), count in zip(layout.badges, counts, strict=True):
            sections[si].tiles[ti] = msgspec.structs.replace(sections[si].tiles[ti], badge=count)
        body = msgspec.json.encode(msgspec.structs.replace(layout.view, sections=sections))
        return body, _etag(body)

    def layout(self, claims: Claims, *, locale: str, elder: bool) -> Layout:
        decided = self._decided(claims)
        key: LayoutKey = (
            tuple(sorted((r, tuple(sorted(p))) for r, p in claims.scope.items())),
            tuple(sorted(claims.roles)),
            locale,
            elder,
            self._enablement.version,
            tuple(_signature(app_id, tile) for app_id, tile in decided) if decided else (),
        )
        layout = self._layouts.get(key)
        if layout is None:
            layout = self._compute(claims, decided, locale=locale, elder=elder)
            self._layouts.put(key, layout)
        return layout

    def _offered(self, claims: Claims) -> list[tuple[str, Tile]]:
        """(app id, tile) of the host's tiles and those of every app switched on where the
        caller acts."""
        districts = districts_of(claims)
        offered = [(HOST_APP_ID, tile) for tile in self._host_tiles]
        for manifest in self._registry.apps.values():
            if self._enablement.enabled_for(manifest.id, districts):
                offered += [(manifest.id, tile) for tile in manifest.tiles]
        return offered

    def _decided(self, claims: Claims) -> list[tuple[str, Tile]]:
        """(app id, tile) of the tiles the apps switched on where the caller acts decide for
        them now."""
        decided: list[tuple[str, Tile]] = []
        for app_id, source in self._sources.items():
            # Most callers get none: the switches are asked only of a source that gives some.
            tiles = source.tiles_for(claims)
            if tiles and self._enablement.enabled_for(app_id, districts_of(claims)):
                decided += [(app_id, tile) for tile in tiles]
        return decided

    def _compute(
        self, claims: Claims, decided: list[tuple[str, Tile]], *, locale: str, elder: bool
    ) -> Layout:
        chosen: dict[Section, list[tuple[str, Tile]]] = {}
        for app_id, tile in [*self._offered(claims), *decided]:
            if _shows(tile, claims, elder):
                chosen.setdefault(tile.section, []).append((app_id, tile))
        sections: list[SectionView] = []
        badges: list[tuple[int, int, str]] = []
        for section in Section:
            tiles = sorted(chosen.get(section, []), key=lambda at: (_order(at[1], elder), at[0]))
            if elder:
                tiles = tiles[:ELDER_TILES_PER_SECTION]
            if not tiles:
                continue
            views: list[TileView] = []
            for app_id, tile in tiles:
                if tile.badge:
                    badges.append((len(sections), len(views), tile.badge))
                views.append(_view(app_id, tile, locale, elder))
            sections.append(SectionView(section.value, SECTION_TITLES[section][locale], views))
        view = LauncherView(locale=locale, elder_mode=elder, sections=sections)
        body = msgspec.json.encode(view)
        return Layout(view=view, body=body, etag=_etag(body), badges=badges)


def _order(tile: Tile, elder: bool) -> int:
    return tile.elder_order if elder and tile.elder_order is not None else tile.order


def _shows(tile: Tile, claims: Claims, elder: bool) -> bool:
    if elder and (not tile.elder or tile.section is Section.PROMOTIONS):
        return False
    if tile.elder_only and not elder:
        return False
    held = [role for role in tile.roles if role in claims.roles]
    if not held:
        return False
    if tile.within is None:
        return True
    return any(is_within(path, tile.within) for path in claims.paths_for(*held))


def _view(app_id: str, tile: Tile, locale: str, elder: bool) -> TileView:
    return TileView(
        app_id=app_id,
        tile_id=tile.id,
        title=tile.titles.get(locale) or tile.titles["zh-CN"],
        icon=tile.icon,
        target=tile.target,
        size="large" if elder else "regular",
        launches=tile.launches,
    )


def _signature(app_id: str, tile: Tile) -> TileSignature:
    return (app_id, msgspec.json.encode(tile, order="sorted"))


def _etag(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
