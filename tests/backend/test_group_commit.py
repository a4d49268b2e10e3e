"""GroupCommit: the writes waiting together are written by one call, each answered with its
own result; one item's failure is its own; a write that arrives while a batch is written
waits for the next; a request gone before its turn is not written."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from backend.kernel.events.outbox import unit_of_work
from backend.kernel.group_commit import GroupCommit
from tests.backend.test_metrics import scrape, value
from tests.conftest import Client


class Recorder:
    """Writes numbers (doubling them) and remembers each call's items; refuses 13."""

    def __init__(self) -> None:
        self.calls: list[list[int]] = []
        self.hold: asyncio.Event | None = None

    async def write_all(self, items: Sequence[int]) -> list[int]:
        self.calls.append(list(items))
        if self.hold is not None:
            await self.hold.wait()
        if 13 in items:
            raise ValueError("13 is refused")
        return [item * 2 for item in items]


async def test_writes_waiting_together_are_one_call_each_answered_its_own() -> None:
    recorder = Recorder()
    group = GroupCommit("test", recorder.write_all)
    answers = await asyncio.gather(*(group.write(n) for n in range(10)))
    assert answers == [n * 2 for n in range(10)]
    assert recorder.calls == [list(range(10))]


async def test_a_call_writes_at_most_its_share() -> None:
    recorder = Recorder()
    group = GroupCommit("test", recorder.write_all, most=4)
    answers = await asyncio.gather(*(group.write(n) for n in range(10)))
    assert answers == [n * 2 for n in range(10)]
    assert recorder.calls == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


async def test_one_items_failure_is_its_own() -> None:
    recorder = Recorder()
    group = GroupCommit("test", recorder.write_all)
    answers = await asyncio.gather(
        *(group.write(n) for n in (11, 12, 13, 14)), return_exceptions=True
    )
    assert answers[:2] == [22, 24]
    assert answers[3] == 28
    assert isinstance(answers[2], ValueError)
    # The batch failed as a whole, then each item was written alone.
    assert recorder.calls == [[11, 12, 13, 14], [11], [12], [13], [14]]


async def test_a_write_arriving_during_a_batch_waits_for_the_next() -> None:
    recorder = Recorder()
    recorder.hold = asyncio.Event()
    group = GroupCommit("test", recorder.write_all)
    first = asyncio.ensure_future(group.write(1))
    await asyncio.sleep(0)  # the first batch, [1], is being written
    later = [asyncio.ensure_future(group.write(n)) for n in (2, 3)]
    await asyncio.sleep(0)
    assert recorder.calls == [[1]]
    recorder.hold.set()
    assert await first == 2
    assert [await answer for answer in later] == [4, 6]
    assert recorder.calls == [[1], [2, 3]]


async def test_a_request_gone_before_its_turn_is_not_written() -> None:
    recorder = Recorder()
    recorder.hold = asyncio.Event()
    group = GroupCommit("test", recorder.write_all)
    first = asyncio.ensure_future(group.write(1))
    await asyncio.sleep(0)
    gone = asyncio.ensure_future(group.write(2))
    kept = asyncio.ensure_future(group.write(3))
    await asyncio.sleep(0)
    gone.cancel()
    recorder.hold.set()
    assert await first == 2
    assert await kept == 6
    assert recorder.calls == [[1], [3]]


async def test_an_answer_count_that_does_not_match_fails_each_item() -> None:
    async def loses_one(items: Sequence[int]) -> list[int]:
        return list(items)[1:]

    group = GroupCommit("test", loses_one)
    answers = await asyncio.gather(group.write(1), group.write(2), return_exceptions=True)
    assert all(isinstance(answer, RuntimeError) for answer in answers)


async def test_it_is_not_written_inside_a_unit_of_work() -> None:
    group = GroupCommit("test", Recorder().write_all)
    with pytest.raises(RuntimeError, match="unit_of_work"):
        async with unit_of_work():
            await group.write(1)


async def test_transactions_and_writes_are_counted_in_the_metrics(client: Client) -> None:
    group = GroupCommit("test.counted", Recorder().write_all)
    await asyncio.gather(*(group.write(n) for n in (11, 12, 13)), return_exceptions=True)
    samples = await scrape(client)
    # The three together failed, then each alone: 11 and 12 were written, 13 refused.
    assert value(samples, "yimen_group_commits_total", group="test.counted", outcome="ok") == 2
    assert value(samples, "yimen_group_commits_total", group="test.counted", outcome="failed") == 2
    assert value(samples, "yimen_group_commit_writes_total", group="test.counted") == 6
