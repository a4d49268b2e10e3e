"""A people's mediation carried through the API as the apps would: the g07 resident
applies against the family member of the demo city, who answers; the fengyang mediator
sits on the committee of community c03."""

from __future__ import annotations

from typing import Any

from push.tables import InboxItem
from tests.conftest import Client, TokenForPhone
from tests.miniapps.legal_aid.desk import APP, Person, someone
from tests.support import notices_recorded

APPLICANT, OTHER, MEDIATOR = "13800000001", "13800000002", "13800000013"
SUMMARY = "邻居装修噪音扰民,协商未果,申请调解"


class Sides:
    """The applicant, the other party and a mediator of the committee."""

    def __init__(self, applicant: Person, other: Person, mediator: Person) -> None:
        self.applicant = applicant
        self.other = other
        self.mediator = mediator


async def sides(client: Client, token_for_phone: TokenForPhone) -> Sides:
    return Sides(
        await someone(client, token_for_phone, APPLICANT),
        await someone(client, token_for_phone, OTHER),
        await someone(client, token_for_phone, MEDIATOR),
    )


async def apply(
    client: Client, who: Person, other_phone: str = OTHER, **extra: Any
) -> dict[str, Any]:
    applied = await client.post(
        f"{APP}/mediations",
        json={
            "other_phone": other_phone,
            "other_name": "王五",
            "category": "property",
            "summary": SUMMARY,
            **extra,
        },
        headers=who.headers,
    )
    assert applied.status_code == 201, applied.text
    body: dict[str, Any] = applied.json()
    return body


async def act(
    client: Client, who: Person, mediation_id: int, step: str, body: dict[str, Any]
) -> dict[str, Any]:
    """A step that must succeed; what the mediation looks like after it."""
    done = await client.post(
        f"{APP}/mediations/{mediation_id}/{step}", json=body, headers=who.headers
    )
    assert done.status_code in (200, 201), done.text
    answer: dict[str, Any] = done.json()
    return answer


async def assigned(client: Client, s: Sides) -> int:
    """A mediation the other party accepted and the committee gave to its mediator."""
    mediation_id = int((await apply(client, s.applicant))["id"])
    await act(client, s.other, mediation_id, "answer", {"accept": True})
    await act(client, s.mediator, mediation_id, "mediator", {"mediator_id": s.mediator.user_id})
    return mediation_id


async def told(user_id: int, title: str) -> int:
    """How many notices with this title the person has."""
    await notices_recorded()
    return await InboxItem.count().where(
        (InboxItem.user_id == user_id) & (InboxItem.title == title)
    )
