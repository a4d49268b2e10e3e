"""PATCH /v1/me: a person sets their locale, elder mode and home, and nothing else; a
resident who signed up by one-time code sets a home and reports at once."""

from __future__ import annotations

from typing import Any

import pytest

from backend.directory.users.tables import UserAccount
from tests.conftest import Client, bearer
from tests.support import RecordingSms

NEW_PHONE = "13912340000"
C03 = "zz/gx/fengyang/c03"
G07 = f"{C03}/g07"
G08 = f"{C03}/g08"
IN_G07 = {"lat": 34.805, "lon": 113.555}  # inside the demo polygon of grid g07
IN_G08 = {"lat": 34.805, "lon": 113.565}
OUTSIDE_THE_CITY = {"lat": 39.9, "lon": 116.4}
EVENTS = "/v1/miniapps/grid_events/events"
VENDING = {"category": "street_vending", "description": "小区门口占道经营"}


async def _sign_up(client: Client, sms: RecordingSms, phone: str = NEW_PHONE) -> dict[str, str]:
    """A new resident by one-time code: an account with no home."""
    sent = await client.post("/v1/auth/otp", json={"phone": phone})
    assert sent.status_code == 202, sent.text
    login = await client.post(
        "/v1/auth/login", json={"phone": phone, "code": await sms.last_code(phone)}
    )
    assert login.status_code == 200, login.text
    return dict(login.json())


async def _profile_row(user_id: int) -> dict[str, Any]:
    row = await UserAccount.select().where(UserAccount.id == user_id).first()
    assert row is not None
    return row


async def _user_id(client: Client, token: str) -> int:
    return int((await client.get("/v1/me", headers=bearer(token))).json()["user_id"])


async def test_a_new_resident_sets_a_home_and_reports_at_once(
    client: Client, sms: RecordingSms, demo: None
) -> None:
    token = (await _sign_up(client, sms))["access_token"]
    homeless = await client.post(EVENTS, json=VENDING, headers=bearer(token))
    assert homeless.status_code == 422, homeless.text
    assert homeless.json()["code"] == "event_needs_place"

    saved = await client.patch("/v1/me", json={"home": {"path": C03}}, headers=bearer(token))
    assert saved.status_code == 200, saved.text
    assert saved.json()["home"] == C03
    assert saved.json()["scope"]["resident"] == [C03]
    assert saved.json()["token_outdated"] is True

    # The same token, which carries no home: the report reads the home from the directory.
    unplaced = await client.post(EVENTS, json=VENDING, headers=bearer(token))
    assert unplaced.status_code == 201, unplaced.text
    assert unplaced.json()["grid_path"] == C03  # the community's desk: the home is no grid
    placed = await client.post(EVENTS, json={**VENDING, **IN_G08}, headers=bearer(token))
    assert placed.status_code == 201, placed.text
    assert placed.json()["grid_path"] == G08
    for event in (unplaced.json(), placed.json()):
        followed = await client.get(f"{EVENTS}/{event['id']}", headers=bearer(token))
        assert followed.status_code == 200, followed.text


async def test_a_home_is_chosen_once_and_the_choice_is_audited(
    client: Client, sms: RecordingSms, demo: None
) -> None:
    from backend.directory.users.tables import AuditEntry

    token = (await _sign_up(client, sms))["access_token"]
    saved = await client.patch("/v1/me", json={"home": {"path": G07}}, headers=bearer(token))
    assert saved.status_code == 200, saved.text
    user_id = saved.json()["user_id"]
    again = await client.patch("/v1/me", json={"home": IN_G07}, headers=bearer(token))
    assert again.status_code == 200, again.text  # the same home again is no move

    moved = await client.patch(
        "/v1/me", json={"home": {"path": G08}, "locale": "en"}, headers=bearer(token)
    )
    assert moved.status_code == 409, moved.text
    assert moved.json()["code"] == "home_already_set"
    assert [e["field"] for e in moved.json()["errors"]] == ["home"]
    row = await _profile_row(user_id)
    assert (row["home_path"], row["locale"]) == (G07, None)  # nothing of the request written
    audited = (
        await AuditEntry.select(AuditEntry.action, AuditEntry.detail)
        .where(AuditEntry.subject_id == user_id)
        .output(load_json=True)
    )
    assert [(a["action"], a["detail"]) for a in audited] == [("home.set", {"home": G07})] * 2


async def test_a_home_placed_by_a_point_is_the_grid_that_holds_it(
    client: Client, sms: RecordingSms, demo: None
) -> None:
    token = (await _sign_up(client, sms))["access_token"]
    saved = await client.patch("/v1/me", json={"home": IN_G07}, headers=bearer(token))
    assert saved.status_code == 200, saved.text
    assert saved.json()["home"] == G07
    row = await _profile_row(saved.json()["user_id"])
    assert row["home_path"] == G07
    reported = await client.post(EVENTS, json=VENDING, headers=bearer(token))
    assert reported.status_code == 201, reported.text
    assert reported.json()["grid_path"] == G07


