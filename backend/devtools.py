"""Development conveniences: tokens for seeded users, the OpenAPI document."""

from __future__ import annotations

import msgspec

from auth.keys import KeyRing
from auth.revocation import DenyList
from auth.sessions import grant_for
from auth.tokens import TokenService
from backend.directory.users.service import PHONE_PURPOSE
from backend.directory.users.tables import UserAccount
from backend.kernel.roles import Role
from backend.kernel.settings import Settings
from backend.kernel.vault import vault_for
from backend.seed import demo_user_with_role


async def mint_dev_token(settings: Settings, *, phone: str | None, role: str | None) -> str:
    if not settings.is_dev:
        raise PermissionError("dev tokens exist only in dev mode")
    if role is not None:
        try:
            phone = await demo_user_with_role(Role(role))
        except ValueError as err:
            raise LookupError(f"role {role}") from err
    assert phone is not None
    vault = vault_for(settings.secret)
    user = (
        await UserAccount.select(UserAccount.id)
        .where(UserAccount.phone_lookup == vault.lookup(phone, purpose=PHONE_PURPOSE))
        .first()
    )
    if user is None:
        raise LookupError(f"phone {phone} (run `yimen seed-demo`)")
    ring = KeyRing(settings, vault)
    await ring.load()
    token, _ = TokenService(settings, ring, DenyList()).issue(await grant_for(user["id"]))
    return token


def openapi_document(settings: Settings) -> bytes:
    from backend.app import create_app

    schema = create_app(settings).openapi_schema.to_schema()
    return msgspec.json.format(msgspec.json.encode(schema, order="sorted"), indent=2) + b"\n"
