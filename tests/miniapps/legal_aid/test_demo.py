"""The demo city's legal desk: seeded twice it is there once, and a resident's question
waits in the centre's pool for the demo lawyer to take and answer."""

from __future__ import annotations

from miniapps.legal_aid.demo import seed_demo_desk
from miniapps.legal_aid.tables import Lawyer, Station
from tests.conftest import Client, TokenForPhone
from tests.miniapps.legal_aid.desk import APP, DEMO_LAWYER, RESIDENT, ask, someone


async def test_the_demo_lawyer_takes_and_answers_a_question_from_the_pool(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    await seed_demo_desk()
    await seed_demo_desk()
    assert (await Station.count(), await Lawyer.count()) == (1, 2)  # a lawyer, a legal worker
    resident = await someone(client, token_for_phone, RESIDENT)
    lawyer = await someone(client, token_for_phone, DEMO_LAWYER)
    asked = await ask(client, resident)
    assert asked["lawyer_id"] is None
    queue = await client.get(f"{APP}/consultations/queue", headers=lawyer.headers)
    assert [c["id"] for c in queue.json()["items"]] == [asked["id"]]
    url = f"{APP}/consultations/{asked['id']}"
    assert (await client.post(f"{url}/take", headers=lawyer.headers)).status_code == 200
    answered = await client.post(
        f"{url}/messages", json={"text": "建议先申请劳动仲裁。"}, headers=lawyer.headers
    )
    assert answered.json()["status"] == "answered"
