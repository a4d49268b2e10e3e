"""ReadTogether: the keys asked while a read is under way are read by one call, each once,
each caller answered with its own row; a read inside a transaction is the transaction's
own. And the directory's `person`, which reads people this way, on both engines."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

import pytest

from backend.directory.people import people_by_phone, person, person_by_phone
from backend.directory.users.tables import UserAccount
from backend.kernel.db import transaction
from backend.kernel.read_together import ReadTogether
from backend.kernel.vault import Vault

DEMO_PHONES = ["13800000001", "13800000002", "13800000016"]  # residents of the demo city


class Recorder:
    """Reads the square of each key it is asked for, except 99, which has no row. With
    `hold`, a read of 1 waits for it; with `refuse`, a read fails, as does one of 13."""

    def __init__(self) -> None:
        self.calls: list[list[int]] = []
        self.hold: asyncio.Event | None = None
        self.refuse = False

    async def read_all(self, keys: Iterable[int]) -> dict[int, int]:
        asked = list(keys)
        self.calls.append(asked)
        if self.hold is not None and 1 in asked:
            await self.hold.wait()
        if self.refuse:
            raise ConnectionError("the database went away")
        if 13 in asked:
            raise ValueError("13 is refused")
        return {key: key * key for key in asked if key != 99}


async def test_keys_asked_together_are_read_once_each_caller_answered_its_own() -> None:
    recorder = Recorder()
    reads = ReadTogether(recorder.read_all)
    answers = await asyncio.gather(*(reads.one(key) for key in (2, 3, 2, 99, 4)))
    assert answers == [4, 9, 4, None, 16]
    assert recorder.calls == [[2, 3, 99, 4]]


async def test_a_key_asked_during_a_read_waits_for_the_next() -> None:
    recorder = Recorder()
    recorder.hold = asyncio.Event()
    reads = ReadTogether(recorder.read_all)
    first = asyncio.ensure_future(reads.one(1))
    await asyncio.sleep(0)  # [1] is being read
    later = [asyncio.ensure_future(reads.one(key)) for key in (2, 3)]
    await asyncio.sleep(0)
    assert recorder.calls == [[1]]
    recorder.hold.set()
    assert await first == 1
    assert [await answer for answer in later] == [4, 9]
    assert recorder.calls == [[1], [2, 3]]


async def test_a_call_reads_at_most_its_share() -> None:
    recorder = Recorder()
    reads = ReadTogether(recorder.read_all, most=2)
    answers = await asyncio.gather(*(reads.one(key) for key in range(5)))
    assert answers == [0, 1, 4, 9, 16]
    assert recorder.calls == [[0, 1], [2, 3], [4]]


async def test_a_failed_read_fails_each_caller_with_its_own_error() -> None:
    recorder = Recorder()
    recorder.refuse = True
    reads = ReadTogether(recorder.read_all)
    answers = await asyncio.gather(reads.one(1), reads.one(2), return_exceptions=True)
    assert all(isinstance(answer, ConnectionError) for answer in answers)
    assert answers[0] is not answers[1]  # nor one traceback growing with both requests
    recorder.refuse = False
    assert await reads.one(1) == 1
    assert recorder.calls == [[1, 2], [1], [2], [1]]


async def test_one_keys_failure_is_its_own() -> None:
    recorder = Recorder()
    reads = ReadTogether(recorder.read_all)
    answers = await asyncio.gather(
        *(reads.one(key) for key in (12, 13, 14)), return_exceptions=True
    )
    assert answers[0] == 144
    assert isinstance(answers[1], ValueError)
    assert answers[2] == 196
    assert recorder.calls == [[12, 13, 14], [12], [13], [14]]


async def test_a_key_whose_callers_have_gone_is_not_asked() -> None:
    recorder = Recorder()
    recorder.hold = asyncio.Event()
    reads = ReadTogether(recorder.read_all)
    first = asyncio.ensure_future(reads.one(1))
    await asyncio.sleep(0)
    gone = asyncio.ensure_future(reads.one(2))
    kept = asyncio.ensure_future(reads.one(3))
    await asyncio.sleep(0)
    gone.cancel()
    recorder.hold.set()
    assert await first == 1
    assert await kept == 9
    assert recorder.calls == [[1], [3]]


async def test_inside_a_transaction_a_read_is_asked_at_once_on_its_own() -> None:
    recorder = Recorder()
    recorder.hold = asyncio.Event()
    reads = ReadTogether(recorder.read_all)
    outside = asyncio.ensure_future(reads.one(1))
    await asyncio.sleep(0)  # a read outside is under way, and held
    async with transaction():
        # Not queued behind the read outside, nor carried into another's read: its own.
        inside = asyncio.ensure_future(reads.one(2))
        assert await asyncio.wait_for(inside, timeout=2) == 4
    recorder.hold.set()
    assert await outside == 1
    assert recorder.calls == [[1], [2]]


async def test_reads_asked_before_any_is_awaited_are_read_together() -> None:
    recorder = Recorder()
    reads = ReadTogether(recorder.read_all)
    first, second = reads.ask(2), reads.ask(3)
    many = await reads.many([5, 3, 99, 5])
    assert (await first, await second) == (4, 9)
    assert many == {5: 25, 3: 9}  # each key once; one with no row left out
    assert recorder.calls == [[2, 3, 5, 99]]


async def test_inside_a_transaction_an_asked_read_runs_only_when_awaited() -> None:
    recorder = Recorder()
    reads = ReadTogether(recorder.read_all)
    async with transaction():
        reads.ask(1)  # its caller failed before awaiting it: nothing is read
        asked = reads.ask(2)
        assert recorder.calls == []
        assert await asked == 4
        assert await reads.many([3, 99]) == {3: 9}
    assert recorder.calls == [[2], [3, 99]]


async def test_people_are_found_by_phone_in_one_statement(demo: None, vault: Vault) -> None:
    owners = {phone: await person_by_phone(phone, vault) for phone in DEMO_PHONES}
    found = await people_by_phone([*DEMO_PHONES, "13999999999", DEMO_PHONES[0]], vault)
    assert {phone: who.id for phone, who in found.items()} == {
        phone: who.id for phone, who in owners.items() if who is not None
    }
    assert len(found) == len(DEMO_PHONES)


async def test_people_are_read_together_each_their_own(demo: None) -> None:
    accounts = (
        await UserAccount.select(UserAccount.id, UserAccount.name).order_by(UserAccount.id).limit(3)
    )
    ids = [account["id"] for account in accounts]
    # Three people, one asked twice and one who does not exist: a padded statement of four.
    found = await asyncio.gather(*(person(user_id) for user_id in [*ids, ids[0], 10**9]))
    assert [p.id if p else None for p in found] == [*ids, ids[0], None]
    assert [p.name for p in found[:3] if p] == [account["name"] for account in accounts]


async def test_a_person_read_in_a_transaction_sees_what_it_wrote(demo: None) -> None:
    row = await UserAccount.select(UserAccount.id, UserAccount.name).first()
    assert row is not None
    seen: list[str | None] = []

    async def renamed_and_read() -> None:
        async with transaction():
            await UserAccount.update({UserAccount.name: "改名"}).where(UserAccount.id == row["id"])
            inside = await person(row["id"])
            seen.append(inside.name if inside else None)
            raise ConnectionError("rolled back")

    with pytest.raises(ConnectionError):
        await renamed_and_read()
    after = await person(row["id"])
    seen.append(after.name if after else None)
    assert seen == ["改名", row["name"]]
