"""The bounded cache: which entry goes first, and how many are ever kept."""

from __future__ import annotations

import pytest

from backend.kernel.caches import BoundedCache


def _filled(*keys: str, lru: bool) -> BoundedCache[str, int]:
    cache: BoundedCache[str, int] = BoundedCache(len(keys), lru=lru)
    for n, key in enumerate(keys):
        cache.put(key, n)
    return cache


@pytest.mark.parametrize("lru", [False, True])
def test_the_oldest_write_goes_first_when_nothing_is_read(lru: bool) -> None:
    cache = _filled("a", "b", "c", lru=lru)
    cache.put("d", 3)
    cache.put("e", 4)
    assert cache.held_keys() == ["c", "d", "e"]
    assert cache.get("a") is None
    assert cache.get("b") is None


def test_first_in_first_out_is_not_moved_by_a_read() -> None:
    cache = _filled("a", "b", "c", lru=False)
    assert cache.get("a") == 0
    cache.put("d", 3)
    assert cache.get("a") is None
    assert cache.held_keys() == ["b", "c", "d"]


def test_least_recently_used_keeps_what_was_just_read() -> None:
    cache = _filled("a", "b", "c", lru=True)
    assert cache.get("a") == 0
    cache.put("d", 3)
    assert cache.get("b") is None
    assert cache.held_keys() == ["c", "a", "d"]


@pytest.mark.parametrize("lru", [False, True])
def test_a_miss_moves_nothing(lru: bool) -> None:
    cache = _filled("a", "b", lru=lru)
    assert cache.get("z") is None
    assert cache.held_keys() == ["a", "b"]


@pytest.mark.parametrize("lru", [False, True])
def test_writing_a_key_again_makes_it_the_newest(lru: bool) -> None:
    cache = _filled("a", "b", "c", lru=lru)
    cache.put("a", 10)
    cache.put("d", 3)
    assert cache.held_keys() == ["c", "a", "d"]
    assert cache.get("a") == 10


@pytest.mark.parametrize("lru", [False, True])
@pytest.mark.parametrize("capacity", [0, 1, 3])
def test_never_more_than_capacity(lru: bool, capacity: int) -> None:
    cache: BoundedCache[int, int] = BoundedCache(capacity, lru=lru)
    for n in range(50):
        cache.put(n, n)
        cache.get(n)
        assert len(cache) == min(n + 1, capacity)
    assert cache.held_keys() == list(range(50 - capacity, 50))


def test_a_negative_capacity_is_refused() -> None:
    with pytest.raises(ValueError, match="not -1"):
        BoundedCache(-1, lru=False)


@pytest.mark.parametrize("lru", [False, True])
def test_discarded_keys_are_gone_and_others_keep_their_order(lru: bool) -> None:
    cache = _filled("a", "b", "c", lru=lru)
    for key in cache.held_keys():
        if key != "b":
            cache.discard(key)
    cache.discard("z")
    assert cache.held_keys() == ["b"]
    assert cache.get("a") is None
