"""Who administers whom: provisioning never takes over an account, and an admin acts only on
people whose every role ranks below theirs, inside their scope; never on themselves."""

from __future__ import annotations

from typing import Any

import pytest

from backend.directory.users.service import PHONE_PURPOSE, assign_role
from backend.directory.users.tables import AuditEntry, RoleAssignment, UserAccount
from backend.kernel.roles import Role
from backend.kernel.vault import Vault
from tests.conftest import Client, TokenFor, TokenForPhone, bearer

C03 = "zz/gx/fengyang/c03"
G07 = f"{C03}/g07"
PLATFORM_ADMIN = "13800000007"
JINSHUI_RESIDENT = "13800000016"
G07_RESIDENT = "13800000001"
G07_WORKER = "13800000003"
C03_ADMIN = "13800000005"
DISTRICT_ADMIN = "13800000006"
C04_ADMIN = "13800000015"
JINSHUI_ADMIN = "13800000017"
FORGED_ID_CARD = "410105199001011234"


async def _account(vault: Vault, phone: str) -> dict[str, Any]:
    lookup = vault.lookup(phone, purpose=PHONE_PURPOSE)
    row = await UserAccount.select().where(UserAccount.phone_lookup == lookup).first()
    assert row is not None
    return dict(row)


def _takeover(phone: str) -> dict[str, str]:
    return {
        "phone": phone,
        "name": "冒名顶替",
        "role": "grid_worker",
        "scope_path": G07,
        "id_card": FORGED_ID_CARD,
    }


@pytest.mark.parametrize("victim", [PLATFORM_ADMIN, JINSHUI_RESIDENT])
async def test_provisioning_a_stranger_takes_nothing_over(
    client: Client, token_for_phone: TokenForPhone, vault: Vault, victim: str
) -> None:
    """The issue's attack: c03's admin provisions the platform admin's (or a Jinshui
    resident's) phone as a c03 worker, then reads and revokes them."""
    admin = bearer(await token_for_phone(C03_ADMIN))
    victim_token = await token_for_phone(victim)
    before = await _account(vault, victim)
    roles_before = await RoleAssignment.count()
    response = await client.post("/v1/staff", json=_takeover(victim), headers=admin)
    assert response.status_code == 403, response.text
    assert response.json()["code"] == "person_not_administered"
    assert await _account(vault, victim) == before
    assert await RoleAssignment.count() == roles_before
    read = await client.get(f"/v1/users/{before['id']}", headers=admin)
    assert read.status_code == 404
    revoke = await client.post(f"/v1/admin/users/{before['id']}/revoke", headers=admin)
    assert revoke.status_code == 404
    assert (await client.get("/v1/me", headers=bearer(victim_token))).status_code == 200


async def test_a_role_inside_the_scope_is_not_power_over_the_person(
    client: Client, token_for_phone: TokenForPhone, vault: Vault
) -> None:
    """Even when the platform admin really holds a c03 role, c03's admin outranks only that
    role, not the person: every role they hold must rank below the admin's."""
    victim = await _account(vault, PLATFORM_ADMIN)
    victim_token = await token_for_phone(PLATFORM_ADMIN)
    await assign_role(user_id=victim["id"], role=Role.GRID_WORKER, scope_path=G07)
    admin = bearer(await token_for_phone(C03_ADMIN))
    assert (await client.get(f"/v1/users/{victim['id']}", headers=admin)).status_code == 404
    for action in ("revoke", "disable"):
        refused = await client.post(f"/v1/admin/users/{victim['id']}/{action}", headers=admin)
        assert refused.status_code == 404, action
    assert (await client.get("/v1/me", headers=bearer(victim_token))).status_code == 200
    assert await AuditEntry.count() == 0


async def _second_c03_admin(vault: Vault) -> int:
    from backend.directory.users.service import account_for_phone

    user_id = await account_for_phone(phone="13700000077", vault=vault, name="二号社区管")
    await assign_role(user_id=user_id, role=Role.COMMUNITY_ADMIN, scope_path=C03)
    return user_id


@pytest.mark.parametrize("action", ["revoke", "disable"])
async def test_an_admin_never_acts_on_an_equal(
    client: Client, token_for_phone: TokenForPhone, vault: Vault, action: str
) -> None:
    admin = bearer(await token_for_phone(C03_ADMIN))
    c04_admin = await _account(vault, C04_ADMIN)
    # c04's admin also works a c03 grid: c03's admin covers that role, not the person.
    await assign_role(user_id=c04_admin["id"], role=Role.GRID_WORKER, scope_path=G07)
    for target in (c04_admin["id"], await _second_c03_admin(vault)):
        refused = await client.post(f"/v1/admin/users/{target}/{action}", headers=admin)
        assert refused.status_code == 404, target
        assert (await client.get(f"/v1/users/{target}", headers=admin)).status_code == 404
    assert await UserAccount.count().where(UserAccount.active.eq(False)) == 0


