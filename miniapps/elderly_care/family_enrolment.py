"""Enrolment by a family member: a resident names their elder by phone and asks to join the
elder's circle. The elder is enrolled, recorded as enrolled by family, if they were not,
and asked as by an invite; until they accept, the member sees nothing of them.

The answer is the same whether or not the phone is a resident's, enrolled or not: a phone
number tells the asker nothing about who uses the app."""

from __future__ import annotations

from backend.sdk import (
    UNIQUE_VIOLATION,
    Audience,
    Claims,
    Level,
    Vault,
    all_or_nothing,
    fetch_rows,
    level_of,
    notify,
    person,
    person_by_phone,
    unit_of_work,
    utc_now,
)
from miniapps.elderly_care.family import ASKED, elder_link
from miniapps.elderly_care.schemas import BindingStatus, EnrolledAs, FamilyEnrolIn


async def enrol_for_family(*, actor: Claims, data: FamilyEnrolIn, vault: Vault) -> None:
    elder = await person_by_phone(data.phone, vault)
    if (
        elder is None
        or elder.id == actor.user_id
        or not elder.home_path
        or level_of(elder.home_path) is not Level.GRID
    ):
        return
    now = utc_now()
    async with unit_of_work():
        await fetch_rows(
            "INSERT INTO elderly_care_elder (user_id, grid_path, living_alone, enrolled_by,"
            " enrolled_as, enrolled_at) VALUES ($1, $2, $3, $4, $5, $6)"
            " ON CONFLICT (user_id) DO NOTHING",
            elder.id,
            elder.home_path,
            data.living_alone,
            actor.user_id,
            EnrolledAs.FAMILY.value,
            now,
        )
        rows = await fetch_rows("SELECT id FROM elderly_care_elder WHERE user_id = $1", elder.id)
        elder_id = int(rows[0]["id"])
        try:
            async with all_or_nothing():
                await fetch_rows(
                    "INSERT INTO elderly_care_family_binding (elder_id, member_id, relation,"
                    " status, asked_at) VALUES ($1, $2, $3, $4, $5)",
                    elder_id,
                    actor.user_id,
                    data.relation,
                    BindingStatus.PENDING.value,
                    now,
                )
        except UNIQUE_VIOLATION:
            return  # asked already, or in the circle: nothing new to ask
        asker = await person(actor.user_id)
        await notify(
            audience=Audience.users(elder.id),
            template=ASKED,
            data={"name": asker.name if asker else "", "relation": data.relation},
            source="elderly_care",
            collapse_key=f"family-ask-{elder_id}-{actor.user_id}",
            deep_link=elder_link(elder_id),
        )
