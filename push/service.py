"""notify(): what mini-apps call to tell people something, on their phones and in their inbox.

The notification is written, and its fan-out requested through the outbox, in the caller's
unit of work; so it survives a crash and leaves nothing behind if the caller rolls back.
"""

from __future__ import annotations

from collections.abc import Mapping

import msgspec

from backend.kernel.events import emit
from push.audience import Audience
from push.tables import Notification
from push.templates import Template, missing_fields

NOTIFICATION_REQUESTED = "push.notification_requested"


class NotificationRequested(msgspec.Struct, frozen=True):
    notification_id: int


async def notify(
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
    """Tell an audience something. Urgent ones (SOS, dispatch) go out with high priority and
    through quiet hours and opt-outs. Call inside a unit_of_work(); returns the id."""
    missing = missing_fields(template, data)
    if missing:
        raise ValueError(f"template {template.key!r} needs {sorted(missing)}")
    if not 0 <= ttl <= 28 * 24 * 3600:
        raise ValueError("ttl must be between 0 and 28 days")
    rows = await Notification.insert(
        Notification(
            source=source,
            category=template.category,
            template=template.key,
            titles=template.titles,
            bodies=template.bodies,
            data=dict(data),
            audience=msgspec.to_builtins(audience),
            urgent=urgent,
            collapse_key=collapse_key,
            ttl=ttl,
            deep_link=deep_link,
        )
    ).returning(Notification.id)
    notification_id = int(rows[0]["id"])
    await emit(NOTIFICATION_REQUESTED, NotificationRequested(notification_id))
    return notification_id
