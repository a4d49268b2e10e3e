"""Who an audience is, today: resolved through the directory when the notice fans out."""

from __future__ import annotations

from backend.directory.people import holders_above, holders_within, people_within
from backend.kernel.audience import Audience, Reach

PAGE = 1000


async def resolve(audience: Audience) -> list[int]:
    """The user ids of an audience, each once, in ascending order."""
    found = set(audience.user_ids)
    if audience.role is not None and audience.path is not None:
        if audience.reach is Reach.WITHIN:
            found |= await holders_within(audience.role, audience.path)
        else:
            found |= await holders_above(audience.role, audience.path)
    if audience.area is not None:
        found |= set(await everyone_in(audience.area))
    return sorted(found)


async def everyone_in(area: str) -> list[int]:
    """Everyone who lives or works in the unit, a page at a time."""
    found: list[int] = []
    while page := await people_within(area, after=found[-1] if found else 0, limit=PAGE):
        found += [person.id for person in page]
        if len(page) < PAGE:
            break
    return found
