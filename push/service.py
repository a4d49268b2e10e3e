"""Notifications as push keeps them: a notice becomes a Notification row, then its fan-out.

A part's notice (`backend.kernel.notices.notify`) arrives as an event and is recorded and
fanned out by one handler. Push's own `record_notification` writes the row in the caller's
unit of work and requests the fan-out through the outbox, for callers that need its id.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from backend.kernel.audience import Audience
from backend.kernel.clock import utc_now
from backend.kernel.contract import Event, JobContext
from backend.kernel.db import fetch_rows
from backend.kernel.events import emit
from backend.kernel.notices import Notice, check_notice
from backend.kernel.templates import Template
from push.fanout import fan_out_notification
from push.tables import Notification

NOTIFICATION_REQUESTED = "push.notification_requested"


class NotificationRequested(msgspec.Struct, frozen=True):
    notification_id: int


async def _insert(notice: Notice) -> dict[str, Any]:
    rows = await fetch_rows(
        _RECORD,
        notice.source,
        notice.template.category,
        notice.template.key,
        _json(notice.template.titles),
        _json(notice.template.bodies),
        _json(dict(notice.data)),
        _json(notice.audience),
        notice.urgent,
        notice.collapse_key,
        notice.ttl,
        notice.deep_link,
        utc_now(),
    )
    return dict(rows[0])


def _json(value: Any) -> str:
    return msgspec.json.encode(value).decode()


# Every notice writes one: a prepared statement, not a query built for each.
_RECORD = f"""
INSERT INTO {Notification._meta.tablename} (
    source, category, template, titles, bodies, data, audience, urgent, collapse_key, ttl,
    deep_link, created_at, fanned_out_at, recipients
) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, NULL, 0)
RETURNING {", ".join(column._meta.db_column_name for column in Notification.all_columns())}
"""  # noqa: S608 - the table's own names; every value is a placeholder


async def record_notification(
    *,
    audience: Audience,
    template: Template,
    data: Mapping[str, str],
    source: str,
    urgent: bool = False,
    collapse_key: str | None = None,
    ttl: int = 3600,
    deep_link: str | None = None,
) -> int:
    """Write a notification and request its fan-out; call inside a unit_of_work(). Returns
    its id."""
    check_notice(template, data, ttl, audience)
    notice = Notice(
        source=source,
        template=template,
        data=dict(data),
        audience=audience,
        urgent=urgent,
        collapse_key=collapse_key,
        ttl=ttl,
        deep_link=deep_link,
    )
    row = await _insert(notice)
    await emit(NOTIFICATION_REQUESTED, NotificationRequested(int(row["id"])))
    return int(row["id"])


async def take_notice(event: Event, job: JobContext) -> None:
    """Handler of push.notice_requested: the row and its fan-out commit with the handler's
    marker, so a redelivered notice is recorded once."""
    await fan_out_notification(await _insert(event.payload), job)
