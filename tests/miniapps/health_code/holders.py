"""A resident with an enrolled phone and a code issued to it, through the API."""

from __future__ import annotations

from tests.conftest import Client, bearer
from tests.miniapps.health_code.phone import Phone


async def enrolled(client: Client, token: str) -> tuple[Phone, str]:
    """A new phone enrolled for the holder of `token`, and the credential issued to it."""
    phone = Phone()
    enrolled = await client.post(
        "/v1/miniapps/health_code/phone",
        json={"public_key": phone.public_key},
        headers=bearer(token),
    )
    assert enrolled.status_code == 204, enrolled.text
    code = await client.get("/v1/miniapps/health_code/code", headers=bearer(token))
    assert code.status_code == 200, code.text
    return phone, code.json()["credential"]
