"""A mediator who stepped aside (回避), of their own accord or at a party's request, and a
party to the dispute itself, can never be assigned to it, even while the assignment and
the recusal race; one who stepped aside no longer sees it."""

from __future__ import annotations

import asyncio

from miniapps.legal_aid.tables import Mediation
from tests.conftest import Client, TokenForPhone
from tests.miniapps.legal_aid.desk import ADMIN_GX, APP, Person, someone
from tests.miniapps.legal_aid.mediating import act, apply, assigned, sides, told

C03 = "zz/gx/fengyang/c03"


async def _second_mediator(client: Client, token_for_phone: TokenForPhone, phone: str) -> Person:
    admin = await someone(client, token_for_phone, ADMIN_GX)
    made = await client.post(
        "/v1/staff",
        json={"phone": phone, "name": "调解员乙", "role": "mediator", "scope_path": C03},
        headers=admin.headers,
    )
    assert made.status_code == 201, made.text
    return await someone(client, token_for_phone, phone)


async def test_a_mediator_a_party_asked_to_step_aside_is_never_assigned(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    s = await sides(client, token_for_phone)
    other_mediator = await _second_mediator(client, token_for_phone, "13900000220")
    mediation_id = int((await apply(client, s.applicant))["id"])
    await act(client, s.other, mediation_id, "answer", {"accept": True})
    await act(
        client,
        s.other,
        mediation_id,
        "recusals",
        {"mediator_id": s.mediator.user_id, "reason": "该调解员与申请人是亲属"},
    )
    assign = f"{APP}/mediations/{mediation_id}/mediator"
    for chooser in (other_mediator, await someone(client, token_for_phone, ADMIN_GX)):
        refused = await client.post(
            assign, json={"mediator_id": s.mediator.user_id}, headers=chooser.headers
        )
        assert (refused.status_code, refused.json()["code"]) == (422, "legal_mediator_recused")
    # The one who must step aside no longer sees it, so cannot take it either.
    hidden = await client.get(f"{APP}/mediations/{mediation_id}", headers=s.mediator.headers)
    assert hidden.status_code == 404
    took = await client.post(
        assign, json={"mediator_id": s.mediator.user_id}, headers=s.mediator.headers
    )
    assert took.status_code == 404
    queue = await client.get(f"{APP}/mediations/committee", headers=s.mediator.headers)
    assert queue.json()["items"] == []

    for party in (s.applicant, s.other):  # a party never mediates their own dispute
        refused = await client.post(
            assign, json={"mediator_id": party.user_id}, headers=other_mediator.headers
        )
        assert (refused.status_code, refused.json()["code"]) == (422, "legal_mediator_recused")
    lawyer = await someone(client, token_for_phone, "13800000012")
    refused = await client.post(
        assign, json={"mediator_id": lawyer.user_id}, headers=other_mediator.headers
    )
    assert (refused.status_code, refused.json()["code"]) == (422, "legal_not_a_mediator")
    row = (
        await Mediation.select(Mediation.mediator_id, Mediation.status)
        .where(Mediation.id == mediation_id)
        .first()
    )
    assert row == {"mediator_id": None, "status": "accepted"}

    given = await act(
        client, other_mediator, mediation_id, "mediator", {"mediator_id": other_mediator.user_id}
    )
    assert given["mediator_id"] == other_mediator.user_id


async def test_an_assigned_mediator_who_declares_a_conflict_hands_it_back(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    s = await sides(client, token_for_phone)
    other_mediator = await _second_mediator(client, token_for_phone, "13900000221")
    mediation_id = await assigned(client, s)
    answer = await act(
        client, s.mediator, mediation_id, "recusals", {"reason": "曾为对方提供法律服务"}
    )
    assert answer == {"recused": True}
    row = (
        await Mediation.select(Mediation.mediator_id, Mediation.status)
        .where(Mediation.id == mediation_id)
        .first()
    )
    assert row == {"mediator_id": None, "status": "accepted"}
    assert await told(other_mediator.user_id, "待指派调解员") == 2  # on acceptance, and now
    refused = await client.post(
        f"{APP}/mediations/{mediation_id}/mediator",
        json={"mediator_id": s.mediator.user_id},
        headers=other_mediator.headers,
    )
    assert refused.status_code == 422
    by_party = await client.post(
        f"{APP}/mediations/{mediation_id}/recusals",
        json={"reason": "回避"},
        headers=s.applicant.headers,
    )
    assert (by_party.status_code, by_party.json()["code"]) == (422, "legal_not_a_mediator")


async def test_a_recusal_racing_an_assignment_never_leaves_the_recused_mediator_assigned(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    s = await sides(client, token_for_phone)
    other_mediator = await _second_mediator(client, token_for_phone, "13900000222")
    for _ in range(3):
        mediation_id = int((await apply(client, s.applicant))["id"])
        await act(client, s.other, mediation_id, "answer", {"accept": True})
        await asyncio.gather(
            client.post(
                f"{APP}/mediations/{mediation_id}/mediator",
                json={"mediator_id": s.mediator.user_id},
                headers=other_mediator.headers,
            ),
            client.post(
                f"{APP}/mediations/{mediation_id}/recusals",
                json={"mediator_id": s.mediator.user_id, "reason": "亲属关系"},
                headers=s.applicant.headers,
            ),
        )
        row = (
            await Mediation.select(Mediation.mediator_id)
            .where(Mediation.id == mediation_id)
            .first()
        )
        assert row == {"mediator_id": None}
        # Closed, so that the next round may apply against the same party again.
        await Mediation.update({Mediation.status: "failed"}).where(Mediation.id == mediation_id)
