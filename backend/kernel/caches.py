"""A bounded in-process cache: at most `capacity` entries, the oldest going first.

Each use says which entry is the oldest:

* `lru=False` (first in, first out): the one written longest ago. For entries that expire a
  fixed time after they are written, such as a token's claims or a count kept for seconds:
  the oldest write is the nearest to expiry, and reading an entry does not make it live
  longer. Writing a key again makes it the newest, as its life starts again.
* `lru=True` (least recently used): the one read or written longest ago. For entries that
  never go stale, such as a rendering keyed by what it renders: what is still read is what
  is worth keeping.

There is no lock: every caller runs on its event loop's thread, and a read or a write is a
few dictionary operations with no await between them.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BoundedCache(Generic[K, V]):
    """Values are never None: `get` answers None for a key it does not hold."""

    __slots__ = ("_capacity", "_entries", "get")

    get: Callable[[K], V | None]

    def __init__(self, capacity: int, *, lru: bool) -> None:
        """A cache of at most `capacity` entries; one of capacity 0 keeps nothing."""
        if capacity < 0:
            raise ValueError(f"a cache holds zero entries or more, not {capacity}")
        self._capacity = capacity
        self._entries: OrderedDict[K, V] = OrderedDict()
        # The lookup is chosen here rather than on each call: these caches sit on every
        # token verification and every launcher, where a first-in-first-out read is then
        # the dictionary's own `get`, with no Python frame around it.
        if lru:
            self.get = self._get_and_refresh
        else:
            self.get = self._entries.get

    def put(self, key: K, value: V) -> None:
        """Keep `value` under `key` as the newest entry, dropping the oldest past capacity."""
        entries = self._entries
        entries[key] = value
        entries.move_to_end(key)
        if len(entries) > self._capacity:
            entries.popitem(last=False)

    def discard(self, key: K) -> None:
        self._entries.pop(key, None)

    def held_keys(self) -> list[K]:
        """The keys held, oldest first; a copy, so the caller may discard while walking it."""
        return list(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def _get_and_refresh(self, key: K) -> V | None:
        value = self._entries.get(key)
        if value is not None:
            self._entries.move_to_end(key)
        return value
