"""A problem may carry extension members beside its standard ones (RFC 9457 section 3.2),
for clients to read; none may replace a standard member, and the message's own parameters
stay unpublished."""

from __future__ import annotations

import httpx
import pytest
from litestar import Litestar, get

from backend.kernel.codes import ErrorCode, register_messages
from backend.kernel.errors import EXCEPTION_HANDLERS, PROBLEM_MEDIA_TYPE, Conflict


class LampCode(ErrorCode):
    LAMP_LIT = "test_lamp_lit"


register_messages(LampCode, {LampCode.LAMP_LIT: ("灯已{how}", "The lamp is {how}")})


@get("/lamp")
async def lit_lamp() -> None:
    raise Conflict(
        LampCode.LAMP_LIT,
        how="lit",
        extensions={"state": "lit", "allowed_actions": ["dim", "switch_off"]},
    )


async def test_extension_members_stand_beside_the_standard_ones() -> None:
    app = Litestar([lit_lamp], exception_handlers=EXCEPTION_HANDLERS)  # type: ignore[arg-type]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/lamp", headers={"Accept-Language": "en"})
    assert response.status_code == 409
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert response.json() == {
        "type": "https://yimen.dev/problems/test_lamp_lit",
        "title": "The lamp is lit",
        "status": 409,
        "code": "test_lamp_lit",
        "instance": "/lamp",
        "state": "lit",
        "allowed_actions": ["dim", "switch_off"],
    }


@pytest.mark.parametrize("member", ["code", "status", "errors", "title"])
def test_no_extension_replaces_a_standard_member(member: str) -> None:
    with pytest.raises(ValueError, match=f"may not replace a problem's \\['{member}'\\]"):
        Conflict(LampCode.LAMP_LIT, how="lit", extensions={member: "other"})
