"""The events list over 10,000 events across the city: for each kind of caller, walking every
page by `next_cursor` shows each event the caller may see exactly once, newest first, and
nothing else, at every page size and with the state filter; events reported while a caller
pages on are neither shown in that walk nor make it skip or repeat one.

What a caller may see is worked out here from the rows and the roles each caller was given
(reporter, handler, or staff over a path at or above the event's grid), not asked of the
service. The city and its events are made once for the module; each walk removes the events
it added."""

from __future__ import annotations

import itertools
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import msgspec
import pytest

from auth.sessions import grant_for
from backend.app import create_app
from backend.directory.orgs.schemas import OrgUnitIn
from backend.directory.orgs.service import import_units
from backend.directory.users.service import PHONE_PURPOSE, account_for_phone, assign_role
from backend.directory.users.tables import UserAccount
from backend.kernel.db import insert_rows
from backend.kernel.roles import Role
from backend.kernel.settings import Settings
from backend.kernel.vault import Vault
from backend.seed import seed_demo
from miniapps.grid_events.states import State
from miniapps.grid_events.tables import GridEvent
from tests.conftest import Client, bearer
from tests.support import auth_of, empty_tables, running

EVENTS = "/v1/miniapps/grid_events/events"
EVENT_COUNT = 10_000
MAX_LIMIT = 100  # the largest page the list gives

C03 = "zz/gx/fengyang/c03"
G07, G070, G08 = f"{C03}/g07", f"{C03}/g070", f"{C03}/g08"
C04_G01 = "zz/gx/fengyang/c04/g01"
C030_G01 = "zz/gx/fengyang/c030/g01"  # c030 is not inside c03, though its path starts so
JINSHUI_G01 = "zz/jinshui/wenhua/c01/g01"
# Where the events lie: six grids and a community's desk (a report placed in no grid).
GRIDS = (G07, G070, G08, C03, C04_G01, C030_G01, JINSHUI_G01)
# Units the demo city lacks: paths that share a prefix with g07 and c03 but lie outside them.
MORE_UNITS = [
    OrgUnitIn(path=G070, name="第七十网格"),
    OrgUnitIn(path="zz/gx/fengyang/c030", name="西岗新社区"),
    OrgUnitIn(path=C030_G01, name="第一网格"),
]


class Caller(msgspec.Struct, frozen=True):
    """A person who lists events, and the paths they hold a staff role over (grid worker or
    an admin): what they may see is what they reported, what they handle, and what lies at
    or below those paths."""

    name: str
    phone: str
    staff: tuple[str, ...] = ()


RESIDENT = Caller("resident", "13800000001")  # lives in g07, reports there and elsewhere
FAMILY = Caller("family", "13800000002")  # a family member's role over g07 shows no events
G07_WORKER = Caller("g07_worker", "13800000003", (G07,))
G08_WORKER = Caller("g08_worker", "13800000004", (G08,))
C03_ADMIN = Caller("c03_admin", "13800000005", (C03,))
GX_ADMIN = Caller("gx_admin", "13800000006", ("zz/gx",))
PLATFORM_ADMIN = Caller("platform_admin", "13800000007", ("zz",))
CARE_WORKER = Caller("care_worker", "13800000010")  # handles events in others' grids
JINSHUI_RESIDENT = Caller("jinshui_resident", "13800000016")
JINSHUI_ADMIN = Caller("jinshui_admin", "13800000017", ("zz/jinshui",))
TWO_GRID_WORKER = Caller("two_grid_worker", "13900000001", (C04_G01, JINSHUI_G01))
CALLERS = (
    RESIDENT,
    FAMILY,
    G07_WORKER,
    G08_WORKER,
    C03_ADMIN,
    GX_ADMIN,
    PLATFORM_ADMIN,
    CARE_WORKER,
    JINSHUI_RESIDENT,
    JINSHUI_ADMIN,
    TWO_GRID_WORKER,
)
REPORTERS = (RESIDENT, RESIDENT, RESIDENT, JINSHUI_RESIDENT, FAMILY, G07_WORKER, G08_WORKER)
HANDLERS = (G07_WORKER, G08_WORKER, TWO_GRID_WORKER)  # and now and then the care worker
NOBODY_YET = (State.REPORTED, State.REGISTERED)  # states before dispatch have no handler
SYSTEM = 0  # a sensor's reports


Row = dict[str, Any]


class City(msgspec.Struct):
    client: Client
    tokens: dict[str, str]
    ids: dict[str, int]
    rows: dict[int, Row]  # the module's events as stored, by id

    def id(self, caller: Caller) -> int:
        return self.ids[caller.phone]


