"""The mini-app contract: what a mini-app declares, and what the host gives it back.

A mini-app package exposes one `Manifest` through the entry-point group `yimen.miniapps`.
Everything the host needs to know is declared here; the host validates it at start-up.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import msgspec
from litestar import Router

from backend.kernel.claims import Claims
from backend.kernel.partitions.declaration import TimePartitioned
from backend.kernel.roles import Role

if TYPE_CHECKING:
    from backend.kernel.jobs import JobQueue
    from backend.kernel.services import Services
    from backend.kernel.settings import Settings


class Section(enum.StrEnum):
    SERVICES = "services"  # 办事
    LIFE = "life"  # 生活
    WORK = "work"  # 工作台, for staff
    ADMIN = "admin"  # 管理
    PROMOTIONS = "promotions"  # 推荐; never shown in elder mode


class Tile(msgspec.Struct, frozen=True, kw_only=True):
    """One tile of the launcher. Shown to callers holding one of `roles`; when `within` is
    set, only through a role whose scope lies inside that org path."""

    id: str
    titles: dict[str, str]
    icon: str
    target: str
    roles: frozenset[Role]
    section: Section = Section.SERVICES
    within: str | None = None
    badge: str | None = None
    elder: bool = True  # shown in elder mode
    elder_only: bool = False  # shown only in elder mode: an elder's big button (SOS)
    order: int = 100
    elder_order: int | None = None  # where it stands in elder mode, if not at `order`
    # The open-platform app an `h5:` tile opens through the launch handshake (consent, then a
    # launch code for its page); None for a page that needs no code.
    launches: str | None = None


class TileSource(Protocol):
    """Tiles a mini-app decides per caller, besides its manifest's fixed ones: a third-party
    app released to some users only, in the districts that switched it on. Asked on every
    launcher read, so it answers from memory. A mini-app's `on_start` adds its source with
    `services.add_tile_source`; the launcher shows its tiles where the app is switched on."""

    def tiles_for(self, claims: Claims) -> Sequence[Tile]: ...


# The app id the launcher gives the host's own tiles (the mini-app console), which lead to
# host routes rather than a mini-app's; no mini-app may take it.
HOST_APP_ID = "host"


class Event(msgspec.Struct, frozen=True, kw_only=True):
    """A domain event as handlers receive it; `payload` is the emitter's declared Struct."""

    id: uuid.UUID
    name: str
    payload: Any
    occurred_at: dt.datetime


class JobContext(msgspec.Struct, frozen=True, kw_only=True):
    """What a part's job, cron or event handler receives instead of arq's untyped dict."""

    app_id: str
    services: Services

    @property
    def settings(self) -> Settings:
        return self.services.settings

    @property
    def jobs(self) -> JobQueue:
        return self.services.jobs


EventHandler = Callable[[Event, JobContext], Awaitable[None]]
BadgeSource = Callable[[Claims], Awaitable[int]]
# Given the process's services when the part starts; what it returns is the part's runtime,
# which its routes, jobs and handlers find again by type (`Services.runtime`).
StartHook = Callable[["Services"], Awaitable[object | None]]
StopHook = Callable[["Services"], Awaitable[None]]
DemoHook = Callable[[], Awaitable[None]]


class Subscription(msgspec.Struct, frozen=True):
    """`handler`, under its unique `name`, runs once for each `event` emitted. `when`, if
    given, picks the events it runs for: decided from the event alone, the same at every
    delivery. An event passed over costs no transaction and leaves no handled-marker."""

    event: str
    handler: EventHandler
    name: str
    when: Callable[[Event], bool] | None = None

    def takes(self, event: Event) -> bool:
        return self.when is None or self.when(event)


JobFunction = Callable[..., Awaitable[Any]]


class Job(msgspec.Struct, frozen=True):
    name: str
    run: JobFunction
    timeout: int = 60


class Cron(msgspec.Struct, frozen=True, kw_only=True):
    """A job run on a schedule; `hour`, `minute` and `second` (UTC) as in arq's cron."""

    name: str
    run: JobFunction
    hour: frozenset[int] | None = None
    minute: frozenset[int] | None = None
    second: frozenset[int] = frozenset({0})
    timeout: int = 60


class Manifest(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    version: str
    names: dict[str, str]
    descriptions: dict[str, str]
    icon: str
    requires_host: str = ">=0.1"
    tiles: list[Tile] = []
    router: Router | None = None
    piccolo_app: str | None = None
    jobs: list[Job] = []
    crons: list[Cron] = []
    emits: Mapping[str, type[msgspec.Struct]] = {}
    subscribes: list[Subscription] = []
    badges: Mapping[str, BadgeSource] = {}
    # Its tables whose rows pile up by time: split by month on PostgreSQL, kept for a while.
    partitioned: list[TimePartitioned] = []
    enabled_by_default: bool = True
    on_start: StartHook | None = None
    on_stop: StopHook | None = None
    # The runtime `on_start` returns, under the parameter name the app's routes ask for it by.
    provides: Mapping[str, type] = {}
    standard_routers: list[Router] = []  # at a standard protocol's own path, e.g. /open311/v2
    # The caller's own records the app keeps, at a path of theirs under /v1/me/ (their
    # consents to third-party apps: /v1/me/consents). Signed in, and served wherever the
    # app is switched off too: a person can always see and withdraw what is theirs.
    personal_routers: list[Router] = []
    # OpenAPI tags its standard routers carry besides its id, each with its description (the
    # id's own tag is described by `names` and `descriptions`).
    tags: Mapping[str, str] = {}
    commands: list[Any] = []  # click commands, added to `yimen` under the slug's name
    # Puts the app's demo data in place, once the demo city is (`yimen seed-demo`); it must
    # be safe to run twice.
    demo: DemoHook | None = None

    def title(self, locale: str) -> str:
        return self.names.get(locale) or next(iter(self.names.values()))


class HostPart(msgspec.Struct, frozen=True, kw_only=True):
    """A part of the host itself (the directory, auth, push), found through the entry-point
    group `yimen.parts` and mounted the way a mini-app is, without tiles: its router at the
    paths it names, its piccolo app, its jobs, crons, events, badges and start hook, and the
    middleware it puts in front of every route (auth's reading of the bearer token)."""

    name: str
    router: Router | None = None
    piccolo_app: str | None = None
    middleware: list[Any] = []
    emits: Mapping[str, type[msgspec.Struct]] = {}
    subscribes: list[Subscription] = []
    jobs: list[Job] = []
    crons: list[Cron] = []
    badges: Mapping[str, BadgeSource] = {}
    partitioned: list[TimePartitioned] = []  # as a mini-app's
    order: int = 100  # parts start in this order (the directory before auth before push)
    tags: Mapping[str, str] = {}  # the OpenAPI tags of its routes, each with its description
    on_start: StartHook | None = None
    on_stop: StopHook | None = None
    provides: Mapping[str, type] = {}
