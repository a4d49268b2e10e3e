"""A verified publisher registers an app with its manifest: every culprit of a manifest
refused is named and nothing is kept; the app's secret is shown once and kept only as its
digest; a rotated secret works on for its overlap. An app is seen by its publisher and the
platform's admins, and by nobody else."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from typing import Any

import pytest

from miniapps.open_platform.credentials import secret_works
from miniapps.open_platform.tables import AppSecret, AppVersion, OpenApp
from tests.conftest import Client, TokenForPhone
from tests.miniapps.open_platform.publishing import (
    APP,
    CREDIT_CODES,
    DEVELOPER,
    PLATFORM,
    RESIDENT,
    Person,
    icon,
    manifest,
    new_developer,
    png,
    registered_app,
    someone,
    verified_publisher,
)


async def _publishing(client: Client, token_for_phone: TokenForPhone) -> tuple[Person, Person]:
    developer = await someone(client, token_for_phone, DEVELOPER)
    platform = await someone(client, token_for_phone, PLATFORM)
    await verified_publisher(client, developer, platform)
    return developer, platform


async def test_an_app_gets_credentials_whose_secret_is_shown_once(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    developer, platform = await _publishing(client, token_for_phone)
    registered = await registered_app(client, developer)
    app_id, secret = registered["app"]["app_id"], registered["credentials"]["secret"]
    assert app_id.startswith("yx")
    assert len(app_id) == 18
    assert len(secret) >= 40
    assert registered["credentials"]["previous_until"] is None

    kept = await AppSecret.select(AppSecret.digest).where(AppSecret.app_id == app_id)
    assert kept == [{"digest": hashlib.sha256(secret.encode()).hexdigest()}]
    for reader in (developer, platform):
        seen = await client.get(f"{APP}/apps/{app_id}", headers=reader.headers)
        assert seen.status_code == 200, seen.text
        assert secret not in seen.text
        assert seen.json()["secrets"] == 1
    assert await secret_works(app_id, secret)
    assert not await secret_works(app_id, secret[:-1] + ("A" if secret[-1] != "A" else "B"))

    [first] = (await client.get(f"{APP}/apps/{app_id}/versions", headers=developer.headers)).json()[
        "items"
    ]
    assert (first["id"], first["number"], first["status"]) == (registered["version_id"], 1, "draft")
    assert first["manifest"]["entry_url"] == manifest()["entry_url"]


async def test_a_rotated_secret_works_on_for_the_overlap_and_then_not(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    developer, platform = await _publishing(client, token_for_phone)
    registered = await registered_app(client, developer)
    app_id, old = registered["app"]["app_id"], registered["credentials"]["secret"]

    refused = await client.post(f"{APP}/apps/{app_id}/secret", headers=platform.headers)
    assert refused.status_code == 403
    assert refused.json()["code"] == "open_not_your_app"
    rotated = await client.post(f"{APP}/apps/{app_id}/secret", headers=developer.headers)
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()["secret"]
    until = dt.datetime.fromisoformat(rotated.json()["previous_until"])
    assert dt.timedelta(hours=23) < until - dt.datetime.now(dt.UTC) <= dt.timedelta(hours=24)
    assert await secret_works(app_id, old)
    assert await secret_works(app_id, new)
    assert (await client.get(f"{APP}/apps/{app_id}", headers=developer.headers)).json()[
        "secrets"
    ] == 2

    # The overlap over: the old secret retired, the new one still works.
    await AppSecret.update({AppSecret.retires_at: dt.datetime.now(dt.UTC)}).where(
        AppSecret.retires_at.is_not_null()
    )
    assert not await secret_works(app_id, old)
    assert await secret_works(app_id, new)
    assert (await client.get(f"{APP}/apps/{app_id}", headers=developer.headers)).json()[
        "secrets"
    ] == 1


async def test_an_app_waits_for_its_publisher_to_be_verified(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    developer = await someone(client, token_for_phone, DEVELOPER)
    none_yet = await client.post(
        f"{APP}/apps", json={"label": "1.0.0", "manifest": manifest()}, headers=developer.headers
    )
    assert none_yet.status_code == 404
    assert none_yet.json()["code"] == "open_publisher_not_found"
    await client.post(
        f"{APP}/publishers",
        json={"name": "郑州地铁集团", "credit_code": CREDIT_CODES[0], "contact_email": "a@b.cn"},
        headers=developer.headers,
    )
    waiting = await client.post(
        f"{APP}/apps", json={"label": "1.0.0", "manifest": manifest()}, headers=developer.headers
    )
    assert waiting.status_code == 409
    assert waiting.json()["code"] == "open_publisher_unverified"
    assert await OpenApp.count() == 0


OURS = manifest()["allowed_domains"]
BAD_MANIFESTS: list[tuple[str, dict[str, Any], str, str]] = [
    ("http", {"entry_url": "http://h5.metro.example.com/"}, "manifest.entry_url", "https"),
    ("ip entry", {"entry_url": "https://10.0.0.8/app"}, "manifest.entry_url", "IP"),
    ("port", {"entry_url": "https://h5.metro.example.com:8443/"}, "manifest.entry_url", "port"),
    ("user", {"entry_url": "https://me@h5.metro.example.com/"}, "manifest.entry_url", "user"),
    ("elsewhere", {"entry_url": "https://evil.example.net/"}, "manifest.entry_url", "allowed"),
    ("ip domain", {"allowed_domains": [*OURS, "10.0.0.8"]}, "manifest.allowed_domains", "IP"),
    ("ipv6 domain", {"allowed_domains": [*OURS, "[::1]"]}, "manifest.allowed_domains", "IP"),
    (
        "port domain",
        {"allowed_domains": [*OURS, "a.example.com:8443"]},
        "manifest.allowed_domains",
        "port",
    ),
    (
        "upper domain",
        {"allowed_domains": [*OURS, "A.example.com"]},
        "manifest.allowed_domains",
        "lower case",
    ),
    (
        "hook http",
        {"webhook": {"url": "http://api.metro.example.com/h", "events": ["consent.revoked"]}},
        "manifest.webhook.url",
        "https",
    ),
    (
        "big icon",
        {"icon": base64.b64encode(png(96).ljust(64 * 1024 + 1, b"\x00")).decode()},
        "manifest.icon",
        "larger",
    ),
    ("wide icon", {"icon": base64.b64encode(png(96, 48)).decode()}, "manifest.icon", "square"),
    ("tiny icon", {"icon": icon(16)}, "manifest.icon", "48 to 512"),
    (
        "not png",
        {"icon": base64.b64encode(b"GIF89a" + b"\x00" * 40).decode()},
        "manifest.icon",
        "PNG",
    ),
    (
        "blank in url",
        {"entry_url": "https://h5.metro.exa\nmple.com/"},
        "manifest.entry_url",
        "blanks",
    ),
    (
        "leading blank",
        {"entry_url": " https://h5.metro.example.com/"},
        "manifest.entry_url",
        "blanks",
    ),
    ("empty port", {"entry_url": "https://h5.metro.example.com:/"}, "manifest.entry_url", "port"),
    (
        "newline domain",
        {"allowed_domains": [*OURS, "a.example.com\n"]},
        "manifest.allowed_domains",
        "lower case",
    ),
    (
        "fake png",
        {
            "icon": base64.b64encode(
                png(96)[:8] + b"\xff\xff\xff\xffIHDR" + png(96)[16:29] + b"<script>" + png(96)[-12:]
            ).decode()
        },
        "manifest.icon",
        "PNG",
    ),
    ("not base64", {"icon": "not*base64*at*all"}, "manifest.icon", "base64"),
    (
        "data twice",
        {
            "data": [
                {"field": "name", "purpose": "实名乘车"},
                {"field": "name", "purpose": "再问一次"},
            ]
        },
        "manifest.data[1].field",
        "twice",
    ),
    ("data unread", {"permissions": []}, "manifest.data", "profile.read"),
]


@pytest.mark.parametrize(
    ("changes", "culprit", "says"),
    [c[1:] for c in BAD_MANIFESTS],
    ids=[c[0] for c in BAD_MANIFESTS],
)
async def test_a_manifest_refused_names_its_culprit_and_nothing_is_kept(
    client: Client, token_for_phone: TokenForPhone, changes: dict[str, Any], culprit: str, says: str
) -> None:
    developer, _ = await _publishing(client, token_for_phone)
    refused = await client.post(
        f"{APP}/apps",
        json={"label": "1.0.0", "manifest": manifest(**changes)},
        headers=developer.headers,
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "open_manifest_invalid"
    [error] = refused.json()["errors"]
    assert error["field"] == culprit
    assert says in error["message"]
    assert await OpenApp.count() == 0
    assert await AppSecret.count() == 0
    assert await AppVersion.count() == 0


@pytest.mark.parametrize(
    ("changes", "culprit"),
    [
        ({"permissions": ["profile.read", "location.track"]}, "manifest.permissions[1]"),
        ({"names": {"zh-CN": "名" * 21}}, "manifest.names.zh-CN"),
        ({"names": {"en": "Metro"}}, "manifest.names.zh-CN"),
        ({"target_roles": ["emperor"]}, "manifest.target_roles[0]"),
        ({"data": [{"field": "bank_card", "purpose": "扣款"}]}, "manifest.data[0].field"),
        ({"id": "Metro Card"}, "manifest.id"),
        ({"id": "metro-card\n"}, "manifest.id"),
        ({"icon": "A" * 90000}, "manifest.icon"),
    ],
)
async def test_a_manifest_of_the_wrong_shape_is_a_400_naming_its_field(
    client: Client, token_for_phone: TokenForPhone, changes: dict[str, Any], culprit: str
) -> None:
    developer, _ = await _publishing(client, token_for_phone)
    refused = await client.post(
        f"{APP}/apps",
        json={"label": "1.0.0", "manifest": manifest(**changes)},
        headers=developer.headers,
    )
    assert refused.status_code == 400, refused.text
    assert refused.json()["errors"][0]["field"] == culprit
    assert await OpenApp.count() == 0


async def test_every_culprit_is_named_at_once(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    developer, _ = await _publishing(client, token_for_phone)
    refused = await client.post(
        f"{APP}/apps",
        json={
            "label": "1.0.0",
            "manifest": manifest(entry_url="http://h5.metro.example.com/", icon=icon(16)),
        },
        headers=developer.headers,
    )
    assert {e["field"] for e in refused.json()["errors"]} == {"manifest.entry_url", "manifest.icon"}


async def test_an_app_id_is_the_apps_alone(client: Client, token_for_phone: TokenForPhone) -> None:
    developer, platform = await _publishing(client, token_for_phone)
    other = await new_developer(client, token_for_phone, platform, "13900000102")
    await verified_publisher(client, other, platform, CREDIT_CODES[1])
    await registered_app(client, developer)
    taken = await client.post(
        f"{APP}/apps", json={"label": "1.0.0", "manifest": manifest()}, headers=other.headers
    )
    assert taken.status_code == 409
    assert taken.json()["code"] == "open_slug_taken"
    assert await OpenApp.count() == 1
    assert await AppSecret.count() == 1


async def test_nobody_else_knows_of_an_app(client: Client, token_for_phone: TokenForPhone) -> None:
    developer, platform = await _publishing(client, token_for_phone)
    other = await new_developer(client, token_for_phone, platform, "13900000103")
    await verified_publisher(client, other, platform, CREDIT_CODES[1])
    resident = await someone(client, token_for_phone, RESIDENT)
    registered = await registered_app(client, developer)
    app_id = registered["app"]["app_id"]
    for stranger in (other, resident):
        for path in (f"{APP}/apps/{app_id}", f"{APP}/apps/{app_id}/versions"):
            seen = await client.get(path, headers=stranger.headers)
            assert seen.status_code == 404
            assert seen.json()["code"] == "open_app_not_found"
        rotated = await client.post(f"{APP}/apps/{app_id}/secret", headers=stranger.headers)
        assert rotated.status_code == 404
        version = await client.get(
            f"{APP}/versions/{registered['version_id']}", headers=stranger.headers
        )
        assert version.status_code == 404
        assert version.json()["code"] == "open_version_not_found"
    assert (await client.get(f"{APP}/apps/mine", headers=other.headers)).json() == {"items": []}
    assert await AppSecret.count() == 1


async def test_two_rotations_leave_two_secrets_working(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    developer, _ = await _publishing(client, token_for_phone)
    registered = await registered_app(client, developer)
    app_id, first = registered["app"]["app_id"], registered["credentials"]["secret"]
    second = (await client.post(f"{APP}/apps/{app_id}/secret", headers=developer.headers)).json()
    third = (await client.post(f"{APP}/apps/{app_id}/secret", headers=developer.headers)).json()
    assert not await secret_works(app_id, first)
    assert await secret_works(app_id, second["secret"])
    assert await secret_works(app_id, third["secret"])
    assert (await client.get(f"{APP}/apps/{app_id}", headers=developer.headers)).json()[
        "secrets"
    ] == 2