COLUMNS = (
    GridEvent.category,
    GridEvent.description,
    GridEvent.attributes,
    GridEvent.grid_path,
    GridEvent.reporter_id,
    GridEvent.state,
    GridEvent.handler_id,
)


@pytest.fixture
def clean_tables() -> None:
    """Replaces the suite's emptying of every table before each test: the module's city and
    its 10,000 events are made once, and each walk takes away what it added."""


async def _user(vault: Vault, phone: str) -> int:
    lookup = vault.lookup(phone, purpose=PHONE_PURPOSE)
    row = await UserAccount.select(UserAccount.id).where(UserAccount.phone_lookup == lookup).first()
    assert row is not None
    return int(row["id"])


def _event(rng: random.Random, n: int, ids: dict[str, int], state: State | None = None) -> Row:
    """An event in one of the grids, by one of the reporters, in `state` or any, handled
    (once dispatched) by a worker of that grid or of another one."""
    state = state or rng.choice(list(State))
    reporter = SYSTEM if rng.random() < 0.1 else ids[rng.choice(REPORTERS).phone]
    handler = CARE_WORKER if rng.random() < 0.03 else rng.choice(HANDLERS)
    return {
        "category": "street_vending",
        "description": f"占道经营 {n}",
        "attributes": "{}",
        "grid_path": rng.choice(GRIDS),
        "reporter_id": reporter,
        "state": state.value,
        "handler_id": None if state in NOBODY_YET else ids[handler.phone],
    }


async def _insert(events: list[Row]) -> None:
    await insert_rows(
        GridEvent, COLUMNS, [tuple(e[column._meta.name] for column in COLUMNS) for e in events]
    )


@pytest.fixture(scope="module")
async def city(settings: Settings, vault: Vault) -> AsyncIterator[City]:
    await empty_tables()
    await seed_demo(vault)
    await import_units(MORE_UNITS)
    worker = await account_for_phone(phone=TWO_GRID_WORKER.phone, vault=vault, name="两网格员")
    for path in TWO_GRID_WORKER.staff:
        await assign_role(user_id=worker, role=Role.GRID_WORKER, scope_path=path)
    app = create_app(settings)
    async with running(app) as client:
        ids = {caller.phone: await _user(vault, caller.phone) for caller in CALLERS}
        tokens = {}
        for phone, user in ids.items():
            token, _ = auth_of(app).tokens.issue(await grant_for(user))
            tokens[phone] = str(token)
        rng = random.Random(13)
        await _insert([_event(rng, n, ids) for n in range(EVENT_COUNT)])
        yield City(client=client, tokens=tokens, ids=ids, rows=await _rows())
    await empty_tables()


def _within(path: str, above: str) -> bool:
    return path == above or path.startswith(above + "/")


def _sees(city: City, caller: Caller) -> Callable[[Row], bool]:
    me = city.id(caller)

    def sees(row: Row) -> bool:
        return (
            row["reporter_id"] == me
            or row["handler_id"] == me
            or any(_within(row["grid_path"], path) for path in caller.staff)
        )

    return sees


async def _rows(after: int = 0) -> dict[int, Row]:
    """The events stored past id `after`, as the list shows them."""
    rows = await GridEvent.select(
        GridEvent.id,
        GridEvent.grid_path,
        GridEvent.state,
        GridEvent.reporter_id,
        GridEvent.handler_id,
    ).where(GridEvent.id > after)
    return {int(row["id"]): row for row in rows}


def _visible(city: City, caller: Caller, state: State | None, rows: dict[int, Row]) -> list[int]:
    """The ids of `rows` the caller may see, newest first."""
    sees = _sees(city, caller)
    return sorted(
        (
            id_
            for id_, row in rows.items()
            if sees(row) and (state is None or row["state"] == state)
        ),
        reverse=True,
    )


