"""The resident behind a colour or a code, and what others may see of them."""

from __future__ import annotations

from typing import Any

from backend.directory.users.tables import UserAccount
from backend.kernel.errors import NotFound, register_messages

register_messages({"holder_not_found": ("找不到该居民", "No such resident in your area")})


async def find_resident(user_id: int) -> dict[str, Any]:
    """The resident's id, name and home path; NotFound when there is no such account."""
    row = (
        await UserAccount.select(UserAccount.id, UserAccount.name, UserAccount.home_path)
        .where(UserAccount.id == user_id)
        .first()
    )
    if row is None:
        raise NotFound("holder_not_found")
    return row


def masked_name(name: str | None) -> str:
    """What a scanner or a venue may see of a name: its first character and one `*`, so
    that not even its length shows."""
    return (name or "居")[:1] + "*"
