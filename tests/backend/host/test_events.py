"""Domain events through the outbox, on the embedded in-process queue."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from litestar import Litestar
from yimen_library.schemas import BookBorrowed
from yimen_library.tables import Book

from backend.app import create_app
from backend.kernel.contract import Event, JobContext, Subscription
from backend.kernel.db import current_engine
from backend.kernel.events import emit, unit_of_work
from backend.kernel.events.delivery import (
    MAX_ATTEMPTS,
    deliver_event,
    deliver_events,
    retry_dead_letter,
    sweep_outbox,
)
from backend.kernel.events.outbox import bus_in_use
from backend.kernel.events.tables import DeadLetter, HandledEvent, OutboxEvent
from backend.kernel.services import Services, services_of
from backend.kernel.settings import Settings
from tests.backend.host import sample_apps
from tests.backend.host.sample_apps import PermitIssued, app
from tests.support import eventually, running, yimen


class Flaky:
    """A handler that fails until told to recover."""

    def __init__(self) -> None:
        self.failing = True
        self.calls = 0

    async def __call__(self, event: Event, job: JobContext) -> None:
        self.calls += 1
        if self.failing:
            raise ConnectionError("the registry office is closed")


flaky = Flaky()


@pytest.fixture
async def host_app(settings: Settings) -> AsyncIterator[tuple[Litestar, httpx.AsyncClient]]:
    sample_apps.handled.clear()
    flaky.failing, flaky.calls = True, 0
    apps = [
        *sample_apps.sample_apps(),
        app(
            "licences",
            emits={"licences.granted": PermitIssued},
            subscribes=[Subscription("licences.granted", flaky, "licences.flaky")],
        ),
    ]
    application = create_app(settings, miniapps=apps)
    async with running(application) as client:
        yield application, client


async def test_an_event_is_delivered_after_commit(
    host_app: tuple[Litestar, httpx.AsyncClient],
) -> None:
    async with unit_of_work():
        event_id = await emit("permits.issued", PermitIssued(permit_id=7))
        assert sample_apps.handled == []  # nothing leaves before the commit

    async def delivered() -> bool:
        return bool(sample_apps.handled)

    await eventually(delivered, what="delivery")
    assert sample_apps.handled[0].id == event_id
    assert sample_apps.handled[0].payload == PermitIssued(permit_id=7)
    row = await OutboxEvent.select().where(OutboxEvent.event_id == event_id).first()
    assert row is not None


async def test_a_rolled_back_transaction_emits_nothing(
    host_app: tuple[Litestar, httpx.AsyncClient],
) -> None:
    async def change_of_mind() -> None:
        async with unit_of_work():
            await emit("permits.issued", PermitIssued(permit_id=8))
            raise ValueError("changed my mind")

    with pytest.raises(ValueError, match="changed my mind"):
        await change_of_mind()
    assert await OutboxEvent.count() == 0
    # A later event, committed, is delivered; by then the rolled-back one would have been.
    async with unit_of_work():
        later = await emit("permits.issued", PermitIssued(permit_id=9))

    async def delivered() -> bool:
        return bool(sample_apps.handled)

    await eventually(delivered, what="delivery of the later event")
    assert [event.id for event in sample_apps.handled] == [later]


async def test_emit_needs_a_unit_of_work_and_a_known_event(
    host_app: tuple[Litestar, httpx.AsyncClient],
) -> None:
    with pytest.raises(RuntimeError):
        await emit("permits.issued", PermitIssued(permit_id=1))
    async with unit_of_work():
        with pytest.raises(LookupError):
            await emit("permits.revoked", PermitIssued(permit_id=1))
        with pytest.raises(TypeError):
            await emit("permits.issued", BookBorrowed(1, 2, 3))


async def test_a_failing_handler_is_retried_then_buried_then_retried_by_hand(
    host_app: tuple[Litestar, httpx.AsyncClient],
) -> None:
    application, _ = host_app
    with bus_in_use(None):  # deliver by hand below, without the queue's deferred retries
        async with unit_of_work():
            event_id = await emit("licences.granted", PermitIssued(permit_id=9))
    services = services_of(application)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        await deliver_event(services, str(event_id))
        row = await OutboxEvent.select().where(OutboxEvent.event_id == event_id).first()
        assert row is not None
        assert row["attempts"] == attempt
        assert "registry office is closed" in row["last_error"]
        if attempt < MAX_ATTEMPTS:
            assert row["next_attempt_at"] > dt.datetime.now(dt.UTC)
    dead = await DeadLetter.select().where(DeadLetter.event_id == event_id).first()
    assert dead is not None
    assert dead["handler"] == "licences.flaky"
    assert "ConnectionError" in dead["error"]
    await deliver_event(services, str(event_id))
    assert flaky.calls == MAX_ATTEMPTS  # a buried event is not retried by itself

    flaky.failing = False
    assert await retry_dead_letter(dead["id"], services) is None
    assert await DeadLetter.count() == 0
    assert await HandledEvent.count().where(HandledEvent.event_id == event_id) == 1


async def test_backoff_grows_and_is_capped() -> None:
    from backend.kernel.retry import backoff

    assert 0.5 <= backoff(1) <= 2
    assert 8 <= backoff(5) <= 32
    assert backoff(30) <= 300


async def _borrowable_book() -> int:
    rows = await Book.insert(Book(title="三体", community="zz/gx/fengyang/c03", copies=100))
    return int(rows[0]["id"])


async def test_a_redelivered_event_takes_effect_once(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    book = await _borrowable_book()
    with bus_in_use(None):  # deliver by hand below, four at once
        async with unit_of_work():
            event_id = await emit("library.book_borrowed", BookBorrowed(book, 1, 1))
    services = services_of(app)
    await asyncio.gather(*(deliver_event(services, str(event_id)) for _ in range(4)))
    await deliver_event(services, str(event_id))
    tally = await Book.select(Book.times_borrowed).where(Book.id == book).first()
    assert tally == {"times_borrowed": 1}


async def test_the_sweeper_hands_on_what_was_never_sent(settings: Settings) -> None:
    from backend.host import Host, load_registry
    from backend.kernel.db import current_engine

    services = Services(settings, load_registry(), current_engine())
    host = Host(services)
    await host.start(runs_jobs=False)  # no cron timer racing the sweep below
    try:
        book = await _borrowable_book()
        with bus_in_use(None):  # as if the process died right after the commit
            async with unit_of_work():
                await emit("library.book_borrowed", BookBorrowed(book, 1, 1))
        await OutboxEvent.update(
            {OutboxEvent.next_attempt_at: dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)}
        ).where(OutboxEvent.id > 0)
        assert await sweep_outbox(services) == 1

        async def tallied() -> bool:
            row = await Book.select(Book.times_borrowed).where(Book.id == book).first()
            return row == {"times_borrowed": 1}

        await eventually(tallied, what="the swept event's effect")
    finally:
        await host.stop()


async def test_the_cli_retries_a_dead_letter(client: httpx.AsyncClient) -> None:
    book = await _borrowable_book()
    event_id = uuid.uuid4()
    await OutboxEvent.insert(
        OutboxEvent(
            event_id=event_id,
            name="library.book_borrowed",
            payload=f'{{"book_id": {book}, "loan_id": 1, "user_id": 1}}',
            attempts=MAX_ATTEMPTS,
            dispatched_at=dt.datetime.now(dt.UTC),
        )
    )
    rows = await DeadLetter.insert(
        DeadLetter(
            event_id=event_id,
            name="library.book_borrowed",
            handler="library.tally_loan",
            error="boom",
            attempts=MAX_ATTEMPTS,
        )
    ).returning(DeadLetter.id)
    listed = await yimen("events", "dead")
    assert "library.tally_loan" in listed.stdout
    result = await yimen("events", "retry", str(rows[0]["id"]))
    assert result.returncode == 0, result.stderr
    assert await DeadLetter.count() == 0
    assert await Book.select(Book.times_borrowed).where(Book.id == book).first() == {
        "times_borrowed": 1
    }
    again = await yimen("events", "retry", str(rows[0]["id"]))
    assert again.returncode == 1


async def test_a_miniapp_cron_runs_with_its_typed_context(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    """The book corner's cron, run through the host's queue like any scheduled run."""
    from yimen_library.tables import Loan

    overdue = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    await Loan.insert(Loan(book=1, user_id=1, due_at=overdue))
    assert await services_of(app).jobs.enqueue("library.mark_overdue", job_id="overdue-now")

    async def marked() -> bool:
        return bool(await Loan.exists().where(Loan.status == "overdue"))

    await eventually(marked, what="the handled mark")


def test_the_worker_registers_every_job_and_cron() -> None:
    from backend.host import arq_crons, arq_functions, load_registry

    registry = load_registry()
    names = {f.name for f in arq_functions(registry)}
    assert {"events.deliver", "events.sweep", "library.mark_overdue"} <= names
    assert {c.name for c in arq_crons(registry)} >= {
        "cron:events.sweep",
        "cron:library.mark_overdue",
    }


even_permits: list[int] = []


async def count_even_permit(event: Event, job: JobContext) -> None:
    even_permits.append(event.payload.permit_id)


async def test_a_subscription_runs_for_the_events_it_picks_and_passes_over_the_rest(
    settings: Settings,
) -> None:
    """`when` picks the events a handler runs for: one passed over is delivered all the
    same, to the handlers that take it, and leaves no handled-marker of the one that
    did not."""
    even_permits.clear()
    sample_apps.handled.clear()
    picky = Subscription(
        "permits.issued",
        count_even_permit,
        "counter.even",
        when=lambda event: event.payload.permit_id % 2 == 0,
    )
    application = create_app(
        settings, miniapps=[*sample_apps.sample_apps(), app("counter", subscribes=[picky])]
    )
    async with running(application):
        with bus_in_use(None):  # delivered by hand below
            async with unit_of_work():
                odd = await emit("permits.issued", PermitIssued(permit_id=7))
                even = await emit("permits.issued", PermitIssued(permit_id=8))
        services = services_of(application)
        assert await deliver_event(services, str(odd)) == "delivered"
        assert await deliver_event(services, str(even)) == "delivered"
        assert even_permits == [8]
        assert sorted(e.payload.permit_id for e in sample_apps.handled) == [7, 8]
        markers = await HandledEvent.select(HandledEvent.event_id, HandledEvent.handler)
        assert sorted((m["handler"], str(m["event_id"])) for m in markers) == sorted(
            [
                ("permits.remember", str(odd)),
                ("permits.remember", str(even)),
                ("counter.even", str(even)),
            ]
        )
        rows = await OutboxEvent.select(OutboxEvent.dispatched_at).where(
            OutboxEvent.event_id.is_in([odd, even])
        )
        assert [row["dispatched_at"] is not None for row in rows] == [True, True]


# The transactions themselves, kept: an id alone may be taken again by the next one.
transactions_seen: list[object] = []


async def note_transaction(event: Event, job: JobContext) -> None:
    transactions_seen.append(current_engine().current_transaction.get())


async def test_a_burst_of_events_is_delivered_in_one_transaction_each_failure_its_own(
    settings: Settings,
) -> None:
    """`deliver_events`: the handlers of every event, their markers and the events' marks
    in one transaction; when a handler fails in it, all of it rolls back and each event is
    delivered on its own, so the failure is that event's alone."""
    transactions_seen.clear()
    sample_apps.handled.clear()
    flaky.failing, flaky.calls = True, 0
    noting = Subscription("permits.issued", note_transaction, "counter.transactions")
    application = create_app(
        settings,
        miniapps=[
            *sample_apps.sample_apps(),
            app("counter", subscribes=[noting]),
            app(
                "licences",
                emits={"licences.granted": PermitIssued},
                subscribes=[Subscription("licences.granted", flaky, "licences.flaky")],
            ),
        ],
    )
    async with running(application):
        services = services_of(application)
        with bus_in_use(None):  # delivered by hand below
            async with unit_of_work():
                burst = [await emit("permits.issued", PermitIssued(permit_id=n)) for n in range(3)]
        assert await deliver_events(services, *map(str, burst)) == "delivered"
        assert len(transactions_seen) == 3
        assert len({id(seen) for seen in transactions_seen}) == 1
        assert [e.payload.permit_id for e in sample_apps.handled] == [0, 1, 2]
        assert await HandledEvent.count() == 6
        assert await OutboxEvent.count().where(OutboxEvent.dispatched_at.is_null()) == 0

        transactions_seen.clear()
        with bus_in_use(None):
            async with unit_of_work():
                mixed = [
                    await emit("permits.issued", PermitIssued(permit_id=3)),
                    await emit("licences.granted", PermitIssued(permit_id=4)),
                    await emit("permits.issued", PermitIssued(permit_id=5)),
                ]
        await deliver_events(services, *map(str, mixed))
        # Tried together, rolled back, then each alone: three transactions of their own.
        assert len({id(seen) for seen in transactions_seen[-2:]}) == 2
        assert [e.payload.permit_id for e in sample_apps.handled][-2:] == [3, 5]
        rows = await OutboxEvent.select(
            OutboxEvent.event_id, OutboxEvent.attempts, OutboxEvent.dispatched_at
        ).where(OutboxEvent.event_id.is_in(mixed))
        state = {
            row["event_id"]: (row["attempts"], row["dispatched_at"] is not None) for row in rows
        }
        assert [state[event_id] for event_id in mixed] == [(0, True), (1, False), (0, True)]
        assert await HandledEvent.count().where(HandledEvent.event_id.is_in(mixed)) == 4
