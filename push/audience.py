"""Who an audience is, today: resolved through the directory when the notice fans out."""

from __future__ import annotations

from backend.directory.people import holders_above, holders_within
from backend.kernel.audience import Audience, Reach


async def resolve(audience: Audience) -> list[int]:
    """The user ids of an audience, each once, in ascending order."""
    found = set(audience.user_ids)
    if audience.role is not None and audience.path is not None:
        if audience.reach is Reach.WITHIN:
            found |= await holders_within(audience.role, audience.path)
        else:
            found |= await holders_above(audience.role, audience.path)
    return sorted(found)
