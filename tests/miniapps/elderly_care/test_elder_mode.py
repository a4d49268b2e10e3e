"""Elder mode: the launcher opens on elderly care's four big buttons, the SOS first, in the
elder's language and with no promotions; outside elder mode a resident sees only their
family tile of them."""

from __future__ import annotations

from typing import Any

from backend.kernel.roles import Role
from tests.conftest import Client, TokenFor, bearer

BUTTONS = ["sos", "checkin", "family", "services"]


async def _services(client: Client, token: str, **params: str) -> list[dict[str, Any]]:
    shown = await client.get("/v1/launcher", headers=bearer(token), params=params)
    assert shown.status_code == 200, shown.text
    sections = {s["id"]: s["tiles"] for s in shown.json()["sections"]}
    assert "promotions" not in sections or params.get("elder") != "true"
    return list(sections.get("services", []))


async def test_elder_mode_opens_on_the_four_big_buttons(
    client: Client, token_for: TokenFor
) -> None:
    resident = await token_for(Role.RESIDENT)
    elder = await _services(client, resident, elder="true")
    care = [t for t in elder if t["app_id"] == "elderly_care"]
    assert [t["tile_id"] for t in elder[:4]] == BUTTONS
    assert [t["title"] for t in care] == ["一键呼叫", "平安打卡", "我的家人", "居家服务"]
    assert {t["size"] for t in elder} == {"large"}
    in_english = await _services(client, resident, elder="true", locale="en")
    assert [t["title"] for t in in_english[:4]] == ["SOS", "I am well", "My family", "Home care"]

    normal = await _services(client, resident)
    shown = [t["tile_id"] for t in normal if t["app_id"] == "elderly_care"]
    assert shown == ["family"]
    assert normal[0]["app_id"] != "elderly_care"
