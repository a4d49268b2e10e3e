"""A draft: saved a part at a time without required fields, picked up on another device,
held to its form field by field, its prefilled answers as the licence says, and its own
applicant's alone."""

from __future__ import annotations

from typing import Any

import pytest

from backend.kernel.db import json_value
from tests.conftest import Client, TokenForPhone, bearer
from tests.miniapps.gov_services.applying_support import (
    APP,
    NEIGHBOUR,
    application_row,
    counts,
    publish,
    start,
)

SENIOR = "senior_preferential_card"
MOTHER = "13800000002"  # 王家属, 69, with an identity card


async def _draft(client: Client, token_for_phone: TokenForPhone) -> tuple[str, dict[str, Any]]:
    await publish(SENIOR)
    token = await token_for_phone(MOTHER)
    return token, await start(client, token, SENIOR)


async def test_a_draft_is_saved_without_its_required_answers_and_resumed_elsewhere(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    token, draft = await _draft(client, token_for_phone)
    saved = await client.put(
        f"{APP}/applications/{draft['id']}/answers",
        json={"answers": {"phone": "13800000002"}},
        headers={**bearer(token), "If-Match": f'"{draft["version"]}"'},
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["version"] == draft["version"] + 1
    assert saved.json()["answers"] == {**draft["answers"], "phone": "13800000002"}

    other_device = await token_for_phone(MOTHER)  # another login, another token
    resumed = await client.get(f"{APP}/applications/{draft['id']}", headers=bearer(other_device))
    assert resumed.status_code == 200
    assert resumed.json()["answers"] == saved.json()["answers"]
    assert resumed.headers["etag"] == f'"{draft["version"] + 1}"'


async def test_bad_answers_are_refused_by_pointer_and_change_nothing(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    token, draft = await _draft(client, token_for_phone)
    before = await counts()
    answer = await client.put(
        f"{APP}/applications/{draft['id']}/answers",
        json={"answers": {"phone": "12", "collect_method": "快递"}},
        headers=bearer(token),
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == "answers_invalid"
    assert {e["field"] for e in answer.json()["errors"]} == {
        "/answers/phone",
        "/answers/collect_method",
    }
    assert await counts() == before
    assert (await application_row(draft["id"]))["version"] == draft["version"]


async def test_a_field_hidden_by_a_rule_is_dropped(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    token, draft = await _draft(client, token_for_phone)
    answer = await client.put(
        f"{APP}/applications/{draft['id']}/answers",
        json={"answers": {"collect_method": "窗口领取", "mailing_address": "郑州市高新区某路1号"}},
        headers=bearer(token),
    )
    assert answer.status_code == 200, answer.text
    assert "mailing_address" not in answer.json()["answers"]


async def test_a_prefilled_answer_cannot_be_edited_and_is_kept_when_left_out(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    token, draft = await _draft(client, token_for_phone)
    before = await counts()
    edited = await client.put(
        f"{APP}/applications/{draft['id']}/answers",
        json={"answers": {"applicant_name": "王某某"}},
        headers=bearer(token),
    )
    assert edited.status_code == 422, edited.text
    assert [e["field"] for e in edited.json()["errors"]] == ["/answers/applicant_name"]
    assert await counts() == before
    kept = await client.put(
        f"{APP}/applications/{draft['id']}/answers",
        json={"answers": {"phone": "13800000002"}},
        headers=bearer(token),
    )
    assert kept.json()["answers"]["applicant_name"] == "王家属"


async def test_a_save_from_a_stale_version_is_412(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    token, draft = await _draft(client, token_for_phone)
    path = f"{APP}/applications/{draft['id']}/answers"
    first = await client.put(
        path, json={"answers": {"phone": "13800000002"}}, headers=bearer(token)
    )
    assert first.status_code == 200
    before = await counts()
    stale = await client.put(
        path,
        json={"answers": {"phone": "13900000000"}},
        headers={**bearer(token), "If-Match": f'"{draft["version"]}"'},
    )
    assert stale.status_code == 412, stale.text
    assert stale.json()["code"] == "application_changed"
    assert await counts() == before
    assert json_value((await application_row(draft["id"]))["answers"]) == first.json()["answers"]


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("GET", "", None),
        ("GET", "/progress", None),
        ("PUT", "/answers", {"answers": {"phone": "13800000003"}}),
        ("POST", "/submit", None),
        ("POST", "/withdraw", {}),
        ("POST", "/materials/commitments", {"material_code": "photo", "signed": True}),
    ],
)
async def test_another_residents_application_does_not_exist_for_them(
    client: Client, token_for_phone: TokenForPhone, method: str, suffix: str, body: Any
) -> None:
    _, draft = await _draft(client, token_for_phone)
    before = await counts()
    answer = await client.request(
        method,
        f"{APP}/applications/{draft['id']}{suffix}",
        json=body,
        headers=bearer(await token_for_phone(NEIGHBOUR)),
    )
    assert answer.status_code == 404, answer.text
    assert answer.json()["code"] == "application_not_found"
    assert await counts() == before
    assert (await application_row(draft["id"]))["version"] == draft["version"]
