"""Staff provisioning and reading stay inside the admin's own subtree."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from backend.directory.users.service import assign_role
from backend.directory.users.tables import AuditEntry, RoleAssignment, UserAccount
from backend.kernel.roles import STAFF_ROLES, Role
from tests.conftest import Client, TokenFor, bearer

C03 = "zz/gx/fengyang/c03"
C04 = "zz/gx/fengyang/c04"


def _staff(
    scope_path: str, role: str = "grid_worker", phone: str = "13700000001"
) -> dict[str, Any]:
    return {"phone": phone, "name": "新网格员", "role": role, "scope_path": scope_path}


async def test_community_admin_provisions_in_own_community(
    client: Client, token_for: TokenFor
) -> None:
    admin = await token_for(Role.COMMUNITY_ADMIN)
    response = await client.post("/v1/staff", json=_staff(f"{C03}/g07"), headers=bearer(admin))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["role"] == "grid_worker"
    assert body["phone"] == "137****0001"


async def test_provisioning_twice_adds_one_role(client: Client, token_for: TokenFor) -> None:
    admin = await token_for(Role.COMMUNITY_ADMIN)
    before = await RoleAssignment.count()
    for _ in range(2):
        await client.post("/v1/staff", json=_staff(f"{C03}/g07"), headers=bearer(admin))
    assert await RoleAssignment.count() == before + 1


async def test_granting_one_role_at_once_holds_it_once(client: Client, token_for: TokenFor) -> None:
    admin = await token_for(Role.COMMUNITY_ADMIN)
    first = await client.post("/v1/staff", json=_staff(f"{C03}/g07"), headers=bearer(admin))
    user_id = int(first.json()["user_id"])
    grants = [
        assign_role(user_id=user_id, role=Role.GRID_WORKER, scope_path=f"{C03}/g08")
        for _ in range(6)
    ]
    ids = await asyncio.gather(*grants)
    assert len(set(ids)) == 1
    held = await RoleAssignment.count().where(
        (RoleAssignment.user == user_id) & (RoleAssignment.scope_path == f"{C03}/g08")
    )
    assert held == 1


async def test_c03_admin_cannot_provision_in_c04(client: Client, token_for: TokenFor) -> None:
    admin = await token_for(Role.COMMUNITY_ADMIN)
    before = await UserAccount.count()
    response = await client.post("/v1/staff", json=_staff(f"{C04}/g01"), headers=bearer(admin))
    assert response.status_code == 403
    assert response.json()["code"] == "grant_not_allowed"
    assert await UserAccount.count() == before


async def test_c03_admin_cannot_read_c04_staff(client: Client, token_for: TokenFor) -> None:
    admin = await token_for(Role.COMMUNITY_ADMIN)
    response = await client.get("/v1/staff", params={"under": C04}, headers=bearer(admin))
    assert response.status_code == 403
    listed = await client.get("/v1/staff", headers=bearer(admin))
    assert listed.status_code == 200
    assert all(s["scope_path"].startswith(C03) for s in listed.json()["items"])
    assert not any(s["scope_path"].startswith(C04) for s in listed.json()["items"])


async def test_c03_admin_cannot_read_a_c04_person(client: Client, token_for: TokenFor) -> None:
    c04_admin_id = (
        await UserAccount.select(UserAccount.id).where(UserAccount.name == "卫东岗").first()
    )
    assert c04_admin_id is not None
    admin = await token_for(Role.COMMUNITY_ADMIN)
    response = await client.get(f"/v1/users/{c04_admin_id['id']}", headers=bearer(admin))
    assert response.status_code == 404
    assert await AuditEntry.count() == 0


async def test_a_prefix_is_not_a_subtree(client: Client, token_for: TokenFor) -> None:
    """c0 is not an ancestor of c03: scope is tested by whole segments."""
    admin = await token_for(Role.DISTRICT_ADMIN)
    response = await client.get("/v1/staff", params={"under": "zz/g"}, headers=bearer(admin))
    assert response.status_code == 403


@pytest.mark.parametrize("role", ["community_admin", "district_admin", "platform_admin"])
async def test_a_community_admin_cannot_grant_admin_roles(
    client: Client, token_for: TokenFor, role: str
) -> None:
    admin = await token_for(Role.COMMUNITY_ADMIN)
    response = await client.post("/v1/staff", json=_staff(C03, role=role), headers=bearer(admin))
    assert response.status_code == 403


async def test_a_district_admin_grants_a_community_admin(
    client: Client, token_for: TokenFor
) -> None:
    admin = await token_for(Role.DISTRICT_ADMIN)
    response = await client.post(
        "/v1/staff", json=_staff(C04, role="community_admin"), headers=bearer(admin)
    )
    assert response.status_code == 201


async def test_grid_workers_cannot_provision(client: Client, token_for: TokenFor) -> None:
    worker = await token_for(Role.GRID_WORKER)
    response = await client.post("/v1/staff", json=_staff(f"{C03}/g07"), headers=bearer(worker))
    assert response.status_code == 403


async def test_unknown_org_is_refused(client: Client, token_for: TokenFor) -> None:
    admin = await token_for(Role.COMMUNITY_ADMIN)
    response = await client.post("/v1/staff", json=_staff(f"{C03}/g99"), headers=bearer(admin))
    assert response.status_code == 422
    assert response.json()["code"] == "org_unknown"


@pytest.mark.parametrize(
    "change",
    [
        {"phone": "123"},
        {"role": "emperor"},
        {"scope_path": "ZZ/../x"},
        {"name": ""},
        {"id_card": "12345"},
    ],
)
async def test_bad_staff_input_is_a_400_and_changes_nothing(
    client: Client, token_for: TokenFor, change: dict[str, str]
) -> None:
    admin = await token_for(Role.COMMUNITY_ADMIN)
    before = await RoleAssignment.count()
    response = await client.post(
        "/v1/staff", json={**_staff(f"{C03}/g07"), **change}, headers=bearer(admin)
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert await RoleAssignment.count() == before


async def test_staff_list_pages_by_cursor(client: Client, token_for: TokenFor) -> None:
    admin = await token_for(Role.PLATFORM_ADMIN)
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 4, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/v1/staff", params=params, headers=bearer(admin))).json()
        seen += [s["assignment_id"] for s in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(set(seen))
    staff = RoleAssignment.role.is_in(sorted(STAFF_ROLES))
    assert len(seen) == await RoleAssignment.count().where(staff)


async def test_a_bad_cursor_is_a_400(client: Client, token_for: TokenFor) -> None:
    admin = await token_for(Role.PLATFORM_ADMIN)
    response = await client.get("/v1/staff", params={"cursor": "!!"}, headers=bearer(admin))
    assert response.status_code == 400
    assert response.json()["code"] == "cursor_invalid"


async def test_the_staff_list_leaves_out_family_members(
    client: Client, token_for: TokenFor
) -> None:
    """The demo's family member holds her role over g07, inside c03: she is a resident who
    looks after another, not staff of the community."""
    admin = await token_for(Role.COMMUNITY_ADMIN)
    listed = await client.get("/v1/staff", params={"limit": 100}, headers=bearer(admin))
    assert listed.status_code == 200, listed.text
    shown = {(s["name"], s["role"]) for s in listed.json()["items"]}
    assert ("李网格", "grid_worker") in shown
    assert ("吴护理", "care_worker") in shown
    assert not any(role == "family_member" for _, role in shown)


async def test_staff_provisioning_grants_no_family_role(
    client: Client, token_for: TokenFor
) -> None:
    admin = await token_for(Role.PLATFORM_ADMIN)
    before = await RoleAssignment.count()
    response = await client.post(
        "/v1/staff", json=_staff(f"{C03}/g07", role="family_member"), headers=bearer(admin)
    )
    assert response.status_code == 403
    assert response.json()["code"] == "grant_not_allowed"
    assert await RoleAssignment.count() == before
