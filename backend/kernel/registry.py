"""Discover → validate → mount: the only place that knows which mini-apps exist.

Mini-apps are found through the entry-point group `yimen.miniapps`, built-ins included.
A manifest that breaks the contract stops start-up with a message naming its package and
field, never a log line and a half-working host.
"""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Iterable
from importlib.metadata import entry_points
from typing import NoReturn

import msgspec
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

import backend
from backend.kernel.care_alerts import ELDER_NEEDS_VISIT, ElderNeedsVisit
from backend.kernel.cashier import CHARGE_FINISHED, ChargeFinished
from backend.kernel.contract import (
    HOST_APP_ID,
    BadgeSource,
    Cron,
    HostPart,
    Job,
    Manifest,
    Subscription,
)
from backend.kernel.partitions.declaration import TimePartitioned
from backend.kernel.paths import is_valid
from backend.kernel.roles import Role

ENTRY_POINT_GROUP = "yimen.miniapps"
PARTS_GROUP = "yimen.parts"
KERNEL_PICCOLO_APPS = ["backend.kernel.events.piccolo_app"]
SLUG = re.compile(r"^[a-z][a-z0-9_]{1,31}$")
LOCALES_REQUIRED = ("zh-CN",)
# Paths that well-known protocols fix, which a mini-app may serve outside /v1/miniapps/<id>.
STANDARD_PREFIXES = ("/open311/",)
PERSONAL_PREFIX = "/v1/me/"  # below the caller's own /v1/me, which the directory serves
# Events whose payload the kernel defines: a part may subscribe to one whether or not the
# part that emits it is installed, and reads its payload either way.
CONTRACT_EVENTS: dict[str, type[msgspec.Struct]] = {
    ELDER_NEEDS_VISIT: ElderNeedsVisit,
    CHARGE_FINISHED: ChargeFinished,
}


class ManifestError(Exception):
    """A mini-app's manifest breaks the contract; the message names package and field."""


class Installed(msgspec.Struct, frozen=True):
    package: str
    manifest: Manifest


class Registry:
    """The validated set of mini-apps, and what the host mounts from them."""

    def __init__(self, apps: list[Installed], host_parts: list[HostPart]) -> None:
        self.installed = apps
        self.host_parts = host_parts
        self.apps = {a.manifest.id: a.manifest for a in apps}
        self.parts: list[Manifest | HostPart] = [*host_parts, *self.apps.values()]
        self.events: dict[str, type[msgspec.Struct]] = dict(CONTRACT_EVENTS)
        self.badges: dict[str, BadgeSource] = {}
        self.subscribers: dict[str, list[Subscription]] = {}
        for part in self.parts:
            self.events.update(part.emits)
            self.badges.update(part.badges)
            for sub in part.subscribes:
                self.subscribers.setdefault(sub.event, []).append(sub)

    def jobs(self) -> list[tuple[str, Job]]:
        return [(f"{_name(p)}.{job.name}", job) for p in self.parts for job in p.jobs]

    def crons(self) -> list[tuple[str, Cron]]:
        return [(f"{_name(p)}.{cron.name}", cron) for p in self.parts for cron in p.crons]

    def partitioned(self) -> list[TimePartitioned]:
        """Every part's tables split by month, each once."""
        return [table for part in self.parts for table in part.partitioned]

    def handler(self, event: str, name: str) -> Subscription | None:
        return next((s for s in self.subscribers.get(event, []) if s.name == name), None)


@functools.cache
def installed_miniapps() -> tuple[Installed, ...]:
    """Every mini-app registered under the entry-point group, loaded once per process."""
    found = []
    for point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda p: p.name):
        package = point.dist.name if point.dist else point.module
        try:
            manifest = point.load()
        except Exception as err:  # any failure to import is a broken package
            raise ManifestError(f"mini-app package {package!r}: cannot load: {err}") from err
        if not isinstance(manifest, Manifest):
            raise ManifestError(f"mini-app package {package!r}: {point.value} is not a Manifest")
        if manifest.id != point.name:
            raise ManifestError(
                f"mini-app package {package!r}: field 'id': {manifest.id!r} differs from "
                f"its entry point name {point.name!r}"
            )
        found.append(Installed(package=package, manifest=manifest))
    return tuple(found)


@functools.cache
def host_parts() -> tuple[HostPart, ...]:
    """The host's own parts (directory, auth, push), registered under `yimen.parts`."""
    found = []
    for point in entry_points(group=PARTS_GROUP):
        part = point.load()
        if not isinstance(part, HostPart) or part.name != point.name:
            raise ManifestError(f"host part {point.name!r}: {point.value} is not its HostPart")
        found.append(part)
    return tuple(sorted(found, key=lambda part: (part.order, part.name)))


def piccolo_apps(apps: Iterable[Installed] | None = None) -> list[str]:
    """Every piccolo app module: the kernel's, each host part's, then each mini-app's."""
    apps = installed_miniapps() if apps is None else apps
    return [
        *KERNEL_PICCOLO_APPS,
        *(part.piccolo_app for part in host_parts() if part.piccolo_app),
        *(a.manifest.piccolo_app for a in apps if a.manifest.piccolo_app),
    ]


def _name(part: Manifest | HostPart) -> str:
    return part.id if isinstance(part, Manifest) else part.name


