"""Elder profiles: enrolled by the resident or by care staff over their home grid, seen by
the elder, their circle and that staff; to anyone else the elder is not found."""

from __future__ import annotations

from backend.kernel.roles import Role
from miniapps.elderly_care.tables import Elder
from tests.conftest import Client, TokenFor, TokenForPhone, bearer
from tests.miniapps.payment.helpers import user_id_of

APP = "/v1/miniapps/elderly_care"
G07 = "zz/gx/fengyang/c03/g07"
WORKER_G08 = "13800000004"
RESIDENT_JINSHUI = "13800000016"


async def test_a_resident_enrols_themselves_once(client: Client, token_for: TokenFor) -> None:
    elder = bearer(await token_for(Role.RESIDENT))
    enrolled = await client.post(f"{APP}/elders", json={"living_alone": True}, headers=elder)
    assert enrolled.status_code == 201, enrolled.text
    body = enrolled.json()
    assert (body["enrolled_as"], body["grid_path"], body["living_alone"]) == ("self", G07, True)
    assert body["family"] == []
    again = await client.post(f"{APP}/elders", json={}, headers=elder)
    assert again.status_code == 409
    assert again.json()["code"] == "already_enrolled"
    assert await Elder.count() == 1


async def test_care_staff_enrol_a_resident_of_their_grids_and_no_one_else_does(
    client: Client, token_for: TokenFor, token_for_phone: TokenForPhone
) -> None:
    resident = await user_id_of(client, await token_for(Role.RESIDENT))
    body = {"user_id": resident}
    for outsider in (
        await token_for_phone(WORKER_G08),
        await token_for_phone(RESIDENT_JINSHUI),
        await token_for(Role.MERCHANT),
    ):
        refused = await client.post(f"{APP}/elders", json=body, headers=bearer(outsider))
        assert refused.status_code == 404
        assert refused.json()["code"] == "person_not_found"
    assert await Elder.count() == 0
    care = bearer(await token_for(Role.CARE_WORKER))
    enrolled = await client.post(f"{APP}/elders", json=body, headers=care)
    assert enrolled.status_code == 201, enrolled.text
    assert enrolled.json()["enrolled_as"] == "staff"
    assert enrolled.json()["user_id"] == resident
    [row] = await Elder.select(Elder.enrolled_by)
    assert row["enrolled_by"] == await user_id_of(client, await token_for(Role.CARE_WORKER))


async def test_an_elder_enrolled_by_staff_finds_their_own_profile_on_their_phone(
    client: Client, token_for: TokenFor
) -> None:
    elder = bearer(await token_for(Role.RESIDENT))
    before = await client.get(f"{APP}/elders/me", headers=elder)
    assert before.status_code == 404
    assert before.json()["code"] == "elder_not_found"
    resident = await user_id_of(client, await token_for(Role.RESIDENT))
    care = bearer(await token_for(Role.CARE_WORKER))
    enrolled = await client.post(f"{APP}/elders", json={"user_id": resident}, headers=care)
    own = await client.get(f"{APP}/elders/me", headers=elder)
    assert own.status_code == 200, own.text
    assert own.json()["id"] == enrolled.json()["id"]
    assert own.json()["user_id"] == resident
    # The care worker enrolled them; that makes the worker no elder.
    assert (await client.get(f"{APP}/elders/me", headers=care)).status_code == 404


async def test_the_elder_and_the_staff_over_their_grid_see_them_and_nobody_else_does(
    client: Client, token_for: TokenFor, token_for_phone: TokenForPhone
) -> None:
    elder = bearer(await token_for(Role.RESIDENT))
    elder_id = (await client.post(f"{APP}/elders", json={}, headers=elder)).json()["id"]
    path = f"{APP}/elders/{elder_id}"
    for role in (Role.RESIDENT, Role.GRID_WORKER, Role.CARE_WORKER, Role.COMMUNITY_ADMIN):
        seen = await client.get(path, headers=bearer(await token_for(role)))
        assert seen.status_code == 200, (role, seen.text)
    for stranger in (
        await token_for_phone(WORKER_G08),
        await token_for_phone(RESIDENT_JINSHUI),
        await token_for(Role.FAMILY_MEMBER),
        await token_for(Role.MERCHANT),
    ):
        unseen = await client.get(path, headers=bearer(stranger))
        assert unseen.status_code == 404
        assert unseen.json()["code"] == "elder_not_found"
    missing = await client.get(f"{APP}/elders/{elder_id + 1}", headers=elder)
    assert missing.json()["code"] == "elder_not_found"
