"""Every push route against what a careless client or an attacker sends: each is a 4xx
problem with a stable code, and no device, inbox item or preference changes. Nobody acts
on another's device or inbox item, nobody signed out on anything, and only a platform
admin reads delivery reports."""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec
import pytest

from backend.kernel.audience import Audience
from backend.kernel.roles import Role
from push.tables import Device, InboxItem, Notification, Preference
from tests.conftest import Client, TokenFor, bearer
from tests.push.helpers import NEWS, settled, tell

BIG = 2**63
RANDOM_HEX = "".join(hashlib.sha256(b"%d" % n).hexdigest() for n in range(64))  # incompressible
PHONE = {"address": "token-mine-0001", "platform": "android", "app_version": "5.1.0"}


def _cursor(raw: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


class Case(msgspec.Struct, frozen=True):
    method: str
    path: str
    status: int
    code: str
    body: Any = msgspec.UNSET
    raw: bytes | None = None
    params: dict[str, str] | None = None


DEVICE = "/v1/devices"
PREFS = "/v1/push/preferences"
CASES = {
    # the body of a registration
    "device no body": Case("POST", DEVICE, 400, "validation_failed", raw=b""),
    "device not json": Case("POST", DEVICE, 400, "body_not_json", raw=b"{address"),
    "device a list": Case("POST", DEVICE, 400, "validation_failed", body=[]),
    "device null": Case("POST", DEVICE, 400, "validation_failed", body=None),
    "device empty": Case("POST", DEVICE, 400, "validation_failed", body={}),
    "unknown platform": Case(
        "POST", DEVICE, 400, "validation_failed", body={**PHONE, "platform": "symbian"}
    ),
    "platform a number": Case(
        "POST", DEVICE, 400, "validation_failed", body={**PHONE, "platform": 1}
    ),
    "unknown address kind": Case(
        "POST", DEVICE, 400, "validation_failed", body={**PHONE, "kind": "email"}
    ),
    "address a number": Case(
        "POST", DEVICE, 400, "validation_failed", body={**PHONE, "address": 12345678901}
    ),
    "address too short": Case(
        "POST", DEVICE, 400, "validation_failed", body={**PHONE, "address": "x"}
    ),
    "address with spaces": Case(
        "POST", DEVICE, 400, "validation_failed", body={**PHONE, "address": "a b c d e f g"}
    ),
    # an index entry holds at most 2704 bytes on PostgreSQL: longer addresses failed there
    "address oversized": Case(
        "POST", DEVICE, 400, "validation_failed", body={**PHONE, "address": RANDOM_HEX[:4096]}
    ),
    "address in hanzi": Case(
        "POST", DEVICE, 400, "validation_failed", body={**PHONE, "address": "令牌" * 500}
    ),
    "address with a NUL": Case(
        "POST", DEVICE, 400, "text_has_nul", body={**PHONE, "address": "token\x00-0001"}
    ),
    "version oversized": Case(
        "POST", DEVICE, 400, "validation_failed", body={**PHONE, "app_version": "5" * 33}
    ),
    # PostgreSQL's text holds no NUL: this reached the driver
    "version with a NUL": Case(
        "POST", DEVICE, 400, "text_has_nul", body={**PHONE, "app_version": "5.1\x00"}
    ),
    "version a number": Case(
        "POST", DEVICE, 400, "validation_failed", body={**PHONE, "app_version": 5}
    ),
    "unknown locale": Case(
        "POST", DEVICE, 400, "validation_failed", body={**PHONE, "locale": "fr"}
    ),
    # device ids
    "device id zero": Case("DELETE", f"{DEVICE}/0", 400, "validation_failed"),
    "device id negative": Case("DELETE", f"{DEVICE}/-1", 400, "validation_failed"),
    "device id past bigint": Case("DELETE", f"{DEVICE}/{BIG}", 400, "validation_failed"),
    "device id not a number": Case("DELETE", f"{DEVICE}/abc", 404, "not_found"),
    "no such device": Case("DELETE", f"{DEVICE}/{BIG - 1}", 404, "device_not_found"),
    # the inbox
    "limit zero": Case("GET", "/v1/inbox", 400, "validation_failed", params={"limit": "0"}),
    "limit huge": Case("GET", "/v1/inbox", 400, "validation_failed", params={"limit": "100000"}),
    "limit a word": Case("GET", "/v1/inbox", 400, "validation_failed", params={"limit": "ten"}),
    "cursor garbage": Case("GET", "/v1/inbox", 400, "cursor_invalid", params={"cursor": "!!~~"}),
    "cursor not an id": Case(
        "GET", "/v1/inbox", 400, "cursor_invalid", params={"cursor": _cursor(b"id:x")}
    ),
    "cursor of another kind": Case(
        "GET", "/v1/inbox", 400, "cursor_invalid", params={"cursor": _cursor(b"ts:5")}
    ),
    "cursor not utf-8": Case(
        "GET", "/v1/inbox", 400, "cursor_invalid", params={"cursor": _cursor(b"\xff\xfe")}
    ),
    "cursor past bigint": Case(
        "GET", "/v1/inbox", 400, "cursor_invalid", params={"cursor": _cursor(b"id:%d" % BIG)}
    ),
    "cursor oversized": Case(
        "GET", "/v1/inbox", 400, "cursor_invalid", params={"cursor": "A" * 201}
    ),
    "inbox id zero": Case("POST", "/v1/inbox/0/read", 400, "validation_failed"),
    "inbox id past bigint": Case("POST", f"/v1/inbox/{BIG}/read", 400, "validation_failed"),
    "no such inbox item": Case("POST", f"/v1/inbox/{BIG - 1}/read", 404, "inbox_item_not_found"),
    # preferences
    "prefs no body": Case("PUT", PREFS, 400, "validation_failed", raw=b""),
    "prefs not json": Case("PUT", PREFS, 400, "body_not_json", raw=b"{"),
    "prefs a list": Case("PUT", PREFS, 400, "validation_failed", body=[]),
    "quiet hours half given": Case(
        "PUT", PREFS, 400, "validation_failed", body={"quiet_hours": {"start": "22:00"}}
    ),
    "quiet hours past midnight": Case(
        "PUT",
        PREFS,
        400,
        "validation_failed",
        body={"quiet_hours": {"start": "24:00", "end": "07:00"}},
    ),
    "quiet hours numbers": Case(
        "PUT", PREFS, 400, "validation_failed", body={"quiet_hours": {"start": 22, "end": 7}}
    ),
    "muted a string": Case("PUT", PREFS, 400, "validation_failed", body={"muted_categories": "x"}),
    "muted too many": Case(
        "PUT",
        PREFS,
        400,
        "validation_failed",
        body={"muted_categories": [f"c{n}" for n in range(51)]},
    ),
    "muted oversized": Case(
        "PUT", PREFS, 400, "validation_failed", body={"muted_categories": ["c" * 33]}
    ),
    "muted with a NUL": Case(
        "PUT", PREFS, 400, "text_has_nul", body={"muted_categories": ["news\x00"]}
    ),
}


async def _snapshot() -> list[Any]:
    return [
        await table.select().order_by(table.id)
        for table in (Device, InboxItem, Preference, Notification)
    ]


@pytest.fixture
async def resident(client: Client, token_for: TokenFor) -> str:
    """A resident with a phone, a notification in the inbox and preferences set."""
    token = await token_for(Role.RESIDENT)
    assert (await client.post(DEVICE, json=PHONE, headers=bearer(token))).status_code == 201
    me = int((await client.get("/v1/me", headers=bearer(token))).json()["user_id"])
    await settled(await tell(Audience.users(me), NEWS))
    body = {"quiet_hours": {"start": "22:00", "end": "07:00"}, "muted_categories": ["news"]}
    assert (await client.put(PREFS, json=body, headers=bearer(token))).status_code == 200
    return token


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
async def test_bad_input_is_a_problem_and_changes_nothing(
    client: Client, resident: str, case: Case
) -> None:
    before = await _snapshot()
    headers = bearer(resident)
    if case.raw is not None:
        headers["Content-Type"] = "application/json"
    response = await client.request(
        case.method,
        case.path,
        headers=headers,
        params=case.params,
        content=case.raw,
        json=None if case.body is msgspec.UNSET else case.body,
    )
    assert response.status_code == case.status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == case.code
    assert await _snapshot() == before


async def test_anothers_device_and_inbox_item_are_not_found_and_untouched(
    client: Client, resident: str, token_for: TokenFor
) -> None:
    device = (await client.get(DEVICE, headers=bearer(resident))).json()["items"][0]["id"]
    item = (await client.get("/v1/inbox", headers=bearer(resident))).json()["items"][0]["id"]
    worker = await token_for(Role.GRID_WORKER)
    before = await _snapshot()
    for method, path, code in (
        ("DELETE", f"{DEVICE}/{device}", "device_not_found"),
        ("POST", f"/v1/inbox/{item}/read", "inbox_item_not_found"),
    ):
        response = await client.request(method, path, headers=bearer(worker))
        assert response.status_code == 404
        assert response.json()["code"] == code
    assert await _snapshot() == before
    assert (await client.get(DEVICE, headers=bearer(worker))).json()["items"] == []
    assert (await client.get("/v1/inbox", headers=bearer(worker))).json()["items"] == []


async def test_a_long_ascii_address_fits_on_every_engine(
    client: Client, token_for: TokenFor
) -> None:
    """The positive control of "address oversized": the longest address accepted is stored."""
    import secrets

    longest = secrets.token_urlsafe(1024)[:1024]
    response = await client.post(
        DEVICE, json={**PHONE, "address": longest}, headers=bearer(await token_for(Role.RESIDENT))
    )
    assert response.status_code == 201, response.text
    assert await Device.count().where(Device.address == longest) == 1


@pytest.mark.parametrize("path", ["deliveries", "failures"])
async def test_operator_views_of_no_notification_are_not_found(
    client: Client, token_for: TokenFor, path: str
) -> None:
    admin = bearer(await token_for(Role.PLATFORM_ADMIN))
    missing = await client.get(f"/v1/admin/notifications/{BIG - 1}/{path}", headers=admin)
    assert missing.status_code == 404
    assert missing.json()["code"] == "notification_not_found"
    for bad in ("0", str(BIG)):
        response = await client.get(f"/v1/admin/notifications/{bad}/{path}", headers=admin)
        assert response.status_code == 400
        assert response.json()["code"] == "validation_failed"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", DEVICE),
        ("GET", DEVICE),
        ("DELETE", f"{DEVICE}/1"),
        ("GET", "/v1/inbox"),
        ("POST", "/v1/inbox/1/read"),
        ("POST", "/v1/inbox/read-all"),
        ("GET", PREFS),
        ("PUT", PREFS),
        ("GET", "/v1/admin/notifications/1/deliveries"),
        ("GET", "/v1/admin/notifications/1/failures"),
    ],
)
async def test_every_push_route_needs_a_login(client: Client, method: str, path: str) -> None:
    response = await client.request(method, path, json=PHONE if method != "GET" else None)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


@pytest.mark.parametrize(
    "role",
    [Role.RESIDENT, Role.GRID_WORKER, Role.COMMUNITY_ADMIN, Role.DISTRICT_ADMIN, Role.DEVELOPER],
)
async def test_only_a_platform_admin_sees_delivery_reports(
    client: Client, token_for: TokenFor, role: Role
) -> None:
    notification = await tell(Audience.users(1))
    await settled(notification)
    for path in ("deliveries", "failures"):
        url = f"/v1/admin/notifications/{notification}/{path}"
        refused = await client.get(url, headers=bearer(await token_for(role)))
        assert refused.status_code == 403
        assert refused.json()["code"] == "forbidden"
        allowed = await client.get(url, headers=bearer(await token_for(Role.PLATFORM_ADMIN)))
        assert allowed.status_code == 200
