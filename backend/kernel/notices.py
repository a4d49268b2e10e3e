"""notify(): how a part tells people something, on their phones and in their inbox.

The notice is an event in the caller's unit of work, so it survives a crash and leaves
nothing behind if the caller rolls back; push takes it from there (`push.notice_requested`).
"""

from __future__ import annotations

from collections.abc import Mapping

import msgspec

from backend.kernel.audience import Audience
from backend.kernel.events import emit
from backend.kernel.paths import is_valid
from backend.kernel.templates import Template, missing_fields

NOTICE_REQUESTED = "push.notice_requested"
MAX_TTL = 28 * 24 * 3600


class Notice(msgspec.Struct, frozen=True, kw_only=True):
    source: str
    template: Template
    data: dict[str, str]
    audience: Audience
    urgent: bool = False
    collapse_key: str | None = None
    ttl: int = 3600
    deep_link: str | None = None


def check_notice(template: Template, data: Mapping[str, str], ttl: int, audience: Audience) -> None:
    """A notice that could never be shown is the caller's bug: say so where it was made."""
    missing = missing_fields(template, data)
    if missing:
        raise ValueError(f"template {template.key!r} needs {sorted(missing)}")
    if not 0 <= ttl <= MAX_TTL:
        raise ValueError("ttl must be between 0 and 28 days")
    if audience.area is not None:
        if audience.user_ids or audience.role is not None or audience.path is not None:
            raise ValueError("an area audience is everyone in it: name nobody else")
        if not is_valid(audience.area):
            raise ValueError(f"{audience.area!r} is not an org path")


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
) -> None:
    """Tell an audience something. Urgent ones (SOS, dispatch) go out with high priority and
    through quiet hours and opt-outs. Call inside a unit_of_work()."""
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
    await emit(NOTICE_REQUESTED, notice)
