"""An app's versions go through review one at a time: its publisher drafts, submits and
withdraws; a platform admin approves or rejects saying why, reading what changed since the
last approved version and whether the new one asks for more."""

from __future__ import annotations

import asyncio
from typing import Any

from miniapps.open_platform.tables import AppVersion
from tests.conftest import Client, TokenForPhone
from tests.miniapps.open_platform.publishing import (
    APP,
    DEVELOPER,
    PLATFORM,
    Person,
    manifest,
    registered_app,
    someone,
    verified_publisher,
)


async def _app(
    client: Client, token_for_phone: TokenForPhone
) -> tuple[Person, Person, dict[str, Any]]:
    developer = await someone(client, token_for_phone, DEVELOPER)
    platform = await someone(client, token_for_phone, PLATFORM)
    await verified_publisher(client, developer, platform)
    return developer, platform, await registered_app(client, developer)


async def _draft(client: Client, developer: Person, app_id: str, label: str, **changes: Any) -> int:
    made = await client.post(
        f"{APP}/apps/{app_id}/versions",
        json={"label": label, "manifest": manifest(**changes)},
        headers=developer.headers,
    )
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


async def test_a_version_is_reviewed_against_the_last_approved_one(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    developer, platform, registered = await _app(client, token_for_phone)
    app_id, first = registered["app"]["app_id"], registered["version_id"]

    submitted = await client.post(f"{APP}/versions/{first}/submission", headers=developer.headers)
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["status"] == "in_review"
    [item] = (await client.get(f"{APP}/reviews", headers=platform.headers)).json()["items"]
    assert (item["version"]["id"], item["against"], item["asks_more"]) == (first, None, True)
    assert item["publisher"] == "郑州地铁集团"
    assert {c["field"] for c in item["changes"]} >= {"entry_url", "permissions", "data"}

    silent = await client.post(
        f"{APP}/versions/{first}/review", json={"approved": False}, headers=platform.headers
    )
    assert silent.status_code == 422
    assert silent.json()["code"] == "open_reason_required"
    approved = await client.post(
        f"{APP}/versions/{first}/review", json={"approved": True}, headers=platform.headers
    )
    assert approved.json()["status"] == "approved"

    renamed = await _draft(client, developer, app_id, "1.1.0", names={"zh-CN": "郑州地铁乘车码"})
    await client.post(f"{APP}/versions/{renamed}/submission", headers=developer.headers)
    [item] = (await client.get(f"{APP}/reviews", headers=platform.headers)).json()["items"]
    assert (item["against"], item["asks_more"]) == (first, False)
    assert item["changes"] == [
        {
            "field": "names",
            "was": {"zh-CN": "郑州地铁", "en": "Zhengzhou Metro"},
            "now": {"zh-CN": "郑州地铁乘车码"},
        }
    ]
    rejected = await client.post(
        f"{APP}/versions/{renamed}/review",
        json={"approved": False, "reason": "名称须与服务内容一致"},
        headers=platform.headers,
    )
    assert (rejected.json()["status"], rejected.json()["reason"]) == (
        "rejected",
        "名称须与服务内容一致",
    )

    asks_phone = await _draft(
        client,
        developer,
        app_id,
        "1.2.0",
        data=[
            {"field": "phone", "purpose": "到站提醒短信"},
            {"field": "name", "purpose": "实名办理乘车码"},
        ],
    )
    await client.post(f"{APP}/versions/{asks_phone}/submission", headers=developer.headers)
    [item] = (await client.get(f"{APP}/reviews", headers=platform.headers)).json()["items"]
    assert (item["against"], item["asks_more"]) == (first, True)
    assert [c["field"] for c in item["changes"]] == ["data"]


async def test_one_version_is_in_review_at_a_time(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    developer, platform, registered = await _app(client, token_for_phone)
    app_id, first = registered["app"]["app_id"], registered["version_id"]
    second = await _draft(client, developer, app_id, "1.0.1")
    await client.post(f"{APP}/versions/{first}/submission", headers=developer.headers)

    waiting = await client.post(f"{APP}/versions/{second}/submission", headers=developer.headers)
    assert waiting.status_code == 409
    assert waiting.json()["code"] == "open_review_pending"
    twice = await client.post(f"{APP}/versions/{first}/submission", headers=developer.headers)
    assert twice.status_code == 409
    assert twice.json()["code"] == "open_version_state"

    withdrawn = await client.post(f"{APP}/versions/{first}/withdrawal", headers=developer.headers)
    assert withdrawn.json()["status"] == "withdrawn"
    assert (
        await client.post(f"{APP}/versions/{second}/submission", headers=developer.headers)
    ).status_code == 200
    late = await client.post(
        f"{APP}/versions/{first}/review", json={"approved": True}, headers=platform.headers
    )
    assert late.status_code == 409
    assert late.json()["code"] == "open_version_state"
    statuses = await AppVersion.select(AppVersion.number, AppVersion.status).order_by(
        AppVersion.number
    )
    assert statuses == [
        {"number": 1, "status": "withdrawn"},
        {"number": 2, "status": "in_review"},
    ]


async def test_two_submissions_at_once_put_one_version_in_review(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    developer, _, registered = await _app(client, token_for_phone)
    app_id, first = registered["app"]["app_id"], registered["version_id"]
    second = await _draft(client, developer, app_id, "1.0.1")
    answers = await asyncio.gather(
        *(
            client.post(f"{APP}/versions/{version}/submission", headers=developer.headers)
            for version in (first, second)
        )
    )
    assert sorted(a.status_code for a in answers) == [200, 409]
    assert await AppVersion.count().where(AppVersion.status == "in_review") == 1


async def test_a_later_version_keeps_the_apps_id_and_is_checked_as_the_first(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    developer, platform, registered = await _app(client, token_for_phone)
    app_id = registered["app"]["app_id"]
    renamed = await client.post(
        f"{APP}/apps/{app_id}/versions",
        json={
            "label": "2.0.0",
            "manifest": manifest("metro-pass", entry_url="http://h5.metro.example.com/"),
        },
        headers=developer.headers,
    )
    assert renamed.status_code == 422
    assert {e["field"] for e in renamed.json()["errors"]} == {"manifest.id", "manifest.entry_url"}
    by_platform = await client.post(
        f"{APP}/apps/{app_id}/versions",
        json={"label": "2.0.0", "manifest": manifest()},
        headers=platform.headers,
    )
    assert by_platform.status_code == 403
    assert by_platform.json()["code"] == "open_not_your_app"
    for step in ("submission", "withdrawal"):
        refused = await client.post(
            f"{APP}/versions/{registered['version_id']}/{step}", headers=platform.headers
        )
        assert refused.status_code == 403
    assert await AppVersion.count() == 1


async def test_an_older_draft_sent_late_is_compared_with_what_it_would_replace(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    developer, platform, registered = await _app(client, token_for_phone)
    app_id, first = registered["app"]["app_id"], registered["version_id"]
    id_card = [{"field": "id_card", "purpose": "实名核验乘车身份"}]
    older = await _draft(client, developer, app_id, "1.1.0", data=id_card)
    newer = await _draft(client, developer, app_id, "1.2.0")
    for version in (newer,):
        await client.post(f"{APP}/versions/{version}/submission", headers=developer.headers)
        await client.post(
            f"{APP}/versions/{version}/review", json={"approved": True}, headers=platform.headers
        )
    await client.post(f"{APP}/versions/{older}/submission", headers=developer.headers)
    [item] = (await client.get(f"{APP}/reviews", headers=platform.headers)).json()["items"]
    assert (item["version"]["id"], item["against"], item["asks_more"]) == (older, newer, True)
    assert [c["field"] for c in item["changes"]] == ["data"]
    assert first != newer
