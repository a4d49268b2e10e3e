"""The inbox: every notification a person received, read or not, newest first."""

from __future__ import annotations

import datetime as dt
from typing import Any

from backend.kernel.claims import Claims
from backend.kernel.errors import NotFound
from backend.kernel.pagination import decode_cursor, encode_cursor
from push.errors import PushCode
from push.schemas import InboxItemView, InboxPage
from push.tables import InboxItem


async def unread_count(user_id: int) -> int:
    return int(
        await InboxItem.count().where((InboxItem.user_id == user_id) & InboxItem.read_at.is_null())
    )


async def inbox_page(*, user_id: int, cursor: str | None, limit: int) -> InboxPage:
    where: Any = InboxItem.user_id == user_id
    if cursor:
        where &= InboxItem.id < decode_cursor(cursor)
    rows = (
        await InboxItem.select()
        .where(where)
        .order_by(InboxItem.id, ascending=False)
        .limit(limit + 1)
    )
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
