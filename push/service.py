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
from backend.kernel.contract import Event, JobContext
from backend.kernel.events import emit
from backend.kernel.notices import Notice, check_notice
from backend.kernel.templates import Template
from push.fanout import fan_out_notification
from push.tables import Notification

NOTIFICATION_REQUESTED = "push.notification_requested"


class NotificationRequested(msgspec.Struct, frozen=True):
    notification_id: int


async def _insert(notice: Notice) -> dict[str, Any]:
    rows = await Notification.insert(
        Notification(
            source=notice.source,
            category=notice.template.category,
            template=notice.template.key,
            titles=notice.template.titles,
            bodies=notice.template.bodies,
            data=dict(notice.data),
            audience=msgspec.to_builtins(notice.audience),
            urgent=notice.urgent,
            collapse_key=notice.collapse_key,
            ttl=notice.ttl,
            deep_link=notice.deep_link,
        )
    ).returning(*Notification.all_columns())
    row: dict[str, Any] = rows[0]
    return row


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
    check_notice(template, data, ttl)
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
