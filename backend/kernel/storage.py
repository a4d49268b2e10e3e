"""Where uploaded files go: one interface, the local disk by default (an object store fits
the same two calls)."""

from __future__ import annotations

import abc
import asyncio
import hashlib
import uuid
from pathlib import Path


class Storage(abc.ABC):
    """Where uploaded files are kept. An abstract class, as routes are given it: see
    `PlatformKeys`."""

    @abc.abstractmethod
    async def put(self, data: bytes, *, suffix: str) -> str:
        """Keep `data`; returns the key to fetch it by."""

    @abc.abstractmethod
    async def get(self, key: str) -> bytes: ...


class LocalDiskStorage(Storage):
    """Files named by their SHA-256, so the same photo uploaded twice is kept once."""

    def __init__(self, root: str) -> None:
        self._root = Path(root)

    async def put(self, data: bytes, *, suffix: str) -> str:
        key = hashlib.sha256(data).hexdigest() + suffix
        await asyncio.to_thread(self._write, key, data)
        return key

    async def get(self, key: str) -> bytes:
        if "/" in key or key.startswith("."):
            raise FileNotFoundError(key)
        return await asyncio.to_thread((self._root / key).read_bytes)

    def _write(self, key: str, data: bytes) -> None:
        self._root.mkdir(parents=True, exist_ok=True)
        path = self._root / key
        if not path.exists():
            # Its own temporary name: the same photo sent twice at once is written twice,
            # and each rename puts the same bytes in place.
            temporary = path.with_name(f"{key}.{uuid.uuid4().hex}.part")
            temporary.write_bytes(data)
            temporary.replace(path)