@pytest.mark.parametrize(
    ("actor", "target"),
    [
        (DISTRICT_ADMIN, PLATFORM_ADMIN),  # higher
        (DISTRICT_ADMIN, JINSHUI_ADMIN),  # equal, in another district
        (PLATFORM_ADMIN, "13700000088"),  # another platform admin
    ],
)
async def test_no_admin_acts_on_an_equal_or_higher_admin(
    client: Client, token_for_phone: TokenForPhone, vault: Vault, actor: str, target: str
) -> None:
    from backend.directory.users.service import account_for_phone

    other = await account_for_phone(phone="13700000088", vault=vault, name="二号平台管理员")
    await assign_role(user_id=other, role=Role.PLATFORM_ADMIN, scope_path="zz")
    target_id = (await _account(vault, target))["id"]
    # Give every target a role the actor covers, so only rank can refuse.
    await assign_role(user_id=target_id, role=Role.GRID_WORKER, scope_path=G07)
    headers = bearer(await token_for_phone(actor))
    for action in ("revoke", "disable"):
        refused = await client.post(f"/v1/admin/users/{target_id}/{action}", headers=headers)
        assert refused.status_code == 404, action
    assert (await client.get(f"/v1/users/{target_id}", headers=headers)).status_code == 404


async def test_a_home_gives_no_power_over_a_resident(
    client: Client, token_for_phone: TokenForPhone, vault: Vault
) -> None:
    """A home is chosen by its resident: living in c03 puts nobody under c03's admin."""
    resident = await _account(vault, G07_RESIDENT)
    resident_token = await token_for_phone(G07_RESIDENT)
    admin = bearer(await token_for_phone(C03_ADMIN))
    assert (await client.get(f"/v1/users/{resident['id']}", headers=admin)).status_code == 404
    for action in ("revoke", "disable"):
        refused = await client.post(f"/v1/admin/users/{resident['id']}/{action}", headers=admin)
        assert refused.status_code == 404, action
    assert (await client.get("/v1/me", headers=bearer(resident_token))).status_code == 200


@pytest.mark.parametrize(
    ("actor", "target"),
    [(C03_ADMIN, G07_WORKER), (DISTRICT_ADMIN, C03_ADMIN), (PLATFORM_ADMIN, DISTRICT_ADMIN)],
)
async def test_an_admin_acts_on_whom_they_outrank(
    client: Client, token_for_phone: TokenForPhone, vault: Vault, actor: str, target: str
) -> None:
    target_id = (await _account(vault, target))["id"]
    target_token = await token_for_phone(target)
    headers = bearer(await token_for_phone(actor))
    assert (await client.get(f"/v1/users/{target_id}", headers=headers)).status_code == 200
    revoked = await client.post(f"/v1/admin/users/{target_id}/revoke", headers=headers)
    assert revoked.status_code == 204
    assert (await client.get("/v1/me", headers=bearer(target_token))).status_code == 401


@pytest.mark.parametrize("action", ["revoke", "disable"])
async def test_nobody_acts_on_themselves(
    client: Client, token_for_phone: TokenForPhone, vault: Vault, action: str
) -> None:
    me = (await _account(vault, PLATFORM_ADMIN))["id"]
    token = await token_for_phone(PLATFORM_ADMIN)
    refused = await client.post(f"/v1/admin/users/{me}/{action}", headers=bearer(token))
    assert refused.status_code == 403
    assert refused.json()["code"] == "own_account"
    assert (await client.get("/v1/me", headers=bearer(token))).status_code == 200


async def test_nobody_grants_themselves_a_role(
    client: Client, token_for: TokenFor, vault: Vault
) -> None:
    """Separation of duties: a district admin may grant health_official, but not to itself."""
    admin = bearer(await token_for(Role.DISTRICT_ADMIN))
    me = await _account(vault, DISTRICT_ADMIN)
    before = await RoleAssignment.count()
    response = await client.post(
        "/v1/staff",
        json={
            "phone": DISTRICT_ADMIN,
            "name": me["name"],
            "role": "health_official",
            "scope_path": "zz/gx",
        },
        headers=admin,
    )
    assert response.status_code == 403
    assert response.json()["code"] == "grant_to_self"
    assert await RoleAssignment.count() == before


async def test_granting_to_someone_already_administered_leaves_their_identity(
    client: Client, token_for_phone: TokenForPhone, vault: Vault
) -> None:
    """c03's admin may give its own grid worker a second grid; name and ID card stay theirs."""
    admin = bearer(await token_for_phone(C03_ADMIN))
    before = await _account(vault, G07_WORKER)
    response = await client.post(
        "/v1/staff", json={**_takeover(G07_WORKER), "scope_path": f"{C03}/g08"}, headers=admin
    )
    assert response.status_code == 201, response.text
    assert response.json()["name"] == before["name"]
    assert response.json()["scope_path"] == f"{C03}/g08"
    assert await _account(vault, G07_WORKER) == before
