"""On and off duty: dispatch passes over a worker off duty while anyone on duty can take the
event, here or up the org tree, and never refuses a report for it."""

from __future__ import annotations

from backend.directory.users.service import account_for_phone, assign_role
from backend.kernel.roles import Role
from backend.kernel.vault import Vault
from tests.conftest import bearer
from tests.miniapps.grid_events.test_chain import G07_WORKER, RESIDENT, People, alert

G07, C03 = "zz/gx/fengyang/c03/g07", "zz/gx/fengyang/c03"


async def _duty(people: People, phone: str, on_duty: bool) -> dict[str, object]:
    response = await people.client.put(
        "/v1/miniapps/grid_events/duty",
        json={"on_duty": on_duty},
        headers=bearer(await people.token(phone)),
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def _worker(vault: Vault, phone: str, path: str) -> int:
    user = await account_for_phone(phone=phone, vault=vault, name="值班网格员")
    await assign_role(user_id=user, role=Role.GRID_WORKER, scope_path=path)
    return user


async def test_a_worker_goes_off_and_back_on_duty(people: People, demo: None) -> None:
    off = await _duty(people, G07_WORKER, False)
    assert off["on_duty"] is False
    assert off["off_since"] is not None
    again = await _duty(people, G07_WORKER, False)
    assert again["off_since"] == off["off_since"]
    mine = await people.client.get(
        "/v1/miniapps/grid_events/duty", headers=bearer(await people.token(G07_WORKER))
    )
    assert mine.json() == off
    assert await _duty(people, G07_WORKER, True) == {"on_duty": True, "off_since": None}
    resident = await people.client.put(
        "/v1/miniapps/grid_events/duty",
        json={"on_duty": False},
        headers=bearer(await people.token(RESIDENT)),
    )
    assert resident.status_code == 403


async def test_reports_pass_over_a_worker_off_duty(
    people: People, demo: None, vault: Vault
) -> None:
    second = await _worker(vault, "13800000099", G07)
    await _duty(people, G07_WORKER, False)
    # the second worker's queue grows, and still the first is passed over
    assert [await alert(people, n) for n in range(3)] == [second] * 3
    await _duty(people, G07_WORKER, True)
    assert await alert(people, 3) == await people.id(G07_WORKER)


async def test_off_duty_in_the_grid_goes_up_the_org_tree(
    people: People, demo: None, vault: Vault
) -> None:
    above = await _worker(vault, "13800000098", C03)
    assert await alert(people, 0) == await people.id(G07_WORKER)
    await _duty(people, G07_WORKER, False)
    assert await alert(people, 1) == above


async def test_with_nobody_on_duty_the_grid_worker_still_gets_it(
    people: People, demo: None
) -> None:
    await _duty(people, G07_WORKER, False)
    assert await alert(people, 0) == await people.id(G07_WORKER)
