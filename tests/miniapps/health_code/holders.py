"""A resident with an enrolled phone and a code issued to it, through the reference phone
client and the API alone."""

from __future__ import annotations

from miniapps.health_code.phone import HealthCodePhone
from tests.conftest import Client


async def enrolled(client: Client, token: str) -> tuple[HealthCodePhone, str]:
    """A new phone enrolled for the holder of `token`, and the credential issued to it."""
    phone = HealthCodePhone()
    await phone.enrol(client, token)
    return phone, await phone.credential(client, token)
