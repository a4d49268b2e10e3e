"""What care staff keep of an elder: who looks after them, and notes for care staff only,
sealed at rest."""

from __future__ import annotations

from backend.kernel.roles import Role
from miniapps.elderly_care.tables import Elder
from tests.conftest import Client, TokenFor, TokenForPhone, bearer
from tests.miniapps.payment.helpers import user_id_of

APP = "/v1/miniapps/elderly_care"
WORKER_G08 = "13800000004"
NOTES = "独居,患高血压,每周三女儿探望"


async def _enrolled(client: Client, token_for: TokenFor) -> tuple[dict[str, str], int]:
    elder = bearer(await token_for(Role.RESIDENT))
    answer = await client.post(f"{APP}/elders", json={}, headers=elder)
    return elder, int(answer.json()["id"])


async def test_staff_set_the_workers_and_notes_that_only_staff_read(
    client: Client, token_for: TokenFor
) -> None:
    elder, elder_id = await _enrolled(client, token_for)
    care_token, worker_token = await token_for(Role.CARE_WORKER), await token_for(Role.GRID_WORKER)
    care_id, worker_id = (
        await user_id_of(client, care_token),
        await user_id_of(client, worker_token),
    )
    body = {
        "living_alone": True,
        "care_worker_id": care_id,
        "grid_worker_id": worker_id,
        "risk_notes": NOTES,
    }
    answer = await client.put(
        f"{APP}/elders/{elder_id}/care", json=body, headers=bearer(care_token)
    )
    assert answer.status_code == 200, answer.text
    shown = answer.json()
    assert (shown["care_worker"]["id"], shown["grid_worker"]["id"]) == (care_id, worker_id)
    assert (shown["risk_notes"], shown["living_alone"]) == (NOTES, True)
    by_worker = await client.get(f"{APP}/elders/{elder_id}", headers=bearer(worker_token))
    assert by_worker.json()["risk_notes"] == NOTES
    by_elder = (await client.get(f"{APP}/elders/{elder_id}", headers=elder)).json()
    assert by_elder["risk_notes"] is None
    assert by_elder["care_worker"] == shown["care_worker"]
    [row] = await Elder.select(Elder.risk_notes_sealed)
    assert NOTES not in str(row["risk_notes_sealed"])


async def test_only_staff_over_the_grid_set_care_and_only_workers_over_it(
    client: Client, token_for: TokenFor, token_for_phone: TokenForPhone
) -> None:
    elder, elder_id = await _enrolled(client, token_for)
    path = f"{APP}/elders/{elder_id}/care"
    body = {"living_alone": True, "risk_notes": NOTES}
    own = await client.put(path, json=body, headers=elder)
    assert own.status_code == 403
    assert own.json()["code"] == "care_staff_only"
    elsewhere = await client.put(path, json=body, headers=bearer(await token_for_phone(WORKER_G08)))
    assert elsewhere.json()["code"] == "elder_not_found"
    care = bearer(await token_for(Role.CARE_WORKER))
    g08_worker = await user_id_of(client, await token_for_phone(WORKER_G08))
    merchant = await user_id_of(client, await token_for(Role.MERCHANT))
    for field, worker in (("grid_worker_id", g08_worker), ("care_worker_id", merchant)):
        refused = await client.put(path, json={**body, field: worker}, headers=care)
        assert refused.status_code == 422, refused.text
        assert refused.json()["code"] == "worker_not_in_scope"
    assert await Elder.select(Elder.living_alone, Elder.risk_notes_sealed).first() == {
        "living_alone": False,
        "risk_notes_sealed": None,
    }


async def test_care_staff_list_the_elders_under_their_units_with_their_open_alarms(
    client: Client, token_for: TokenFor, token_for_phone: TokenForPhone
) -> None:
    elder, elder_id = await _enrolled(client, token_for)
    care = bearer(await token_for(Role.CARE_WORKER))
    sos = await client.post(f"{APP}/elders/{elder_id}/sos", json={}, headers=elder)
    assert sos.status_code == 201, sos.text
    listed = await client.get(f"{APP}/elders", params={"under": "zz/gx/fengyang/c03"}, headers=care)
    assert listed.status_code == 200, listed.text
    [row] = listed.json()["items"]
    assert (row["id"], row["name"], row["open_alarms"]) == (elder_id, "王居民", 1)

    other = bearer(await token_for_phone(WORKER_G08))
    refused = await client.get(
        f"{APP}/elders", params={"under": "zz/gx/fengyang/c03/g07"}, headers=other
    )
    assert (refused.status_code, refused.json()["code"]) == (403, "care_staff_only")
    own_grid = await client.get(
        f"{APP}/elders", params={"under": "zz/gx/fengyang/c03/g08"}, headers=other
    )
    assert own_grid.json()["items"] == []
    by_resident = await client.get(
        f"{APP}/elders", params={"under": "zz/gx/fengyang/c03/g07"}, headers=elder
    )
    assert by_resident.status_code == 403