async def test_the_refreshed_token_carries_the_profile(
    client: Client, sms: RecordingSms, demo: None
) -> None:
    pair = await _sign_up(client, sms)
    change = {"locale": "en", "elder_mode": True, "home": {"path": G07}}
    saved = await client.patch("/v1/me", json=change, headers=bearer(pair["access_token"]))
    assert saved.status_code == 200, saved.text
    assert saved.json()["token_outdated"] is True
    stale = (await client.get("/v1/me", headers=bearer(pair["access_token"]))).json()
    assert (stale["locale"], stale["elder_mode"], stale["home"]) == (None, False, None)

    fresh = await client.post("/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    token = fresh.json()["access_token"]
    me = (await client.get("/v1/me", headers=bearer(token))).json()
    assert (me["locale"], me["elder_mode"], me["home"]) == ("en", True, G07)
    assert me["scope"] == {"resident": [G07]}
    again = await client.patch("/v1/me", json={"elder_mode": True}, headers=bearer(token))
    assert again.json()["token_outdated"] is False
    launcher = (await client.get("/v1/launcher", headers=bearer(token))).json()
    assert (launcher["locale"], launcher["elder_mode"]) == ("en", True)


async def test_a_locale_can_be_unset(client: Client, sms: RecordingSms, demo: None) -> None:
    token = (await _sign_up(client, sms))["access_token"]
    await client.patch("/v1/me", json={"locale": "en"}, headers=bearer(token))
    unset = await client.patch("/v1/me", json={"locale": None}, headers=bearer(token))
    assert unset.status_code == 200, unset.text
    assert unset.json()["locale"] is None
    assert (await _profile_row(unset.json()["user_id"]))["locale"] is None


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"locale": "fr"}, 400, "validation_failed", "locale"),
        ({"locale": ""}, 400, "validation_failed", "locale"),
        ({"elder_mode": "yes"}, 400, "validation_failed", "elder_mode"),
        ({"elder_mode": "true"}, 400, "validation_failed", "elder_mode"),
        ({"elder_mode": 1}, 400, "validation_failed", "elder_mode"),
        ({"elder_mode": None}, 400, "validation_failed", "elder_mode"),
        ({"home": {"path": "zz/gx"}}, 422, "org_unit_unknown", "home.path"),
        ({"home": {"path": f"{C03}/g99"}}, 422, "org_unit_unknown", "home.path"),
        ({"home": {"path": "ZZ/../gx"}}, 400, "validation_failed", "home.path"),
        ({"home": OUTSIDE_THE_CITY}, 422, "home_in_no_grid", "home"),
        ({"home": {"lat": 91, "lon": 113.555}}, 400, "validation_failed", "home.lat"),
        ({"home": {"lat": "34.805", "lon": 113.555}}, 400, "validation_failed", "home.lat"),
        ({"home": {"lat": 34.805}}, 422, "home_invalid", "home.lon"),
        ({"home": {"path": C03, **IN_G07}}, 422, "home_invalid", "home"),
        ({"home": {}}, 422, "home_invalid", "home"),
        ({"home": None}, 400, "validation_failed", "home"),
        ({"home": {"path": C03, "grid": G07}}, 400, "validation_failed", "home.grid"),
    ],
)
async def test_bad_input_is_refused_naming_the_field_and_writes_nothing(
    client: Client,
    sms: RecordingSms,
    demo: None,
    body: dict[str, Any],
    status: int,
    code: str,
    field: str,
) -> None:
    token = (await _sign_up(client, sms))["access_token"]
    user_id = await _user_id(client, token)
    before = await _profile_row(user_id)
    # A good field beside the bad one: all of the change is refused, not just the bad part.
    response = await client.patch(
        "/v1/me", json={"elder_mode": True, **body}, headers=bearer(token)
    )
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["code"] == code
    assert field in [e["field"] for e in problem["errors"]]
    assert await _profile_row(user_id) == before


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"roles": ["platform_admin"]}, "roles"),
        ({"scope": {"platform_admin": ["zz"]}}, "scope"),
        ({"phone": "13800000007"}, "phone"),
        ({"name": "平台管理员"}, "name"),
        ({"id_card": "41010519900307001X"}, "id_card"),
        ({"home_path": G07}, "home_path"),
        ({"active": False}, "active"),
    ],
)
async def test_identity_and_roles_cannot_be_set(
    client: Client, sms: RecordingSms, demo: None, body: dict[str, Any], named: str
) -> None:
    token = (await _sign_up(client, sms))["access_token"]
    user_id = await _user_id(client, token)
    before = await _profile_row(user_id)
    response = await client.patch("/v1/me", json={"locale": "en", **body}, headers=bearer(token))
    assert response.status_code == 400, response.text
    problem = response.json()
    assert problem["code"] == "validation_failed"
    assert any(f"`{named}`" in e["message"] for e in problem["errors"])
    assert await _profile_row(user_id) == before


async def test_a_body_that_is_no_object_is_refused(
    client: Client, sms: RecordingSms, demo: None
) -> None:
    token = (await _sign_up(client, sms))["access_token"]
    for body in ([], "en", None):
        response = await client.patch("/v1/me", json=body, headers=bearer(token))
        assert response.status_code == 400, response.text


async def test_the_profile_needs_a_login(client: Client) -> None:
    response = await client.patch("/v1/me", json={"locale": "en"})
    assert response.status_code == 401
