"""An app's server sends a user a notification: only one of the templates reviewed with the
version the user has, its placeholders filled with short values; only to a user who
consents to the app's notifications, where the app is on; a few an hour to one user and a
daily quota in all. Whatever it refuses, it writes nothing."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from litestar import Litestar

from backend.app import create_app
from backend.directory.users.tables import UserAccount
from backend.kernel.settings import Settings
from push.tables import InboxItem, Notification
from tests.conftest import Client, TokenForPhone
from tests.miniapps.open_platform.publishing import (
    APP,
    DEVELOPER,
    PLATFORM,
    RESIDENT,
    Person,
    manifest,
    registered_app,
    someone,
    switch,
    verified_publisher,
)
from tests.miniapps.open_platform.test_launch import Opened, Platform
from tests.support import notices_recorded

NEIGHBOUR = "13800000002"  # lives in the same grid of 高新区
TOPPED_UP = {
    "id": "topped_up",
    "titles": {"zh-CN": "乘车码充值成功", "en": "Metro card topped up"},
    "bodies": {"zh-CN": "{date} 充值 {amount} 元", "en": "{amount} yuan on {date}"},
}
NOTIFYING: dict[str, Any] = {
    "permissions": ["profile.read", "notify.send"],
    "data": [
        {"field": "name", "purpose": "实名办理乘车码"},
        {"field": "notifications", "purpose": "告知充值与行程结果"},
    ],
    "templates": [TOPPED_UP],
}
VALUES = {"date": "12月5日", "amount": "50"}


@pytest.fixture
async def app(settings: Settings) -> Litestar:
    return create_app(
        msgspec.structs.replace(
            settings, rate_open_notices_per_user="3/h", rate_open_notices_per_app="4/d"
        )
    )


async def openid_of(client: Client, app: Opened, user: Person, *consent: str) -> str:
    launched = await client.post(
        f"{APP}/apps/{app.app_id}/launch", json={"consent": list(consent)}, headers=user.headers
    )
    assert launched.status_code == 200, launched.text
    traded = await client.post(
        f"{APP}/open/session", json={"code": launched.json()["code"]}, headers=app.server
    )
    assert traded.status_code == 200, traded.text
    return str(traded.json()["openid"])


async def send_notice(
    client: Client, app: Opened, openid: str, template: str = "topped_up", **values: str
) -> Any:
    return await client.post(
        f"{APP}/open/users/{openid}/notifications",
        json={"template": template, "values": values or VALUES},
        headers=app.server,
    )


async def _inbox(client: Client, user: Person) -> list[dict[str, Any]]:
    await notices_recorded()
    listed = await client.get("/v1/inbox", headers=user.headers)
    assert listed.status_code == 200, listed.text
    return [
        {key: item[key] for key in ("category", "title", "body", "deep_link")}
        for item in listed.json()["items"]
    ]


async def test_a_consenting_user_gets_the_template_filled_in_their_language(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    platform = await Platform(client, token_for_phone).start()
    app = await platform.opened(**NOTIFYING)
    resident = await someone(client, token_for_phone, RESIDENT)
    entry = await client.get(f"{APP}/apps/{app.app_id}/entry", headers=resident.headers)
    assert entry.json()["fields"][1] == {
        "field": "notifications",
        "purpose": "告知充值与行程结果",
        "consented": False,
    }
    openid = await openid_of(client, app, resident, "notifications")

    sent = await send_notice(client, app, openid)
    assert sent.status_code == 200, sent.text
    assert sent.json()["openid"] == openid
    assert sent.json()["template"] == "topped_up"
    link = f"yimen://miniapps/open_platform/apps/{app.app_id}"
    assert await _inbox(client, resident) == [
        {
            "category": "open_platform",
            "title": "乘车码充值成功",
            "body": "12月5日 充值 50 元",
            "deep_link": link,
        }
    ]

    await UserAccount.update({UserAccount.locale: "en"}).where(UserAccount.id == resident.user_id)
    assert (await send_notice(client, app, openid, amount="20", date="Dec 6")).status_code == 200
    assert (await _inbox(client, resident))[0] == {
        "category": "open_platform",
        "title": "Metro card topped up",
        "body": "20 yuan on Dec 6",
        "deep_link": link,
    }


async def test_no_consent_no_template_or_wrong_values_is_refused_and_nothing_is_sent(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    platform = await Platform(client, token_for_phone).start()
    app = await platform.opened(**NOTIFYING)
    resident = await someone(client, token_for_phone, RESIDENT)
    only_name = await openid_of(client, app, resident, "name")

    refused = await send_notice(client, app, only_name)
    assert (refused.status_code, refused.json()["code"]) == (403, "open_notify_consent_missing")

    openid = await openid_of(client, app, resident, "notifications")
    unknown = await send_notice(client, app, openid, "refunded")
    assert (unknown.status_code, unknown.json()["code"]) == (422, "open_template_not_found")
    short = await send_notice(client, app, openid, date="12月5日")
    assert (short.status_code, short.json()["code"]) == (422, "open_template_values_invalid")
    assert short.json()["errors"] == [{"field": "values.amount", "message": "missing"}]
    extra = await send_notice(client, app, openid, **VALUES, note="另附说明")
    assert extra.json()["errors"] == [
        {"field": "values.note", "message": "not a placeholder of the template"}
    ]
    for value in ("5" * 33, "50\n元", "50\n", "50\x1b[2J", "\x85元", "5\x9b0", "   "):
        bad = await send_notice(client, app, openid, date="12月5日", amount=value)
        assert (bad.status_code, bad.json()["code"]) == (400, "validation_failed"), value
    # Nothing that hides itself, turns the text around or piles marks; something to see.
    for value in ("\u202e05", "\u20665\u2069", "\u200b", "\u3164", "5\u0301\u0301\u0301"):
        bad = await send_notice(client, app, openid, date="12月5日", amount=value)
        assert (bad.status_code, bad.json()["code"]) == (422, "open_template_values_invalid")
        assert bad.json()["errors"][0]["field"] == "values.amount", value
    nobody = await send_notice(client, app, "0" * 32)
    assert (nobody.status_code, nobody.json()["code"]) == (404, "open_user_not_found")

    revoked = await client.delete(
        f"/v1/me/consents/{app.app_id}?field=notifications", headers=resident.headers
    )
    assert revoked.status_code == 200, revoked.text
    after = await send_notice(client, app, openid)
    assert (after.status_code, after.json()["code"]) == (403, "open_notify_consent_missing")

    assert await Notification.count() == 0
    assert await _inbox(client, resident) == []


async def test_an_app_without_notify_or_switched_off_sends_nothing(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    platform = await Platform(client, token_for_phone).start()
    reader = await platform.opened()  # profile.read only
    notifying = await platform.opened("metro-bus", **NOTIFYING)
    resident = await someone(client, token_for_phone, RESIDENT)

    refused = await send_notice(client, reader, await openid_of(client, reader, resident, "name"))
    assert (refused.status_code, refused.json()["code"]) == (403, "open_permission_missing")

    openid = await openid_of(client, notifying, resident, "notifications")
    off = await switch(client, platform.district, notifying.app_id, on=False)
    assert off.status_code == 200, off.text
    refused = await send_notice(client, notifying, openid)
    assert (refused.status_code, refused.json()["code"]) == (403, "open_app_off_in_district")
    assert await Notification.count() == 0


async def test_an_app_sends_one_user_a_few_and_all_its_users_a_daily_quota(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    platform = await Platform(client, token_for_phone).start()
    app = await platform.opened(**NOTIFYING)
    other = await platform.opened("metro-bus", **NOTIFYING)
    resident = await someone(client, token_for_phone, RESIDENT)
    neighbour = await someone(client, token_for_phone, NEIGHBOUR)
    openid = await openid_of(client, app, resident, "notifications")

    answered = [(await send_notice(client, app, openid)).status_code for _ in range(4)]
    assert answered == [200, 200, 200, 429]
    # Another app, to the same user, counts on its own.
    theirs = await openid_of(client, other, resident, "notifications")
    assert (await send_notice(client, other, theirs)).status_code == 200

    # The app's fourth of the day reaches the neighbour; its fifth, nobody.
    neighbours = await openid_of(client, app, neighbour, "notifications")
    assert (await send_notice(client, app, neighbours)).status_code == 200
    over = await send_notice(client, app, neighbours)
    assert (over.status_code, over.json()["code"]) == (429, "rate_limited")
    assert int(over.headers["Retry-After"]) >= 1
    await notices_recorded()
    assert await InboxItem.count().where(InboxItem.user_id == resident.user_id) == 4
    assert await InboxItem.count().where(InboxItem.user_id == neighbour.user_id) == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"templates": [{**TOPPED_UP, "bodies": {"zh-CN": "{date.year} 充值"}}]},
            "manifest.templates[0].bodies.zh-CN",
            "{date.year}: a placeholder is a plain name such as {date}",
        ),
        (
            {"templates": [{**TOPPED_UP, "titles": {"zh-CN": "充值 {amount!r}"}}]},
            "manifest.templates[0].titles.zh-CN",
            "{amount}: a placeholder is a plain name such as {date}",
        ),
        (
            {"templates": [{**TOPPED_UP, "bodies": {"zh-CN": "充值 {amount:>99}"}}]},
            "manifest.templates[0].bodies.zh-CN",
            "{amount}: a placeholder is a plain name such as {date}",
        ),
        (
            {"templates": [{**TOPPED_UP, "bodies": {"zh-CN": "充值 {amount 元"}}]},
            "manifest.templates[0].bodies.zh-CN",
            "a brace without its pair: write {{ and }} for braces",
        ),
        (
            {"templates": [{**TOPPED_UP, "titles": {"zh-CN": "{title}"}}]},
            "manifest.templates[0].titles.zh-CN",
            "fewer than 2 characters of its own beside its placeholders",
        ),
        (
            {"templates": [{**TOPPED_UP, "titles": {"zh-CN": "\u202e充值成功"}}]},
            "manifest.templates[0].titles.zh-CN",
            "U+202E is not shown, or changes how the text runs",
        ),
        (
            {"templates": [{**TOPPED_UP, "bodies": {"zh-CN": "充值{a}{b}{c}{d}{e}{f}"}}]},
            "manifest.templates[0].bodies.zh-CN",
            "more than 5 placeholders",
        ),
        (
            {"templates": [TOPPED_UP, TOPPED_UP]},
            "manifest.templates[1].id",
            "topped_up is used twice",
        ),
        (
            {"templates": []},
            "manifest.templates",
            "notify.send and templates go together",
        ),
        (
            {"permissions": ["profile.read"]},
            "manifest.data",
            "notify.send and asking consent to notifications go together",
        ),
    ],
)
async def test_a_manifest_with_templates_that_could_carry_more_than_values_is_refused(
    client: Client,
    token_for_phone: TokenForPhone,
    changes: dict[str, Any],
    field: str,
    message: str,
) -> None:
    developer = await someone(client, token_for_phone, DEVELOPER)
    await verified_publisher(client, developer, await someone(client, token_for_phone, PLATFORM))
    refused = await client.post(
        f"{APP}/apps",
        json={"label": "1.0.0", "manifest": manifest(**{**NOTIFYING, **changes})},
        headers=developer.headers,
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "open_manifest_invalid"
    assert {"field": field, "message": message} in refused.json()["errors"]
    assert (await registered_app(client, developer, **NOTIFYING))["version_id"]
