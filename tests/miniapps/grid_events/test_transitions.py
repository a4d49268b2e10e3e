"""The whole transition table: every (state, action) pair, taken by an actor the action
allows. The legal ones move the event; every illegal one is a 409 that changes nothing: not
the state, the version, the handler, the timeline, nor anyone's notices. And for each state
and each kind of caller, the `allowed_actions` a view offers are exactly the steps that
succeed: every other is refused, with the same list.

The expected table is written out here, not read from `states.py`, so that a wrong source
state there shows. The city is seeded once for the module; each case makes its own event in
the state it needs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import msgspec
import pytest
from litestar import Litestar

from auth.sessions import grant_for
from backend.app import create_app
from backend.directory.users.service import PHONE_PURPOSE, account_for_phone, assign_role
from backend.directory.users.tables import UserAccount
from backend.kernel.db import current_engine, is_postgres
from backend.kernel.roles import Role
from backend.kernel.settings import Settings
from backend.kernel.vault import Vault
from backend.seed import seed_demo
from miniapps.grid_events.states import Action, State
from miniapps.grid_events.tables import GridEvent, TimelineEntry
from push.tables import Notification
from tests.conftest import Client, bearer
from tests.miniapps.grid_events.test_chain import C03_ADMIN, G07_WORKER, RESIDENT
from tests.support import all_tables, auth_of, notices_recorded, running

G07 = "zz/gx/fengyang/c03/g07"
S, A = State, Action
LEGAL: dict[tuple[State, Action], State] = {
    (S.REPORTED, A.REGISTER): S.REGISTERED,
    (S.REPORTED, A.CANCEL): S.CANCELLED,
    (S.REGISTERED, A.DISPATCH): S.DISPATCHED,
    (S.REGISTERED, A.SUSPEND): S.SUSPENDED,
    (S.REGISTERED, A.CANCEL): S.CANCELLED,
    (S.DISPATCHED, A.REASSIGN): S.DISPATCHED,
    (S.DISPATCHED, A.START): S.HANDLING,
    (S.DISPATCHED, A.RETURN): S.REGISTERED,
    (S.DISPATCHED, A.SUSPEND): S.SUSPENDED,
    (S.HANDLING, A.REASSIGN): S.DISPATCHED,
    (S.HANDLING, A.FEED_BACK): S.FED_BACK,
    (S.HANDLING, A.RETURN): S.REGISTERED,
    (S.HANDLING, A.SUSPEND): S.SUSPENDED,
    (S.FED_BACK, A.VERIFY): S.VERIFIED,
    (S.FED_BACK, A.RETURN): S.REGISTERED,
    (S.VERIFIED, A.CLOSE): S.CLOSED,
    (S.SUSPENDED, A.RESUME): S.REGISTERED,
    (S.SUSPENDED, A.CANCEL): S.CANCELLED,
}
HANDLERS_ONLY = {A.START, A.FEED_BACK}  # every other action is open to the grid's admin
WITH_HANDLER = {S.DISPATCHED, S.HANDLING, S.FED_BACK, S.VERIFIED, S.CLOSED, S.SUSPENDED}
OTHER_G07_WORKER = "13800000098"  # a worker of the grid who does not handle the event


class City(msgspec.Struct):
    client: Client
    tokens: dict[str, str]
    ids: dict[str, int]


async def _empty_tables() -> None:
    engine = current_engine()
    names = [table._meta.tablename for table in all_tables()]
    if is_postgres(engine):
        await engine.run_ddl(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE")
    else:
        for name in names:
            await engine.run_ddl(f"DELETE FROM {name}")


async def _user(vault: Vault, phone: str) -> int:
    lookup = vault.lookup(phone, purpose=PHONE_PURPOSE)
    row = await UserAccount.select(UserAccount.id).where(UserAccount.phone_lookup == lookup).first()
    assert row is not None
    return int(row["id"])


async def _token(app: Litestar, user_id: int) -> str:
    token, _ = auth_of(app).tokens.issue(await grant_for(user_id))
    return str(token)


@pytest.fixture(scope="module")
async def city(settings: Settings, vault: Vault) -> AsyncIterator[City]:
    await _empty_tables()
    await seed_demo(vault)
    app = create_app(settings)
    other = await account_for_phone(phone=OTHER_G07_WORKER, vault=vault, name="另一网格员")
    await assign_role(user_id=other, role=Role.GRID_WORKER, scope_path=G07)
    async with running(app) as client:
        callers = (RESIDENT, G07_WORKER, OTHER_G07_WORKER, C03_ADMIN)
        ids = {phone: await _user(vault, phone) for phone in callers}
        tokens = {phone: await _token(app, user) for phone, user in ids.items()}
        yield City(client=client, tokens=tokens, ids=ids)


@pytest.fixture
def clean_tables() -> None:
    """Replaces the suite's emptying of every table before each test: the module's city is
    seeded once, and each case works on an event of its own."""


async def _event_in(city: City, state: State) -> int:
    rows = await GridEvent.insert(
        GridEvent(
            category="manhole_cover",
            description="井盖缺失",
            attributes={"damage": "missing"},
            grid_path=G07,
            reporter_id=city.ids[RESIDENT],
            state=state,
            handler_id=city.ids[G07_WORKER] if state in WITH_HANDLER else None,
        )
    ).returning(GridEvent.id)
    return int(rows[0]["id"])


async def _snapshot(event: int) -> dict[str, Any]:
    await notices_recorded()
    row = await GridEvent.select(GridEvent.state, GridEvent.version, GridEvent.handler_id).where(
        GridEvent.id == event
    )
    return {
        "event": row[0],
        "timeline": await TimelineEntry.count().where(TimelineEntry.event_id == event),
        "notices": await Notification.count(),
    }


@pytest.mark.parametrize(
    ("state", "action"),
    [(state, action) for state in State for action in Action],
    ids=lambda value: str(value),
)
async def test_every_action_in_every_state(city: City, state: State, action: Action) -> None:
    event = await _event_in(city, state)
    before = await _snapshot(event)
    actor = G07_WORKER if action in HANDLERS_ONLY else C03_ADMIN
    response = await city.client.post(
        f"/v1/miniapps/grid_events/events/{event}/actions",
        json={"action": action, "reason": "因故"},
        headers=bearer(city.tokens[actor]),
    )
    after = await _snapshot(event)
    target = LEGAL.get((state, action))
    if target is None:
        assert response.status_code == 409, response.text
        assert response.json()["code"] == "event_transition_illegal"
        assert after == before
        return
    assert response.status_code == 200, response.text
    assert after["event"]["state"] == response.json()["state"] == target
    assert after["event"]["version"] == before["event"]["version"] + 1
    assert after["timeline"] == before["timeline"] + 1
    assert after["notices"] == before["notices"] + 1


# Who each caller is to a g07 event reported by the resident and, from dispatch on, handled
# by the g07 worker.
CALLERS = {
    "reporter": RESIDENT,
    "handler": G07_WORKER,
    "another worker of the grid": OTHER_G07_WORKER,
    "community admin": C03_ADMIN,
}


@pytest.mark.parametrize("state", list(State), ids=str)
@pytest.mark.parametrize("caller", list(CALLERS))
async def test_the_allowed_actions_are_exactly_the_steps_that_succeed(
    city: City, state: State, caller: str
) -> None:
    headers = bearer(city.tokens[CALLERS[caller]])
    shown = await city.client.get(
        f"/v1/miniapps/grid_events/events/{await _event_in(city, state)}", headers=headers
    )
    assert shown.status_code == 200, shown.text
    allowed = shown.json()["allowed_actions"]
    outcomes = {}
    for action in Action:
        event = await _event_in(city, state)
        response = await city.client.post(
            f"/v1/miniapps/grid_events/events/{event}/actions",
            json={"action": action, "reason": "因故"},
            headers=headers,
        )
        outcomes[action.value] = response.status_code
        if response.status_code == 200:
            continue
        refused = response.json()
        # Refused for the state first (409), else for who the caller is (403).
        assert response.status_code == (403 if (state, action) in LEGAL else 409), refused
        assert refused["state"] == state
        assert refused["action"] == action
        assert refused["allowed_actions"] == allowed
    assert [action for action, status in outcomes.items() if status == 200] == allowed
