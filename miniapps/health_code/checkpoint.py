"""The checkpoint's hot path: verify, catch replays and revocations, log the scan.

Checkpoints scan in queues, so this path does no database write of its own: scans are
logged in batches (every half second, and on a clean shutdown), a holder's proof of a
second seen within the freshness window is a replay (through Redis when configured, so
across processes), and a holder's status version is read at most every few seconds.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
import time

import msgspec
from redis.asyncio import Redis
from redis.exceptions import RedisError

from backend.sdk import (
    Claims,
    FieldError,
    PlatformKeys,
    Role,
    Services,
    Settings,
    Unprocessable,
    cancel,
    count_scan,
    every,
    fetch_rows,
    insert_rows,
)
from miniapps.health_code import verifier
from miniapps.health_code.errors import HealthProblem
from miniapps.health_code.schemas import ScanView
from miniapps.health_code.tables import Scan
from miniapps.health_code.verifier import ReplayMemory

log = logging.getLogger(__name__)


FLUSH_EVERY = 0.5
VERSION_TTL = 5.0
REPLAY_WINDOW = 2 * verifier.FRESHNESS
BAD_FORMAT = "not a health code in its one spelling (base 36 lower-case, unpadded base64url)"
LOGGED = (
    Scan.place,
    Scan.scanner_id,
    Scan.scanner_scope,
    Scan.subject,
    Scan.code_hash,
    Scan.colour,
    Scan.valid,
    Scan.reason,
    Scan.scanned_at,
)
ScanRow = tuple[str, int, str, str | None, str, str | None, bool, str | None, dt.datetime]


class Checkpoint:
    def __init__(self, keys: PlatformKeys | None = None) -> None:
        self._keys = keys  # the platform's, whose JWKS verifies what is scanned
        self._jwks: bytes = b""
        self._verifier: verifier.Verifier | None = None
        self._seen = ReplayMemory(REPLAY_WINDOW)
        self._versions: dict[str, tuple[float, asyncio.Future[int | None]]] = {}
        self._pending: list[ScanRow] = []
        self._redis: Redis | None = None
        self._flusher: asyncio.Task[None] | None = None
        self._flushing = asyncio.Lock()

    async def start(self, settings: Settings) -> None:
        self._redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
        self._flusher = every(FLUSH_EVERY, self.flush, "logging scans")

    async def stop(self) -> None:
        await cancel(self._flusher)
        self._flusher = None
        await self.flush()
        if self._redis is not None:
            await self._redis.aclose()
            self._redis = None

    async def scan(
        self, *, actor: Claims, text: str, place: str, jwks: bytes | None = None
    ) -> ScanView:
        """Verify and record one scan, against `jwks` or else the platform's own keys."""
        if jwks is None:
            if self._keys is None:
                raise RuntimeError("a checkpoint without the platform's keys needs a JWKS")
            jwks = self._keys.jwks
        verdict = self._verifier_for(jwks).verify(text)
        if verdict.reason is verifier.Reason.BAD_FORMAT:
            count_scan(verdict.reason)
            raise Unprocessable(
                HealthProblem.BAD_FORMAT, errors=[FieldError(field="text", message=BAD_FORMAT)]
            )
        code_hash = hashlib.sha256(text.encode()).hexdigest()
        if verdict.valid and await self._seen_before(verdict.replay_key):
            verdict = msgspec.structs.replace(verdict, valid=False, reason=verifier.Reason.REPLAYED)
        if verdict.valid and await self._version(verdict.subject or "") != verdict.version:
            verdict = msgspec.structs.replace(verdict, valid=False, reason=verifier.Reason.REVOKED)
        count_scan("valid" if verdict.reason is None else verdict.reason)
        self._pending.append(
            (
                place,
                actor.user_id,
                (actor.paths_for(Role.CHECKPOINT_STAFF) or [""])[0],
                verdict.subject,
                code_hash,
                verdict.colour,
                verdict.valid,
                None if verdict.reason is None else str(verdict.reason),
                dt.datetime.now(dt.UTC),
            )
        )
        if self._flusher is None:  # not started (a one-off use): log at once
            await self.flush()
        return ScanView(
            valid=verdict.valid,
            reason=verdict.reason,
            colour=verdict.colour,
            masked_name=verdict.masked_name,
        )

    async def flush(self) -> None:
        """Log every buffered scan; returns only once any flush already under way is done,
        so a shutdown never ends while a batch is still on its way to the database."""
        async with self._flushing:
            while self._pending:
                batch, self._pending = self._pending[:500], self._pending[500:]
                try:
                    await insert_rows(Scan, LOGGED, batch)
                except (OSError, ConnectionError):
                    self._pending = batch + self._pending
                    raise

    def _verifier_for(self, jwks: bytes) -> verifier.Verifier:
        if self._verifier is None or jwks is not self._jwks:
            self._jwks = jwks
            self._verifier = verifier.Verifier(
                verifier.KeySet(msgspec.json.decode(jwks)), remember=50_000
            )
        return self._verifier

    async def _seen_before(self, replay_key: str) -> bool:
        if self._redis is not None:
            try:
                first = await self._redis.set(
                    f"yimen:hc:seen:{replay_key}", 1, nx=True, ex=REPLAY_WINDOW
                )
                return not first
            except RedisError as err:
                log.warning("replay check falls back to this process: %s", err)
        return self._seen.seen_before(replay_key, time.monotonic())

    async def _version(self, subject: str) -> int | None:
        """The holder's status version, read once per VERSION_TTL however many scans wait."""
        now = time.monotonic()
        cached = self._versions.get(subject)
        if cached is None or cached[0] <= now:
            if len(self._versions) > 100_000:
                self._versions.clear()
            cached = (now + VERSION_TTL, asyncio.ensure_future(_current_version(subject)))
            self._versions[subject] = cached
        try:
            return await asyncio.shield(cached[1])
        except (OSError, ConnectionError):
            self._versions.pop(subject, None)
            raise


# One statement, read by the driver: this runs for every holder every few seconds.
_VERSION_OF = (
    "SELECT s.version FROM health_code_holder_key AS k"
    " LEFT JOIN health_code_status AS s ON s.user_id = k.user_id WHERE k.subject = $1"
)


async def _current_version(subject: str) -> int | None:
    """The holder's status version: None for a subject no phone is enrolled as, 0 for a
    holder no colour was ever set for."""
    rows = await fetch_rows(_VERSION_OF, subject)
    if not rows:
        return None
    version = rows[0]["version"]
    return 0 if version is None else int(version)


async def start_checkpoint(services: Services) -> Checkpoint:
    """The health code's runtime: this app's checkpoint, with its replay memory and the
    scans it has yet to write."""
    checkpoint = Checkpoint(services.keys)
    await checkpoint.start(services.settings)
    return checkpoint


async def stop_checkpoint(services: Services) -> None:
    await services.runtime(Checkpoint).stop()
    services.drop_runtime(Checkpoint)
