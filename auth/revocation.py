"""Immediate revocation: a small deny-list of subjects and of ended sessions, in memory,
kept in step everywhere.

A subject's entry (an admin's revoke, a disabled account) refuses every access token the
user held when it was written; a session's entry (a logout, a replayed refresh token)
refuses every access token of that one login, whenever issued, and no other. An entry
lives only until the last access token it can refuse has expired. Each process holds the
list in memory so that authorizing a request reads nothing; a revocation is written to
the database (so a new process sees it) and, when Redis is configured, published so every
running process applies it within milliseconds. Without Redis, processes re-read the
table every few seconds.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time

import msgspec
from redis.asyncio import Redis
from redis.exceptions import RedisError

from auth.tables import Revocation
from backend.kernel.timers import cancel, every

log = logging.getLogger(__name__)

CHANNEL = "yimen:auth:revocations"


class RevocationNotice(msgspec.Struct, frozen=True):
    user_id: int
    revoked_at: float
    until: float
    session: str | None = None  # set: only this login's tokens are refused


class DenyList:
    def __init__(self) -> None:
        self._revoked: dict[str, RevocationNotice] = {}
        self._ended: dict[str, RevocationNotice] = {}

    def refuses(self, sub: str, iat: int, sid: str | None = None) -> bool:
        notice = self._revoked.get(sub)
        if notice is not None and iat <= notice.revoked_at:
            return True
        return sid is not None and sid in self._ended

    def apply(self, notice: RevocationNotice) -> None:
        if notice.session is not None:
            self._ended.setdefault(notice.session, notice)
            return
        current = self._revoked.get(str(notice.user_id))
        if current is None or current.revoked_at < notice.revoked_at:
            self._revoked[str(notice.user_id)] = notice

    def prune(self, now: float | None = None) -> None:
        now = time.time() if now is None else now
        self._revoked = {k: v for k, v in self._revoked.items() if v.until > now}
        self._ended = {k: v for k, v in self._ended.items() if v.until > now}

    def __len__(self) -> int:
        return len(self._revoked) + len(self._ended)


async def record_revocation(
    user_id: int, *, access_token_ttl: int, session: str | None = None
) -> RevocationNotice:
    """Write a revocation that refuses every access token the user holds now, or, with
    `session`, every access token of that login."""
    now = dt.datetime.now(dt.UTC)
    until = now + dt.timedelta(seconds=access_token_ttl + 60)
    await Revocation.insert(
        Revocation(user_id=user_id, revoked_at=now, until=until, session=session)
    )
    return RevocationNotice(user_id, now.timestamp(), until.timestamp(), session)


async def load_revocations() -> list[RevocationNotice]:
    now = dt.datetime.now(dt.UTC)
    rows = await Revocation.select().where(Revocation.until > now)
    return [
        RevocationNotice(
            r["user_id"], r["revoked_at"].timestamp(), r["until"].timestamp(), r["session"]
        )
        for r in rows
    ]


async def prune_revocations() -> None:
    await Revocation.delete().where(Revocation.until < dt.datetime.now(dt.UTC))


class RevocationSync:
    """Keeps one process's DenyList in step: Redis pub/sub when configured, polling always."""

    def __init__(self, deny: DenyList, redis_url: str, poll_interval: float = 5.0) -> None:
        self.deny = deny
        self._redis = Redis.from_url(redis_url) if redis_url else None
        self._poll_interval = poll_interval
        self._tasks: list[asyncio.Task[None]] = []
        self.listening = asyncio.Event()

    async def start(self) -> None:
        await self.poll_once()
        self._tasks.append(every(self._poll_interval, self.poll_once, "reloading revocations"))
        if self._redis is not None:
            self._tasks.append(asyncio.create_task(self._listen()))

    async def stop(self) -> None:
        for task in self._tasks:
            await cancel(task)
        self._tasks.clear()
        if self._redis is not None:
            await self._redis.aclose()

    async def announce(self, notice: RevocationNotice) -> None:
        self.deny.apply(notice)
        if self._redis is None:
            return
        try:
            await self._redis.publish(CHANNEL, msgspec.json.encode(notice))
        except RedisError as err:
            log.warning("revocation of user %s not published: %s", notice.user_id, err)

    async def poll_once(self) -> None:
        for notice in await load_revocations():
            self.deny.apply(notice)
        self.deny.prune()

    async def _listen(self) -> None:
        assert self._redis is not None
        while True:
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.subscribe(CHANNEL)
                    self.listening.set()
                    async for message in pubsub.listen():
                        if message["type"] == "message":
                            notice = msgspec.json.decode(message["data"], type=RevocationNotice)
                            self.deny.apply(notice)
            except (RedisError, OSError, msgspec.DecodeError) as err:
                self.listening.clear()
                log.warning("revocation channel lost, retrying: %s", err)
                await asyncio.sleep(1.0)
