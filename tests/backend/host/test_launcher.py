"""One call, different content: each caller sees the tiles of their roles, scope and district."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from backend.app import create_app
from backend.badges import BadgeBoard
from backend.kernel.claims import Claims
from backend.kernel.contract import Section, Tile
from backend.kernel.roles import Role
from backend.kernel.services import services_of
from backend.kernel.settings import Settings
from backend.launcher import Launcher
from tests.backend.host.sample_apps import sample_apps
from tests.conftest import TokenFor, TokenForPhone, bearer
from tests.support import running

GX_RESIDENT = "13800000001"
JINSHUI_RESIDENT = "13800000016"
JINSHUI_ADMIN = "13800000017"


@pytest.fixture
async def host(settings: Settings, demo: None) -> AsyncIterator[httpx.AsyncClient]:
    async with running(create_app(settings, miniapps=sample_apps())) as client:
        yield client


def _tiles(launcher: dict[str, Any]) -> set[str]:
    return {f"{t['app_id']}/{t['tile_id']}" for s in launcher["sections"] for t in s["tiles"]}


async def _launcher(client: httpx.AsyncClient, token: str, **params: Any) -> dict[str, Any]:
    response = await client.get("/v1/launcher", headers=bearer(token), params=params)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_same_call_different_launchers(host: httpx.AsyncClient, token_for: TokenFor) -> None:
    seen = {
        role: _tiles(await _launcher(host, await token_for(role)))
        for role in (Role.RESIDENT, Role.GRID_WORKER, Role.COMMUNITY_ADMIN, Role.MERCHANT)
    }
    assert seen[Role.RESIDENT] == {"permits/apply", "permits/promo"}
    assert seen[Role.GRID_WORKER] == {"permits/apply", "permits/promo", "patrol/tasks"}
    assert seen[Role.COMMUNITY_ADMIN] == {"permits/apply", "permits/promo", "council/staff"}
    assert seen[Role.MERCHANT] == {"permits/apply", "permits/promo", "shopfront/orders"}


@pytest.mark.parametrize(
    ("role", "app_id"),
    [
        (Role.RESIDENT, "patrol"),
        (Role.GRID_WORKER, "council"),
        (Role.MERCHANT, "council"),
        (Role.COMMUNITY_ADMIN, "shopfront"),
    ],
)
async def test_a_tile_the_caller_lacks_has_routes_that_answer_403(
    host: httpx.AsyncClient, token_for: TokenFor, role: Role, app_id: str
) -> None:
    token = await token_for(role)
    assert not any(t.startswith(app_id) for t in _tiles(await _launcher(host, token)))
    response = await host.get(f"/v1/miniapps/{app_id}/ping", headers=bearer(token))
    assert response.status_code == 403


async def test_a_tile_the_caller_has_leads_to_working_routes(
    host: httpx.AsyncClient, token_for: TokenFor
) -> None:
    response = await host.get(
        "/v1/miniapps/patrol/ping", headers=bearer(await token_for(Role.GRID_WORKER))
    )
    assert response.status_code == 200


async def test_scope_conditions_follow_the_callers_home(
    host: httpx.AsyncClient, token_for_phone: TokenForPhone
) -> None:
    assert "jinshui_only/local" in _tiles(
        await _launcher(host, await token_for_phone(JINSHUI_RESIDENT))
    )
    assert "jinshui_only/local" not in _tiles(
        await _launcher(host, await token_for_phone(GX_RESIDENT))
    )


async def test_badges_come_per_user(host: httpx.AsyncClient, token_for: TokenFor) -> None:
    launcher = await _launcher(host, await token_for(Role.GRID_WORKER))
    tiles = {t["tile_id"]: t for s in launcher["sections"] for t in s["tiles"]}
    assert tiles["tasks"]["badge"] == 3
    assert "badge" not in tiles["apply"]


async def test_locale_and_elder_mode(host: httpx.AsyncClient, token_for: TokenFor) -> None:
    token = await token_for(Role.RESIDENT)
    normal = await _launcher(host, token)
    assert normal["locale"] == "zh-CN"
    assert {s["id"] for s in normal["sections"]} == {"services", "promotions"}
    assert normal["sections"][0]["tiles"][0]["title"] == "apply-中"
    elder = await _launcher(host, token, elder="true", locale="en")
    assert elder["elder_mode"] is True
    assert [s["id"] for s in elder["sections"]] == ["services"]
    assert elder["sections"][0]["title"] == "Services"
    assert (
        elder["sections"][0]["tiles"][0] | {"title": "apply-en", "size": "large"}
        == (elder["sections"][0]["tiles"][0])
    )


async def test_with_no_locale_chosen_accept_language_decides(
    host: httpx.AsyncClient, token_for: TokenFor
) -> None:
    token = await token_for(Role.RESIDENT)  # the demo resident chose no locale
    for header, locale, title in (
        ("en-GB,en;q=0.9", "en", "apply-en"),
        ("fr-FR, zh-TW;q=0.8, en;q=0.5", "zh-CN", "apply-中"),
        (None, "zh-CN", "apply-中"),
    ):
        headers = bearer(token) | ({"Accept-Language": header} if header else {})
        response = await host.get("/v1/launcher", headers=headers)
        assert response.status_code == 200, response.text
        assert "Accept-Language" in response.headers["vary"]
        launcher = response.json()
        assert launcher["locale"] == locale
        assert launcher["sections"][0]["tiles"][0]["title"] == title


async def test_the_profiles_locale_wins_over_accept_language(
    host: httpx.AsyncClient, token_for_phone: TokenForPhone
) -> None:
    chosen = await host.patch(
        "/v1/me", json={"locale": "en"}, headers=bearer(await token_for_phone(GX_RESIDENT))
    )
    assert chosen.status_code == 200, chosen.text
    token = await token_for_phone(GX_RESIDENT)  # what the next refresh issues
    chinese = {**bearer(token), "Accept-Language": "zh-CN"}
    assert (await _launcher_with(host, chinese))["locale"] == "en"
    asked = await host.get("/v1/launcher", params={"locale": "zh-CN"}, headers=chinese)
    assert asked.json()["locale"] == "zh-CN"  # a locale the call names wins over both


async def _launcher_with(host: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    response = await host.get("/v1/launcher", headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_an_etag_is_the_launcher_of_one_locale(
    host: httpx.AsyncClient, token_for: TokenFor
) -> None:
    token = await token_for(Role.RESIDENT)
    chinese = await host.get("/v1/launcher", headers=bearer(token))
    english = await host.get(
        "/v1/launcher",
        headers={
            **bearer(token),
            "Accept-Language": "en",
            "If-None-Match": chinese.headers["etag"],
        },
    )
    assert english.status_code == 200
    assert english.json()["locale"] == "en"


async def test_etag_gives_304(host: httpx.AsyncClient, token_for: TokenFor) -> None:
    token = await token_for(Role.GRID_WORKER)
    first = await host.get("/v1/launcher", headers=bearer(token))
    etag = first.headers["etag"]
    again = await host.get("/v1/launcher", headers={**bearer(token), "If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    other = await host.get(
        "/v1/launcher", headers={**bearer(await token_for(Role.MERCHANT)), "If-None-Match": etag}
    )
    assert other.status_code == 200


async def test_the_launcher_needs_a_login(host: httpx.AsyncClient) -> None:
    assert (await host.get("/v1/launcher")).status_code == 401


async def test_a_district_that_disabled_an_app_loses_tile_and_routes(
    host: httpx.AsyncClient, token_for: TokenFor, token_for_phone: TokenForPhone
) -> None:
    gx_admin = await token_for(Role.DISTRICT_ADMIN)
    gx_resident = await token_for_phone(GX_RESIDENT)
    jinshui_resident = await token_for_phone(JINSHUI_RESIDENT)
    off = await host.put(
        "/v1/admin/miniapps/permits/switch",
        json={"enabled": False, "district": "zz/gx"},
        headers=bearer(gx_admin),
    )
    assert off.status_code == 200, off.text
    assert off.json() == {"app_id": "permits", "enabled_city_wide": True, "disabled_in": ["zz/gx"]}

    assert not any(t.startswith("permits/") for t in _tiles(await _launcher(host, gx_resident)))
    hidden = await host.get("/v1/miniapps/permits/ping", headers=bearer(gx_resident))
    assert hidden.status_code == 404
    assert hidden.json()["code"] == "miniapp_unavailable"

    assert "permits/apply" in _tiles(await _launcher(host, jinshui_resident))
    assert (
        await host.get("/v1/miniapps/permits/ping", headers=bearer(jinshui_resident))
    ).status_code == 200

    on = await host.put(
        "/v1/admin/miniapps/permits/switch",
        json={"enabled": True, "district": "zz/gx"},
        headers=bearer(gx_admin),
    )
    assert on.json()["disabled_in"] == []
    assert "permits/apply" in _tiles(await _launcher(host, gx_resident))


async def test_a_district_admin_cannot_switch_another_district_or_the_city(
    host: httpx.AsyncClient, token_for: TokenFor
) -> None:
    gx_admin = bearer(await token_for(Role.DISTRICT_ADMIN))
    other = await host.put(
        "/v1/admin/miniapps/permits/switch",
        json={"enabled": False, "district": "zz/jinshui"},
        headers=gx_admin,
    )
    assert other.status_code == 403
    city = await host.put(
        "/v1/admin/miniapps/permits/switch", json={"enabled": False}, headers=gx_admin
    )
    assert city.status_code == 403
    resident = await host.put(
        "/v1/admin/miniapps/permits/switch",
        json={"enabled": False},
        headers=bearer(await token_for(Role.RESIDENT)),
    )
    assert resident.status_code == 403


async def test_a_platform_admin_switches_an_app_city_wide(
    host: httpx.AsyncClient, token_for: TokenFor, token_for_phone: TokenForPhone
) -> None:
    admin = bearer(await token_for(Role.PLATFORM_ADMIN))
    await host.put("/v1/admin/miniapps/permits/switch", json={"enabled": False}, headers=admin)
    for phone in (GX_RESIDENT, JINSHUI_RESIDENT):
        token = await token_for_phone(phone)
        assert not any(t.startswith("permits/") for t in _tiles(await _launcher(host, token)))
    await host.put("/v1/admin/miniapps/permits/switch", json={"enabled": True}, headers=admin)
    listed = await host.get("/v1/admin/miniapps", headers=admin)
    assert {"app_id": "permits", "enabled_city_wide": True, "disabled_in": []} in listed.json()[
        "items"
    ]


async def test_the_mini_apps_come_a_page_at_a_time(
    host: httpx.AsyncClient, token_for: TokenFor
) -> None:
    admin = bearer(await token_for(Role.PLATFORM_ADMIN))
    whole = await host.get("/v1/admin/miniapps", headers=admin)
    assert whole.json()["next_cursor"] is None
    everyone = [state["app_id"] for state in whole.json()["items"]]
    assert everyone == sorted(everyone)
    assert len(everyone) > 2
    seen: list[str] = []
    params: dict[str, Any] = {"limit": 2}
    for _ in range(len(everyone)):  # a cursor that names no later page would loop for ever
        page = (await host.get("/v1/admin/miniapps", params=params, headers=admin)).json()
        assert len(page["items"]) <= 2
        seen += [state["app_id"] for state in page["items"]]
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]
    assert seen == everyone
    for cursor in ("!!", "aWQ6Mw"):  # not ours; an id cursor ("id:3")
        bad = await host.get("/v1/admin/miniapps", params={"cursor": cursor}, headers=admin)
        assert (bad.status_code, bad.json()["code"]) == (400, "cursor_invalid")


async def test_switching_an_unknown_app_is_404(
    host: httpx.AsyncClient, token_for: TokenFor
) -> None:
    response = await host.put(
        "/v1/admin/miniapps/nothing/switch",
        json={"enabled": False},
        headers=bearer(await token_for(Role.PLATFORM_ADMIN)),
    )
    assert response.status_code == 404


async def test_another_process_sees_a_switch(
    settings: Settings,
    host: httpx.AsyncClient,
    token_for: TokenFor,
    token_for_phone: TokenForPhone,
) -> None:
    """Switches live in the database; every process reloads them within seconds."""
    other_app = create_app(settings, miniapps=sample_apps())
    async with running(other_app) as other:
        await host.put(
            "/v1/admin/miniapps/permits/switch",
            json={"enabled": False, "district": "zz/gx"},
            headers=bearer(await token_for(Role.DISTRICT_ADMIN)),
        )
        await services_of(other_app).enablement.load()  # what its reload timer does every 5 s
        gx_resident = await token_for_phone(GX_RESIDENT)
        response = await other.get("/v1/miniapps/permits/ping", headers=bearer(gx_resident))
        assert response.status_code == 404


class _PerCaller:
    """A tile source giving user 1 a tile in the work section with a badge, and everyone
    else the same tile (id, target, icon, titles) in daily life without one."""

    def tiles_for(self, claims: Claims) -> list[Tile]:
        first = claims.user_id == 1
        return [
            Tile(
                id="t",
                titles={"zh-CN": "T"},
                icon="/i",
                target="h5:https://x.example.com/",
                roles=frozenset({Role.RESIDENT}),
                section=Section.WORK if first else Section.LIFE,
                badge="inbox" if first else None,
            )
        ]


def _resident(user_id: int) -> Claims:
    return Claims(
        sub=str(user_id),
        iss="yimen",
        aud="yimen",
        exp=0,
        iat=0,
        jti="",
        roles=["resident"],
        scope={"resident": ["zz/gx/fengyang/c03/g07"]},
    )


async def test_tiles_decided_per_caller_never_share_a_layout_they_differ_in(
    settings: Settings,
) -> None:
    app = create_app(settings)
    async with running(app):
        services = services_of(app)
        launcher = Launcher(
            services.registry,
            services.enablement,
            BadgeBoard(services.registry),
            tile_sources={"open_platform": _PerCaller()},
        )
        one = launcher.layout(_resident(1), locale="zh-CN", elder=False)
        two = launcher.layout(_resident(2), locale="zh-CN", elder=False)
    placed = [
        [s.id for s in layout.view.sections if any(t.tile_id == "t" for t in s.tiles)]
        for layout in (one, two)
    ]
    assert placed == [["work"], ["life"]]
    assert [source for *_, source in two.badges if source == "inbox"] == []
