"""The inbox: every notification a person received, read or not, newest first."""

from __future__ import annotations

import datetime as dt

from backend.kernel.claims import Claims
from backend.kernel.db import fetch_rows
from backend.kernel.errors import NotFound
from backend.kernel.pagination import decode_cursor, encode_cursor
from push.errors import PushCode
from push.schemas import InboxItemView, InboxPage
from push.tables import InboxItem

_TABLE = InboxItem._meta.tablename
# Each app start and each badge asks these: prepared statements, not queries built each time.
_UNREAD = f"SELECT count(*) AS n FROM {_TABLE} WHERE user_id = $1 AND read_at IS NULL"  # noqa: S608
_PAGE = (
    f"SELECT id, category, title, body, deep_link, created_at, read_at FROM {_TABLE} "  # noqa: S608
    "WHERE user_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3"
)
_NO_CURSOR = 2**63 - 1  # above every id: the first page


async def unread_count(user_id: int) -> int:
    return int((await fetch_rows(_UNREAD, user_id))[0]["n"])


async def inbox_page(*, user_id: int, cursor: str | None, limit: int) -> InboxPage:
    below = decode_cursor(cursor) if cursor else _NO_CURSOR
    rows = await fetch_rows(_PAGE, user_id, below, limit + 1)
    items = [
        InboxItemView(
            id=r["id"],
            category=r["category"],
            title=r["title"],
            body=r["body"],
            deep_link=r["deep_link"],
            created_at=r["created_at"],
            read=r["read_at"] is not None,
        )
        for r in rows[:limit]
    ]
    more = len(rows) > limit
    return InboxPage(
        items=items,
        next_cursor=encode_cursor(items[-1].id) if more else None,
        unread=await unread_count(user_id),
    )


async def mark_read(*, user_id: int, item_id: int) -> None:
    found = (
        await InboxItem.select(InboxItem.id)
        .where((InboxItem.id == item_id) & (InboxItem.user_id == user_id))
        .first()
    )
    if found is None:
        raise NotFound(PushCode.INBOX_ITEM_NOT_FOUND)
    await InboxItem.update({InboxItem.read_at: dt.datetime.now(dt.UTC)}).where(
        (InboxItem.id == item_id) & InboxItem.read_at.is_null()
    )


async def mark_all_read(*, user_id: int) -> int:
    done = (
        await InboxItem.update({InboxItem.read_at: dt.datetime.now(dt.UTC)})
        .where((InboxItem.user_id == user_id) & InboxItem.read_at.is_null())
        .returning(InboxItem.id)
    )
    return len(done)


async def unread_badge(claims: Claims) -> int:
    return await unread_count(claims.user_id)
