"""Auth as a part of the host: what it runs on a schedule."""

from __future__ import annotations

from auth.revocation import prune_revocations
from backend.kernel.contract import Cron, HostPart, JobContext


async def forget_lapsed_revocations(job: JobContext) -> None:
    """A revocation matters only until the last access token it refuses has expired; every
    logout writes one, so without this the table grows with every session ever ended."""
    await prune_revocations()


AUTH = HostPart(
    name="auth",
    crons=[
        Cron(
            name="prune_revocations",
            run=forget_lapsed_revocations,
            minute=frozenset(range(7, 60, 15)),
            second=frozenset({30}),
        )
    ],
)