def build_registry(
    apps: Iterable[Installed],
    *,
    host_parts: list[HostPart],
    host_version: str = backend.__version__,
) -> Registry:
    """Validate every manifest and the set as a whole; the first fault raises ManifestError."""
    apps = list(apps)
    host_events = {name for part in host_parts for name in part.emits}
    host_badges = {name for part in host_parts for name in part.badges}
    seen: dict[str, str] = {}
    standard: dict[str, str] = {}
    for app in apps:
        _check_manifest(app, host_version)
        other = seen.setdefault(app.manifest.id, app.package)
        if other != app.package:
            _fail(app, "id", f"{app.manifest.id!r} is already used by package {other!r}")
        own_paths = [
            *(("standard_routers", r.path) for r in app.manifest.standard_routers),
            *(("personal_routers", r.path) for r in app.manifest.personal_routers),
        ]
        for field, path in own_paths:
            owner = standard.setdefault(path, app.manifest.id)
            if owner != app.manifest.id:
                _fail(app, field, f"{path!r} is already served by {owner!r}")
    known_events = set(host_events) | set(CONTRACT_EVENTS)
    for app in apps:
        known_events |= set(app.manifest.emits)
    known_badges = set(host_badges) | {b for a in apps for b in a.manifest.badges}
    for app in apps:
        _check_links(app, known_events, known_badges)
    return Registry(apps, host_parts)


def _fail(app: Installed, field: str, problem: str) -> NoReturn:
    raise ManifestError(
        f"mini-app {app.manifest.id!r} (package {app.package!r}): field {field!r}: {problem}"
    )


def _check_manifest(app: Installed, host_version: str) -> None:
    m = app.manifest
    if not SLUG.match(m.id):
        _fail(app, "id", "lowercase letters, digits and _, starting with a letter")
    if m.id == HOST_APP_ID:
        _fail(app, "id", f"{HOST_APP_ID!r} is the host's own")
    _check_versions(app, host_version)
    for locale in LOCALES_REQUIRED:
        if locale not in m.names:
            _fail(app, "names", f"needs a {locale} name")
    if m.router is not None and m.router.path not in ("/", ""):
        _fail(app, "router", f"path must be '/': it is mounted at /v1/miniapps/{m.id}/")
    for i, router in enumerate(m.standard_routers):
        if not (router.path + "/").startswith(STANDARD_PREFIXES):
            _fail(app, f"standard_routers[{i}]", f"{router.path!r} is not a standard path")
    for i, router in enumerate(m.personal_routers):
        if not router.path.startswith(PERSONAL_PREFIX):
            _fail(
                app,
                f"personal_routers[{i}]",
                f"{router.path!r} is not a path of its own under /v1/me/",
            )
    _check_tiles(app)
    _check_piccolo_app(app)
    _check_partitioned(app)
    for name in m.emits:
        if not name.startswith(f"{m.id}."):
            _fail(app, "emits", f"event {name!r} must be named {m.id}.<event>")
    _check_unique(app, "jobs", [j.name for j in m.jobs] + [c.name for c in m.crons])
    _check_unique(app, "subscribes", [s.name for s in m.subscribes])


def _check_versions(app: Installed, host_version: str) -> None:
    try:
        Version(app.manifest.version)
    except InvalidVersion:
        _fail(app, "version", f"{app.manifest.version!r} is not a version")
    try:
        wanted = SpecifierSet(app.manifest.requires_host)
    except InvalidSpecifier:
        _fail(app, "requires_host", f"{app.manifest.requires_host!r} is not a version range")
    if Version(host_version) not in wanted:
        _fail(
            app,
            "requires_host",
            f"needs host {app.manifest.requires_host}, this host is {host_version}",
        )


def _check_tiles(app: Installed) -> None:
    roles = {r.value for r in Role}
    _check_unique(app, "tiles", [t.id for t in app.manifest.tiles])
    for i, tile in enumerate(app.manifest.tiles):
        for role in tile.roles:
            if role not in roles:
                _fail(app, f"tiles[{i}].roles", f"unknown role {role!r}")
        if not tile.roles:
            _fail(app, f"tiles[{i}].roles", "a tile needs at least one role")
        if "zh-CN" not in tile.titles:
            _fail(app, f"tiles[{i}].titles", "needs a zh-CN title")
        if not tile.target.startswith(("native:", "h5:https://")):
            _fail(app, f"tiles[{i}].target", "native:<route> or h5:https://…")
        if tile.within is not None and not is_valid(tile.within):
            _fail(app, f"tiles[{i}].within", f"{tile.within!r} is not an org path")


def _check_piccolo_app(app: Installed) -> None:
    module = app.manifest.piccolo_app
    if module is None:
        return
    try:
        config = importlib.import_module(module).APP_CONFIG
    except (ImportError, AttributeError) as err:
        _fail(app, "piccolo_app", f"{module!r} has no APP_CONFIG: {err}")
    if config.app_name != app.manifest.id:
        _fail(app, "piccolo_app", f"app_name {config.app_name!r} must be {app.manifest.id!r}")
    for table in config.table_classes:
        if not table._meta.tablename.startswith(f"{app.manifest.id}_"):
            _fail(
                app,
                "piccolo_app",
                f"table {table._meta.tablename!r} must start with {app.manifest.id}_",
            )


def _check_partitioned(app: Installed) -> None:
    for i, declared in enumerate(app.manifest.partitioned):
        if not declared.table.startswith(f"{app.manifest.id}_"):
            _fail(app, f"partitioned[{i}]", f"table {declared.table!r} is not the app's own")


def _check_links(app: Installed, events: set[str], badges: set[str]) -> None:
    for i, sub in enumerate(app.manifest.subscribes):
        if sub.event not in events:
            _fail(app, f"subscribes[{i}].event", f"unknown event {sub.event!r}")
    for i, tile in enumerate(app.manifest.tiles):
        if tile.badge is not None and tile.badge not in badges:
            _fail(app, f"tiles[{i}].badge", f"unknown badge source {tile.badge!r}")


def _check_unique(app: Installed, field: str, names: list[str]) -> None:
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        _fail(app, field, f"{sorted(duplicates)[0]!r} appears twice")
