"""Place codes, check-ins, tracing within scope (audited), risk levels, bulk colours."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from litestar import Litestar

from backend.directory.users.service import account_for_phone, assign_role
from backend.directory.users.tables import AuditEntry
from backend.kernel.roles import Role
from backend.kernel.vault import Vault
from miniapps.health_code.phone import HealthCodePhone
from miniapps.health_code.tables import CheckIn, HealthStatus, Scan, StatusChange
from tests.conftest import Client, TokenFor, TokenForPhone, bearer
from tests.miniapps.health_code.holders import enrolled
from tests.support import checkpoint_of, eventually

C03 = "zz/gx/fengyang/c03"
RESIDENT, NEIGHBOUR, JINSHUI_RESIDENT = "13800000001", "13800000002", "13800000016"
G08_WORKER = "13800000004"
WINDOW = {"since": "2020-01-01T00:00:00Z", "until": "2099-01-01T00:00:00Z"}


async def _place(client: Client, token_for: TokenFor) -> dict[str, object]:
    response = await client.post(
        "/v1/miniapps/health_code/places",
        json={"name": "西岗菜市场", "org_path": C03},
        headers=bearer(await token_for(Role.MERCHANT)),
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _check_in(client: Client, token: str, code: object) -> dict[str, object]:
    response = await client.post(
        "/v1/miniapps/health_code/check-ins", json={"code": code}, headers=bearer(token)
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def _window(**extra: object) -> dict[str, object]:
    now = dt.datetime.now(dt.UTC)
    return {
        "since": (now - dt.timedelta(days=1)).isoformat(),
        "until": (now + dt.timedelta(minutes=5)).isoformat(),
        **extra,
    }


async def test_a_resident_checks_in_and_sees_their_own_colour(
    client: Client, token_for: TokenFor
) -> None:
    place = await _place(client, token_for)
    assert str(place["code"]).startswith("YMP.")
    visit = await _check_in(client, await token_for(Role.RESIDENT), place["code"])
    assert visit["place"] == "西岗菜市场"
    assert visit["colour"] == "green"


async def test_a_forged_place_code_is_refused(client: Client, token_for: TokenFor) -> None:
    place = await _place(client, token_for)
    forged = str(place["code"])[:-4] + "AAAA"
    response = await client.post(
        "/v1/miniapps/health_code/check-ins",
        json={"code": forged},
        headers=bearer(await token_for(Role.RESIDENT)),
    )
    assert response.status_code == 422
    assert await CheckIn.count() == 0


async def test_the_venue_and_tracers_in_scope_see_visitors_and_are_audited(
    client: Client, token_for: TokenFor
) -> None:
    """Only a health official sees who they are; the venue and checkpoint staff see a masked
    name, as a scanner does, and no account id."""
    place = await _place(client, token_for)
    resident = await token_for(Role.RESIDENT)
    await _check_in(client, resident, place["code"])
    resident_id = int((await client.get("/v1/me", headers=bearer(resident))).json()["user_id"])
    seen = {}
    for role in (Role.MERCHANT, Role.HEALTH_OFFICIAL, Role.CHECKPOINT_STAFF):
        response = await client.get(
            f"/v1/miniapps/health_code/places/{place['id']}/visitors",
            params=_window(),
            headers=bearer(await token_for(role)),
        )
        assert response.status_code == 200, response.text
        seen[role] = [(v["name"], v["user_id"]) for v in response.json()["items"]]
    assert seen == {
        Role.MERCHANT: [("王*", None)],
        Role.HEALTH_OFFICIAL: [("王居民", resident_id)],
        Role.CHECKPOINT_STAFF: [("王*", None)],
    }
    assert await AuditEntry.count().where(AuditEntry.action == "health_code.place_visitors") == 3


async def test_a_checkpoint_worker_outside_the_district_cannot_trace(
    client: Client, token_for: TokenFor, token_for_phone: TokenForPhone, vault: Vault
) -> None:
    place = await _place(client, token_for)
    await _check_in(client, await token_for(Role.RESIDENT), place["code"])
    outsider = await account_for_phone(phone="13900000777", vault=vault, name="金水卡口")
    await assign_role(user_id=outsider, role=Role.CHECKPOINT_STAFF, scope_path="zz/jinshui")
    token = await token_for_phone("13900000777")
    response = await client.get(
        f"/v1/miniapps/health_code/places/{place['id']}/visitors",
        params=_window(),
        headers=bearer(token),
    )
    assert response.status_code == 404
    assert await AuditEntry.count().where(AuditEntry.action.like("health_code.%")) == 0


async def test_contacts_are_found_within_the_window(
    client: Client, token_for: TokenFor, token_for_phone: TokenForPhone
) -> None:
    place = await _place(client, token_for)
    resident = await token_for_phone(RESIDENT)
    neighbour = await token_for_phone(NEIGHBOUR)
    await _check_in(client, resident, place["code"])
    await _check_in(client, neighbour, place["code"])
    resident_id = int((await client.get("/v1/me", headers=bearer(resident))).json()["user_id"])
    official = bearer(await token_for(Role.HEALTH_OFFICIAL))
    met = await client.get(
        f"/v1/miniapps/health_code/contacts/{resident_id}",
        params=_window(minutes=30),
        headers=official,
    )
    assert [v["name"] for v in met.json()["items"]] == ["王家属"]
    assert await AuditEntry.count().where(AuditEntry.action == "health_code.contacts") == 1
    too_long = await client.get(
        f"/v1/miniapps/health_code/contacts/{resident_id}", params=WINDOW, headers=official
    )
    assert too_long.status_code == 422


async def test_risk_levels_are_set_shown_and_counted(client: Client, token_for: TokenFor) -> None:
    official = bearer(await token_for(Role.HEALTH_OFFICIAL))
    response = await client.put(
        f"/v1/miniapps/health_code/risk-levels/{C03}", json={"level": "high"}, headers=official
    )
    assert response.status_code == 200, response.text
    mine = await client.get(
        "/v1/miniapps/health_code/risk-levels", headers=bearer(await token_for(Role.RESIDENT))
    )
    assert mine.json() == {"items": [{"community": C03, "level": "high"}], "next_cursor": None}
    counts = await client.get(
        "/v1/miniapps/health_code/risk-level-counts",
        params={"district": "zz/gx"},
        headers=bearer(await token_for(Role.DISTRICT_ADMIN)),
    )
    assert counts.json() == {"low": 1, "medium": 0, "high": 1}
    listed = await client.get(
        "/v1/miniapps/health_code/district-risk-levels",
        params={"district": "zz/gx", "limit": 1},
        headers=official,
    )
    assert listed.status_code == 200, listed.text
    first = listed.json()
    assert first["items"] == [{"community": C03, "level": "high"}]
    rest = await client.get(
        "/v1/miniapps/health_code/district-risk-levels",
        params={"district": "zz/gx", "cursor": first["next_cursor"]},
        headers=official,
    )
    assert rest.json() == {
        "items": [{"community": "zz/gx/fengyang/c04", "level": "low"}],
        "next_cursor": None,
    }
    elsewhere = await client.get(
        "/v1/miniapps/health_code/district-risk-levels",
        params={"district": "zz/jinshui"},
        headers=official,
    )
    assert elsewhere.status_code == 403
    outside = await client.put(
        "/v1/miniapps/health_code/risk-levels/zz/jinshui/wenhua/c01",
        json={"level": "high"},
        headers=official,
    )
    assert outside.status_code == 403


async def test_a_bulk_upload_applies_every_row_or_none(client: Client, token_for: TokenFor) -> None:
    official = bearer(await token_for(Role.HEALTH_OFFICIAL))
    bad = (
        "phone,colour,reason,source\n13800000001,red,密接,流调\n"
        "13800000016,red,密接,流调\n13800000002,purple,?,?\n13999999999,red,,\n"
    )
    refused = await client.post(
        "/v1/miniapps/health_code/statuses/bulk", json={"csv": bad}, headers=official
    )
    assert refused.status_code == 422
    assert [(e["row"], e["field"]) for e in refused.json()["errors"]] == [
        (2, "phone"),
        (3, "colour"),
        (4, "phone"),
    ]
    assert await HealthStatus.count() == 0
    good = {
        "rows": [
            {"phone": "13800000001", "colour": "red", "reason": "密接"},
            {"phone": "13800000002", "colour": "yellow"},
        ]
    }
    applied = await client.post(
        "/v1/miniapps/health_code/statuses/bulk", json=good, headers=official
    )
    assert applied.json() == {"changed": 2}
    assert await StatusChange.count() == 2


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.CHECKPOINT_STAFF])
async def test_only_officials_trace_contacts(
    client: Client, token_for: TokenFor, role: Role
) -> None:
    response = await client.get(
        "/v1/miniapps/health_code/contacts/1",
        params=_window(),
        headers=bearer(await token_for(role)),
    )
    assert response.status_code == 403


async def test_the_owner_prints_the_place_code(client: Client, token_for: TokenFor) -> None:
    from tests.miniapps.health_code.test_health_code import _decode_png

    place = await _place(client, token_for)
    owner = bearer(await token_for(Role.MERCHANT))
    image = await client.get(f"/v1/miniapps/health_code/places/{place['id']}/qr.png", headers=owner)
    printed = _decode_png(image.content)
    visit = await _check_in(client, await token_for(Role.RESIDENT), printed)
    assert visit["place"] == "西岗菜市场"
    other = await client.get(
        f"/v1/miniapps/health_code/places/{place['id']}/qr.png",
        headers=bearer(await token_for(Role.COMMUNITY_ADMIN)),
    )
    assert other.status_code == 404


async def test_contacts_include_people_scanned_at_the_same_checkpoint(
    client: Client, token_for: TokenFor, token_for_phone: TokenForPhone
) -> None:
    staff = bearer(await token_for(Role.CHECKPOINT_STAFF))
    shown = {}
    for phone in (RESIDENT, NEIGHBOUR, JINSHUI_RESIDENT):
        holder, credential = await enrolled(client, await token_for_phone(phone))
        shown[phone] = holder.show(credential)
    for phone, place in ((RESIDENT, "东门"), (NEIGHBOUR, "东门"), (JINSHUI_RESIDENT, "西门")):
        scanned = await client.post(
            "/v1/miniapps/health_code/scans",
            json={"text": shown[phone], "place": place},
            headers=staff,
        )
        assert scanned.json()["valid"] is True

    async def logged() -> bool:
        return bool(await Scan.count() == 3)

    await eventually(logged)
    resident = await token_for_phone(RESIDENT)
    resident_id = int((await client.get("/v1/me", headers=bearer(resident))).json()["user_id"])
    met = await client.get(
        f"/v1/miniapps/health_code/contacts/{resident_id}",
        params=_window(minutes=30),
        headers=bearer(await token_for(Role.HEALTH_OFFICIAL)),
    )
    assert met.status_code == 200, met.text
    assert [(v["name"], v["place"], v["via"], v["place_id"]) for v in met.json()["items"]] == [
        ("王家属", "东门", "checkpoint", None)
    ]


async def test_refused_scans_do_not_make_contacts(
    app: Litestar, client: Client, token_for: TokenFor, token_for_phone: TokenForPhone
) -> None:
    """A replayed screenshot or a stale proof says nothing of where its holder was; a code
    refused only as revoked was signed there and then by the holder's own phone."""
    staff = bearer(await token_for(Role.CHECKPOINT_STAFF))
    official = bearer(await token_for(Role.HEALTH_OFFICIAL))
    shown: dict[str, tuple[HealthCodePhone, str]] = {}
    for phone in (RESIDENT, NEIGHBOUR, JINSHUI_RESIDENT, G08_WORKER):
        shown[phone] = await enrolled(client, await token_for_phone(phone))

    async def scan(phone: str, place: str, at: float | None = None) -> dict[str, object]:
        holder, credential = shown[phone]
        text = holder.show(credential, at=at)
        response = await client.post(
            "/v1/miniapps/health_code/scans", json={"text": text, "place": place}, headers=staff
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    assert (await scan(RESIDENT, "东门"))["valid"] is True
    neighbour, credential = shown[NEIGHBOUR]
    replayed = neighbour.show(credential)
    for place in ("西门", "东门"):  # first at the west gate, then its copy at the east gate
        await client.post(
            "/v1/miniapps/health_code/scans",
            json={"text": replayed, "place": place},
            headers=staff,
        )
    assert (await scan(JINSHUI_RESIDENT, "东门", at=time.time() - 90))["reason"] == "expired"
    g08_worker = await _me(client, await token_for_phone(G08_WORKER))
    red = await client.put(
        f"/v1/miniapps/health_code/statuses/{g08_worker}", json={"colour": "red"}, headers=official
    )
    assert red.status_code == 200, red.text
    assert (await scan(G08_WORKER, "东门"))["reason"] == "revoked"
    await checkpoint_of(app).flush()
    met = await client.get(
        f"/v1/miniapps/health_code/contacts/{await _me(client, await token_for_phone(RESIDENT))}",
        params=_window(minutes=30),
        headers=official,
    )
    assert met.status_code == 200, met.text
    assert [(v["user_id"], v["place"]) for v in met.json()["items"]] == [(g08_worker, "东门")]


async def _me(client: Client, token: str) -> int:
    return int((await client.get("/v1/me", headers=bearer(token))).json()["user_id"])
