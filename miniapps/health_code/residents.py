"""The resident behind a colour or a code, and what others may see of them."""

from __future__ import annotations

from backend.sdk import NotFound, Person, person
from miniapps.health_code.errors import HealthProblem


async def find_resident(user_id: int) -> Person:
    """The resident; NotFound when there is no such account."""
    found = await person(user_id)
    if found is None:
        raise NotFound(HealthProblem.HOLDER_NOT_FOUND)
    return found


def masked_name(name: str | None) -> str:
    """What a scanner or a venue may see of a name: its first character and one `*`, so
    that not even its length shows."""
    return (name or "居")[:1] + "*"
