"""ID-card and phone numbers are sealed at rest, whole for their owner, masked for others."""

from __future__ import annotations

from litestar import Litestar

from backend.directory.users.tables import AuditEntry, UserAccount
from backend.kernel.roles import Role
from tests.conftest import Client, TokenFor, bearer
from tests.support import auth_of

ID_CARD = "410105199001011234"


async def _provision(client: Client, admin: str) -> int:
    response = await client.post(
        "/v1/staff",
        json={
            "phone": "13700000009",
            "name": "张三丰",
            "role": "grid_worker",
            "scope_path": "zz/gx/fengyang/c03/g07",
            "id_card": ID_CARD,
        },
        headers=bearer(admin),
    )
    assert response.status_code == 201
    return int(response.json()["user_id"])


async def test_personal_data_is_sealed_at_rest(client: Client, token_for: TokenFor) -> None:
    user_id = await _provision(client, await token_for(Role.COMMUNITY_ADMIN))
    rows = await UserAccount.raw("SELECT * FROM user_account WHERE id = {}", user_id)
    stored = " ".join(str(v) for v in rows[0].values())
    assert ID_CARD not in stored
    assert "13700000009" not in stored


async def test_an_admin_sees_masks_and_is_audited(client: Client, token_for: TokenFor) -> None:
    admin = await token_for(Role.COMMUNITY_ADMIN)
    user_id = await _provision(client, admin)
    audits_before = await AuditEntry.count().where(AuditEntry.action == "person.read")
    response = await client.get(f"/v1/users/{user_id}", headers=bearer(admin))
    assert response.status_code == 200
    body = response.json()
    assert body == body | {
        "phone": "137****0009",
        "id_card": "4101**********1234",
        "name": "张**",
        "masked": True,
    }
    assert await AuditEntry.count().where(AuditEntry.action == "person.read") == audits_before + 1


async def test_the_owner_sees_everything_unaudited(
    client: Client, token_for: TokenFor, app: Litestar
) -> None:
    from auth.sessions import grant_for

    user_id = await _provision(client, await token_for(Role.COMMUNITY_ADMIN))
    token, _ = auth_of(app).tokens.issue(await grant_for(user_id))
    response = await client.get(f"/v1/users/{user_id}", headers=bearer(token))
    assert response.json()["id_card"] == ID_CARD
    assert response.json()["phone"] == "13700000009"
    assert await AuditEntry.count().where(AuditEntry.action == "person.read") == 0


async def test_one_resident_cannot_read_another(client: Client, token_for: TokenFor) -> None:
    resident = await token_for(Role.RESIDENT)
    response = await client.get("/v1/users/3", headers=bearer(resident))
    assert response.status_code == 404
