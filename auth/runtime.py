"""The auth parts one process holds: key ring, deny-list and its sync, token service."""

from __future__ import annotations

import asyncio

from auth.keys import KeyRing
from auth.revocation import DenyList, RevocationSync
from auth.tokens import TokenService
from backend.kernel.settings import Settings
from backend.kernel.timers import cancel, every
from backend.kernel.vault import Vault

_KEY_RELOAD_INTERVAL = 60.0


class AuthRuntime:
    def __init__(self, settings: Settings, vault: Vault) -> None:
        self.settings = settings
        self.vault = vault
        self.keys = KeyRing(settings, self.vault)
        self.deny = DenyList()
        self.revocations = RevocationSync(self.deny, settings.redis_url)
        self.tokens = TokenService(settings, self.keys, self.deny)
        self._reload_task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.keys.load()
        await self.revocations.start()
        # Picks up a rotation made by `yimen keys rotate` in another process.
        self._reload_task = every(_KEY_RELOAD_INTERVAL, self.keys.load, "reloading signing keys")

    async def stop(self) -> None:
        await cancel(self._reload_task)
        await self.revocations.stop()
