"""The authorization matrix: for every route of the app, who may call it, on what, and what
everyone else gets. `test_matrix.py` walks it against a seeded demo city.

How to add rows for a new route (a new mini-app adds a module `tests/authz/rows/<slug>.py`
and lists its `ROWS` in `tests/authz/rows/__init__.py`):

- One `Row` per route, named exactly as Litestar registers it: the method and the path
  template with its converters (`"GET"`, `"/v1/miniapps/<id>/things/{thing_id:int}"`);
  several rows told apart by `variant` where one route does several things (the chain's
  actions).
  A route with no row fails `test_every_route_has_a_row`; a row for no route fails
  `test_every_row_names_a_route`.
- `targets` names the resources the route acts on, each built by a small async factory
  `(city, caller) -> Target` run afresh for every caller, so mutations never leak from one
  cell to the next. Put each target somewhere in the seeded city (`Target.path`) and say who
  owns it (`Target.owner`): the walk derives each caller's relation to it (own, same grid,
  other grid, parent unit, other district, anonymous) and prints it with any mismatch.
  Routes acting on no resource use `NOTHING`.
- A factory whose target depends on the caller (their own record, device or code) is
  marked `@per_caller`. Rows whose calls change nothing another cell would notice (every GET,
  and rows with `reuse_targets=True`) build each of their other targets once, not once
  per caller: the walk stays fast without letting one cell's effect reach another.
- `expect` maps each target to the callers whose outcome differs from the row's `denied`
  status (403 by default; use 404 where the existence of the resource is itself private).
  Anonymous callers get `anonymous` (401) unless named. An outcome is a status or a tuple
  of acceptable statuses. Every row needs at least one 2xx cell: the positive control, which
  the walk really performs with a valid request.
- `request` builds the path parameters, query, body and headers for one cell from the
  target (`Req`). `check` may look at a 2xx response for what status codes cannot show
  (e.g. that a public list holds no private category).
- Write the row as the policy should be, not as the code happens to behave: a mismatch is
  a finding.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from backend.kernel.paths import district_of, is_within

if TYPE_CHECKING:
    import httpx

    from tests.authz.city import City


class Caller(enum.StrEnum):
    """Anonymous, and one demo user of `backend/seed.py` for every role."""

    ANONYMOUS = "anonymous"
    RESIDENT = "resident_g07"
    FAMILY = "family_member_g07"
    WORKER_G07 = "grid_worker_g07"
    WORKER_G08 = "grid_worker_g08"
    ADMIN_C03 = "community_admin_c03"
    ADMIN_C04 = "community_admin_c04"
    DISTRICT_GX = "district_admin_gx"
    DISTRICT_JINSHUI = "district_admin_jinshui"
    PLATFORM = "platform_admin"
    HEALTH = "health_official_gx"
    CHECKPOINT = "checkpoint_staff_fengyang"
    CARE = "care_worker_c03"
    MERCHANT = "merchant_c03"
    LAWYER = "lawyer_gx"
    MEDIATOR = "mediator_fengyang"
    DEVELOPER = "developer"
    RESIDENT_JINSHUI = "resident_jinshui"
    SERVICE_ADMIN = "service_admin"
    OFFICER_FENGYANG = "service_officer_fengyang"
    OFFICER_GX = "service_officer_gx"
    APPROVER_GX = "service_approver_gx"
    OFFICER_JINSHUI = "service_officer_jinshui"
    LEGAL_WORKER = "legal_worker_gx"


G07 = "zz/gx/fengyang/c03/g07"
G08 = "zz/gx/fengyang/c03/g08"
C03 = "zz/gx/fengyang/c03"
C04 = "zz/gx/fengyang/c04"
GX = "zz/gx"
JINSHUI = "zz/jinshui"
JINSHUI_G01 = "zz/jinshui/wenhua/c01/g01"

# The phone and the deepest org unit each demo caller acts from.
DEMO: dict[Caller, tuple[str, str]] = {
    Caller.RESIDENT: ("13800000001", G07),
    Caller.FAMILY: ("13800000002", G07),
    Caller.WORKER_G07: ("13800000003", G07),
    Caller.WORKER_G08: ("13800000004", G08),
    Caller.ADMIN_C03: ("13800000005", C03),
    Caller.DISTRICT_GX: ("13800000006", GX),
    Caller.PLATFORM: ("13800000007", "zz"),
    Caller.HEALTH: ("13800000008", GX),
    Caller.CHECKPOINT: ("13800000009", "zz/gx/fengyang"),
    Caller.CARE: ("13800000010", C03),
    Caller.MERCHANT: ("13800000011", C03),
    Caller.LAWYER: ("13800000012", GX),
    Caller.MEDIATOR: ("13800000013", "zz/gx/fengyang"),
    Caller.DEVELOPER: ("13800000014", "zz"),
    Caller.ADMIN_C04: ("13800000015", C04),
    Caller.RESIDENT_JINSHUI: ("13800000016", JINSHUI_G01),
    Caller.DISTRICT_JINSHUI: ("13800000017", JINSHUI),
    Caller.SERVICE_ADMIN: ("13800000018", "zz"),
    Caller.OFFICER_FENGYANG: ("13800000019", "zz/gx/fengyang"),
    Caller.OFFICER_GX: ("13800000020", GX),
    Caller.APPROVER_GX: ("13800000021", GX),
    Caller.OFFICER_JINSHUI: ("13800000022", JINSHUI),
    Caller.LEGAL_WORKER: ("13800000023", GX),
}

SIGNED_IN = tuple(c for c in Caller if c is not Caller.ANONYMOUS)
EVERYONE = tuple(Caller)
ADMINS_ABOVE_G07 = (Caller.ADMIN_C03, Caller.DISTRICT_GX, Caller.PLATFORM)
ADMINS = (*ADMINS_ABOVE_G07, Caller.ADMIN_C04, Caller.DISTRICT_JINSHUI)


class Relation(enum.StrEnum):
    OWN = "own"
    SAME_GRID = "same grid"  # the caller acts from the target's unit, or from inside it
    OTHER_GRID = "other grid"  # another unit of the same district, not above the target
    PARENT_UNIT = "parent unit"  # the caller acts from a unit above the target
    OTHER_DISTRICT = "other district"
    ANONYMOUS = "anonymous"
    NONE = "no target"


@dataclasses.dataclass(frozen=True)
class Target:
    """A resource placed in the city; `ids` holds whatever the request needs of it."""

    path: str | None = None
    owner: Caller | None = None
    ids: Mapping[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class Req:
    """One request's parts besides the method, the path template and the caller's token."""

    path_params: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    json: Any = None
    content: bytes | None = None
    form: Mapping[str, str] | None = None
    headers: Mapping[str, str] = dataclasses.field(default_factory=dict)


Outcome = int | tuple[int, ...]
TargetMaker = Callable[["City", Caller], Awaitable[Target]]
RequestMaker = Callable[["City", Target, Caller], Awaitable[Req]]
Checker = Callable[["City", Target, Caller, "httpx.Response"], Awaitable[str | None]]
Hook = Callable[["City"], Awaitable[None]]


@dataclasses.dataclass(frozen=True)
class Row:
    method: str
    path: str
    targets: Mapping[str, TargetMaker]
    expect: Mapping[str, Mapping[Caller, Outcome]]
    request: RequestMaker
    denied: int = 403
    anonymous: int = 401
    variant: str = ""  # when one route needs several rows (e.g. one per action)
    reuse_targets: bool | None = None  # None: a GET reuses its targets, others do not
    check: Checker | None = None
    after: Hook | None = None  # undo what allowed calls changed that other rows rely on

    @property
    def route(self) -> tuple[str, str]:
        return self.method, self.path

    @property
    def name(self) -> str:
        return f"{self.method} {self.path}" + (f" [{self.variant}]" if self.variant else "")

    def reuses(self, make: TargetMaker) -> bool:
        """Whether one `make` target serves every caller of this row."""
        reuse = self.method == "GET" if self.reuse_targets is None else self.reuse_targets
        return reuse and not getattr(make, "per_caller", False)

    def outcome(self, target: str, caller: Caller) -> tuple[int, ...]:
        named = self.expect.get(target, {})
        default = self.anonymous if caller is Caller.ANONYMOUS else self.denied
        found = named.get(caller, default)
        return found if isinstance(found, tuple) else (found,)

    def has_positive_control(self) -> bool:
        return any(
            200 <= status < 300
            for cells in self.expect.values()
            for outcome in cells.values()
            for status in (outcome if isinstance(outcome, tuple) else (outcome,))
        )


def each(callers: Iterable[Caller], outcome: Outcome) -> dict[Caller, Outcome]:
    """The same outcome for several callers: `{**each(ADMINS_ABOVE_G07, 200), ...}`."""
    return dict.fromkeys(callers, outcome)


def per_caller(make: TargetMaker) -> TargetMaker:
    """Mark a target factory whose target depends on the caller (their own record...)."""
    make.per_caller = True  # type: ignore[attr-defined]
    return make


def relation(caller: Caller, target: Target) -> Relation:
    if caller is Caller.ANONYMOUS:
        return Relation.ANONYMOUS
    if target.owner is caller:
        return Relation.OWN
    if target.path is None:
        return Relation.NONE
    anchor = DEMO[caller][1]
    if is_within(anchor, target.path):
        return Relation.SAME_GRID
    if is_within(target.path, anchor):
        return Relation.PARENT_UNIT
    if district_of(anchor) == district_of(target.path):
        return Relation.OTHER_GRID
    return Relation.OTHER_DISTRICT


async def _nothing(city: City, caller: Caller) -> Target:
    return Target()


NOTHING: Mapping[str, TargetMaker] = {"-": _nothing}


async def no_request(city: City, target: Target, caller: Caller) -> Req:
    return Req()


def json_body(build: Callable[[Target], Any]) -> RequestMaker:
    """A request whose JSON body is built from the target alone."""

    async def request(city: City, target: Target, caller: Caller) -> Req:
        return Req(json=build(target))

    return request


def path_ids(*names: str, **renamed: str) -> RequestMaker:
    """A request whose path parameters are the target's ids: of the same name, or
    `parameter="id name"`."""

    async def request(city: City, target: Target, caller: Caller) -> Req:
        params = {name: target.ids[name] for name in names}
        return Req(path_params={**params, **{p: target.ids[k] for p, k in renamed.items()}})

    return request
