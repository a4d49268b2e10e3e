"""Template notifications an app's server sends a user: only a template of the version of the
app the user has, reviewed with it, filled in with short values; only to a user who consents
to the app's notifications, and only where the app is on."""

from __future__ import annotations

import msgspec

from backend.sdk import (
    Audience,
    Enablement,
    FieldError,
    Forbidden,
    Template,
    Unprocessable,
    notify,
    unit_of_work,
    utc_now,
)
from miniapps.open_platform.consents import standing_fields
from miniapps.open_platform.errors import OpenProblem
from miniapps.open_platform.launch import PLATFORM_ID, reached
from miniapps.open_platform.manifest import placeholders
from miniapps.open_platform.schemas import (
    DataField,
    NoticeTemplate,
    NotificationIn,
    NotificationSent,
    Permission,
)
from miniapps.open_platform.shown import unshown

# Muting this category in one's preferences silences every third-party app at once;
# revoking an app's consent to notifications silences that app.
CATEGORY = PLATFORM_ID
APP_LINK = "yimen://miniapps/open_platform/apps/{app_id}"


class Addressed(msgspec.Struct, frozen=True, kw_only=True):
    """A notification checked and ready to go: to whom, and what it says."""

    user_id: int
    template: NoticeTemplate
    data: dict[str, str]


async def addressed(
    app_id: str, openid: str, asked: NotificationIn, enablement: Enablement
) -> Addressed:
    """The notification `asked` for the user behind `openid`, refused unless the app may
    send it to them now and `asked.values` fill in the template's placeholders, and only
    them."""
    user = await reached(app_id, openid, enablement, Permission.NOTIFY)
    if DataField.NOTIFICATIONS not in await standing_fields(app_id, user.user_id):
        raise Forbidden(OpenProblem.NOTIFY_CONSENT_MISSING)
    template = next((t for t in user.manifest.templates if t.id == asked.template), None)
    if template is None:
        raise Unprocessable(
            OpenProblem.TEMPLATE_NOT_FOUND,
            errors=[FieldError("template", f"{asked.template} is not a template of the app")],
        )
    names = placeholders(template)
    given = asked.values.keys()
    errors = [FieldError(f"values.{name}", "missing") for name in sorted(names - given)]
    errors += [
        FieldError(f"values.{name}", "not a placeholder of the template")
        for name in sorted(given - names)
    ]
    errors += [
        FieldError(f"values.{name}", why)
        for name, value in sorted(asked.values.items())
        if (why := unshown(value))
    ]
    if errors:
        raise Unprocessable(OpenProblem.TEMPLATE_VALUES_INVALID, errors=errors)
    return Addressed(user_id=user.user_id, template=template, data=dict(asked.values))


async def send_notice(app_id: str, openid: str, notice: Addressed) -> NotificationSent:
    """Hand the notification to push: to the user's devices and their inbox; tapped, it
    opens the app."""
    template = notice.template
    async with unit_of_work():
        await notify(
            audience=Audience.users(notice.user_id),
            template=Template(
                key=f"{PLATFORM_ID}.{app_id}.{template.id}",
                category=CATEGORY,
                titles=_texts(template.titles.zh_cn, template.titles.en),
                bodies=_texts(template.bodies.zh_cn, template.bodies.en),
            ),
            data=notice.data,
            source=PLATFORM_ID,
            deep_link=APP_LINK.format(app_id=app_id),
        )
    return NotificationSent(openid=openid, template=template.id, sent_at=utc_now())


def _texts(zh_cn: str, en: str | None) -> dict[str, str]:
    return {"zh-CN": zh_cn} | ({"en": en} if en else {})
