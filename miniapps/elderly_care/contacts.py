"""An elder's contacts: the members of their circle an alarm rings first, in the elder's
order. With none chosen, the accepted circle in the order it joined; a member who leaves
the circle leaves the list with it."""

from __future__ import annotations

from collections.abc import Sequence

from backend.sdk import Forbidden, Unprocessable, fetch_rows, people, transaction
from miniapps.elderly_care.elders import Seen
from miniapps.elderly_care.errors import CareProblem
from miniapps.elderly_care.schemas import BindingStatus, ContactList, ContactView

_CIRCLE = (
    "SELECT member_id, relation, contact_rank FROM elderly_care_family_binding"
    " WHERE elder_id = $1 AND status = $2"
    " ORDER BY contact_rank IS NULL, contact_rank, id"
)


async def contacts_of(elder_id: int) -> ContactList:
    rows = await fetch_rows(_CIRCLE, elder_id, BindingStatus.ACCEPTED.value)
    chosen = [r for r in rows if r["contact_rank"] is not None]
    listed = chosen or rows
    names = await people(int(r["member_id"]) for r in listed)
    return ContactList(
        items=[
            ContactView(
                rank=rank,
                member_id=int(r["member_id"]),
                name=names[int(r["member_id"])].name if int(r["member_id"]) in names else "",
                relation=str(r["relation"]),
            )
            for rank, r in enumerate(listed, start=1)
        ],
        chosen=bool(chosen),
    )


async def ringing_order(elder_id: int) -> list[int]:
    """The user ids an alarm rings first, in order: the list, without the names it shows."""
    rows = await fetch_rows(_CIRCLE, elder_id, BindingStatus.ACCEPTED.value)
    chosen = [r for r in rows if r["contact_rank"] is not None]
    return [int(r["member_id"]) for r in chosen or rows]


async def choose_contacts(*, seen: Seen, member_ids: Sequence[int]) -> ContactList:
    """The elder (or care staff over their grid) orders their contacts; an empty list goes
    back to the whole circle in the order it joined."""
    if not (seen.own or seen.staff):
        raise Forbidden(CareProblem.CARE_STAFF_ONLY)
    if len(set(member_ids)) != len(member_ids):
        raise Unprocessable(CareProblem.CONTACT_TWICE)
    async with transaction():
        circle = await fetch_rows(_CIRCLE, seen.id, BindingStatus.ACCEPTED.value)
        if not set(member_ids) <= {int(r["member_id"]) for r in circle}:
            raise Unprocessable(CareProblem.CONTACT_NOT_IN_CIRCLE)
        await fetch_rows(
            "UPDATE elderly_care_family_binding SET contact_rank = NULL WHERE elder_id = $1",
            seen.id,
        )
        for rank, member_id in enumerate(member_ids, start=1):
            await fetch_rows(
                "UPDATE elderly_care_family_binding SET contact_rank = $3"
                " WHERE elder_id = $1 AND member_id = $2 AND status = $4",
                seen.id,
                member_id,
                rank,
                BindingStatus.ACCEPTED.value,
            )
    return await contacts_of(seen.id)