async def _walk(
    city: City,
    caller: Caller,
    *,
    limit: int,
    state: State | None = None,
    between: Callable[[int], Awaitable[None]] | None = None,
) -> list[dict[str, Any]]:
    """Every item of every page, following `next_cursor` to the end; `between(n)` runs after
    the n-th page is read and before the next is asked for."""
    params: dict[str, Any] = {"limit": limit}
    if state is not None:
        params["state"] = state.value
    headers = bearer(city.tokens[caller.phone])
    shown: list[dict[str, Any]] = []
    for n in range(EVENT_COUNT + 1):
        response = await city.client.get(EVENTS, params=params, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        items, cursor = page["items"], page["next_cursor"]
        assert len(items) <= limit
        if shown and items:  # checked as it goes, so that a walk stuck on one page stops
            assert items[0]["id"] < shown[-1]["id"], f"page {n + 1} is not below page {n}"
        shown += items
        if cursor is None:
            return shown
        assert len(items) == limit, "a page before the last is a full one"
        params["cursor"] = cursor
        if between is not None:
            await between(n)
    raise AssertionError("the walk never ended")


def _assert_shows_exactly(
    shown: list[dict[str, Any]], expected: list[int], rows: dict[int, Row]
) -> None:
    ids = [item["id"] for item in shown]
    assert len(ids) == len(set(ids)), "an event shown twice"
    assert all(a > b for a, b in itertools.pairwise(ids)), "not newest first"
    extra = set(ids) - set(expected)
    assert not extra, f"{len(extra)} events out of scope shown, e.g. {rows.get(min(extra))}"
    missing = set(expected) - set(ids)
    assert not missing, f"{len(missing)} events never shown, e.g. {rows.get(min(missing))}"
    assert ids == expected
    for item in shown:
        row = rows[item["id"]]
        assert (item["grid_path"], item["state"], item["reporter_id"], item["handler_id"]) == (
            row["grid_path"],
            row["state"],
            row["reporter_id"],
            row["handler_id"],
        )


def _walk_of(caller: Caller, limit: int, state: State | None = None) -> Any:
    return pytest.param(
        caller, limit, state, id=f"{caller.name}-{limit}" + (f"-{state}" if state else "")
    )


# Every kind of caller, each page size on a few of them; page size 1 on the smaller sets, so
# that a walk stays within a few hundred requests.
WALKS = [
    _walk_of(RESIDENT, 7, State.SUSPENDED),
    _walk_of(FAMILY, 50),
    _walk_of(JINSHUI_RESIDENT, 7, State.CLOSED),
    _walk_of(G07_WORKER, 7, State.REPORTED),
    _walk_of(G08_WORKER, 50, State.HANDLING),
    _walk_of(C03_ADMIN, MAX_LIMIT),
    _walk_of(C03_ADMIN, 50, State.CANCELLED),
    _walk_of(GX_ADMIN, MAX_LIMIT),
    _walk_of(PLATFORM_ADMIN, MAX_LIMIT, State.CLOSED),
    _walk_of(CARE_WORKER, 7),
    _walk_of(CARE_WORKER, 1, State.FED_BACK),
    _walk_of(JINSHUI_ADMIN, 50),
    _walk_of(TWO_GRID_WORKER, MAX_LIMIT),
    _walk_of(TWO_GRID_WORKER, 50, State.DISPATCHED),
]


@pytest.mark.parametrize(("caller", "limit", "state"), WALKS)
async def test_every_page_shows_each_visible_event_once_newest_first(
    city: City, caller: Caller, limit: int, state: State | None
) -> None:
    expected = _visible(city, caller, state, city.rows)
    assert expected, "the walk has something to show"
    shown = await _walk(city, caller, limit=limit, state=state)
    _assert_shows_exactly(shown, expected, city.rows)


@pytest.mark.parametrize(
    ("caller", "limit", "state"),
    [
        _walk_of(G07_WORKER, MAX_LIMIT),
        _walk_of(C03_ADMIN, 50, State.REPORTED),
        _walk_of(CARE_WORKER, 7),
    ],
)
async def test_events_reported_while_paging_neither_show_nor_shift_the_walk(
    city: City, caller: Caller, limit: int, state: State | None
) -> None:
    """After each page two events arrive, one the caller may see (in their grid, or their
    own report) and one they may not. The walk still shows exactly what was there when it
    began; a walk begun afterwards starts with the newest of those that arrived."""
    last_old = max(city.rows)
    expected = _visible(city, caller, state, city.rows)
    rng = random.Random(limit)
    sees = _sees(city, caller)

    async def two_arrive(n: int) -> None:
        events: dict[bool, Row] = {}
        while len(events) < 2:
            event = _event(rng, EVENT_COUNT + n, city.ids, state)
            events.setdefault(sees(event), event)
        await _insert(list(events.values()))

    try:
        shown = await _walk(city, caller, limit=limit, state=state, between=two_arrive)
        new = await _rows(after=last_old)
        assert len(new) >= 2 * 10, "events arrived between ten pages or more"
        rows = {**city.rows, **new}
        _assert_shows_exactly(shown, expected, rows)
        arrived = _visible(city, caller, state, rows)
        assert arrived[0] in new
        params: dict[str, Any] = {"limit": limit, **({"state": state} if state else {})}
        first = await city.client.get(
            EVENTS, params=params, headers=bearer(city.tokens[caller.phone])
        )
        assert [item["id"] for item in first.json()["items"]] == arrived[:limit]
    finally:
        await GridEvent.delete().where(GridEvent.id > last_old)
