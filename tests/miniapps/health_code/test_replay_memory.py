"""The checkpoint's own memory of scanned codes, used when there is no Redis."""

from __future__ import annotations

from miniapps.health_code.verifier import ReplayMemory


def test_a_code_is_a_replay_within_the_window_only() -> None:
    memory = ReplayMemory(window=120)
    assert not memory.seen_before("a", now=0)
    assert memory.seen_before("a", now=119)
    assert not memory.seen_before("a", now=121)


def test_expired_codes_are_forgotten() -> None:
    memory = ReplayMemory(window=120)
    for n in range(1000):
        memory.seen_before(f"code-{n}", now=n / 100)
    assert len(memory) == 1000
    memory.seen_before("later", now=200)
    assert len(memory) == 1


def test_past_its_cap_the_oldest_codes_go_first() -> None:
    memory = ReplayMemory(window=120, cap=3)
    for code in "abcd":
        memory.seen_before(code, now=0)
    assert len(memory) == 3
    assert memory.seen_before("d", now=1)
    assert not memory.seen_before("a", now=1)
