"""Rows for elderly care: an elder (the g07 resident) is seen by themselves, the accepted
members of their circle and care staff over their grid (its workers, the admins above it);
to anyone else the elder is not found. Anyone signed in enrols themselves and asks to join
a circle; staff enrol the residents of their grids. Only the elder, or staff for them,
decide an ask; a member may end their own binding."""

from __future__ import annotations

from miniapps.elderly_care.elders import invite_of
from miniapps.elderly_care.tables import Elder, FamilyBinding
from tests.authz.city import City
from tests.authz.matrix import (
    ADMINS_ABOVE_G07,
    G07,
    NOTHING,
    SIGNED_IN,
    Caller,
    Req,
    Row,
    Target,
    each,
    json_body,
    no_request,
    path_ids,
)

APP = "/v1/miniapps/elderly_care"
BINDING = f"{APP}/elders/{{elder_id:int}}/family/{{binding_id:int}}"
# The demo callers whose home is a grid, not a wider unit.
HOMED_IN_A_GRID = (
    Caller.RESIDENT,
    Caller.FAMILY,
    Caller.WORKER_G07,
    Caller.WORKER_G08,
    Caller.RESIDENT_JINSHUI,
)
# Care staff over the g07 resident's grid.
STAFF_OF_G07 = (Caller.WORKER_G07, Caller.CARE, *ADMINS_ABOVE_G07)


async def _afresh() -> None:
    await FamilyBinding.delete(force=True)
    await Elder.delete(force=True)


async def _nobody_enrolled(city: City, caller: Caller) -> Target:
    await _afresh()
    return Target(path=G07, owner=Caller.RESIDENT, ids={"user_id": city.ids[Caller.RESIDENT]})


async def _elder(city: City, *, status: str | None) -> Target:
    """The g07 resident enrolled, and the family member's binding in `status` if given."""
    await _afresh()
    resident = city.ids[Caller.RESIDENT]
    [elder] = await Elder.insert(
        Elder(user_id=resident, grid_path=G07, enrolled_by=resident, enrolled_as="self")
    )
    ids = {"elder_id": elder["id"]}
    if status is not None:
        [binding] = await FamilyBinding.insert(
            FamilyBinding(
                elder_id=elder["id"],
                member_id=city.ids[Caller.FAMILY],
                relation="女儿",
                status=status,
            )
        )
        ids["binding_id"] = binding["id"]
    return Target(path=G07, owner=Caller.RESIDENT, ids=ids)


async def _elder_alone(city: City, caller: Caller) -> Target:
    return await _elder(city, status=None)


async def _elder_with_family(city: City, caller: Caller) -> Target:
    return await _elder(city, status="accepted")


async def _ask_pending(city: City, caller: Caller) -> Target:
    return await _elder(city, status="pending")


async def _for_the_elder(city: City, target: Target, caller: Caller) -> Req:
    # Staff act for the elder with a reason; the elder's and a member's own go unread.
    return Req(
        path_params={"elder_id": target.ids["elder_id"], "binding_id": target.ids["binding_id"]},
        json={"reason": "老人电话确认"},
    )


async def _asking(city: City, target: Target, caller: Caller) -> Req:
    invite = invite_of(target.ids["elder_id"], city.vault)
    return Req(json={"invite": invite, "relation": "女儿"})


async def _enrolling(city: City, target: Target, caller: Caller) -> Req:
    return Req(json={"phone": "13800000001", "relation": "女儿"})


async def _care(city: City, target: Target, caller: Caller) -> Req:
    return Req(
        path_params={"elder_id": target.ids["elder_id"]},
        json={"living_alone": True, "care_worker_id": city.ids[Caller.CARE], "risk_notes": "独居"},
    )


async def _tidy(city: City) -> None:
    await _afresh()


ROWS = [
    Row(
        "POST",
        f"{APP}/elders",
        {"oneself": _nobody_enrolled},
        # Anyone signed in whose home is a grid; a home wider than a grid is no place for an
        # elder (nobody's grid worker looks in), whoever asks.
        {"oneself": {**each(SIGNED_IN, 422), **each(HOMED_IN_A_GRID, 201)}},
        json_body(lambda _: {}),
        variant="oneself",
        after=_tidy,
    ),
    Row(
        "POST",
        f"{APP}/elders",
        {"the g07 resident": _nobody_enrolled},
        {"the g07 resident": each((Caller.RESIDENT, *STAFF_OF_G07), 201)},
        json_body(lambda target: {"user_id": target.ids["user_id"]}),
        variant="a resident",
        denied=404,
        after=_tidy,
    ),
    Row(
        "GET",
        f"{APP}/elders/{{elder_id:int}}",
        {"the g07 elder": _elder_with_family},
        {"the g07 elder": each((Caller.RESIDENT, Caller.FAMILY, *STAFF_OF_G07), 200)},
        path_ids("elder_id"),
        denied=404,
        after=_tidy,
    ),
    Row(
        "PUT",
        f"{APP}/elders/{{elder_id:int}}/care",
        {"the g07 elder": _elder_with_family},
        # The elder and their circle see the elder, but keep nothing of their care.
        {
            "the g07 elder": {
                **each(STAFF_OF_G07, 200),
                Caller.RESIDENT: 403,
                Caller.FAMILY: 403,
            }
        },
        _care,
        denied=404,
        after=_tidy,
    ),
    Row("GET", f"{APP}/family/elders", NOTHING, {"-": each(SIGNED_IN, 200)}, no_request),
    # Only the elder themselves: anyone else is no elder of their own.
    Row(
        "GET",
        f"{APP}/elders/me",
        {"the g07 elder": _elder_with_family},
        {"the g07 elder": {Caller.RESIDENT: 200}},
        no_request,
        denied=404,
        after=_tidy,
    ),
    Row(
        "GET",
        f"{APP}/elders/{{elder_id:int}}/invite",
        {"the g07 elder": _elder_with_family},
        {"the g07 elder": each((Caller.RESIDENT, Caller.FAMILY, *STAFF_OF_G07), 200)},
        path_ids("elder_id"),
        denied=404,
        after=_tidy,
    ),
    Row(
        "POST",
        f"{APP}/family/asks",
        {"the g07 elder": _elder_alone},
        # Anyone signed in asks; the elder cannot join their own circle.
        {"the g07 elder": {**each(SIGNED_IN, 201), Caller.RESIDENT: 422}},
        _asking,
        after=_tidy,
    ),
    Row(
        "POST",
        f"{APP}/family/enrolments",
        {"the g07 resident": _nobody_enrolled},
        # Anyone signed in may ask; the answer is the same whoever the phone is.
        {"the g07 resident": each(SIGNED_IN, 204)},
        _enrolling,
        after=_tidy,
    ),
    *(
        Row(
            "POST",
            f"{BINDING}/{action}",
            {"the family member's ask": _ask_pending},
            {"the family member's ask": each((Caller.RESIDENT, *STAFF_OF_G07), 200)},
            _for_the_elder,
            denied=404,
            after=_tidy,
        )
        for action in ("accept", "decline")
    ),
    Row(
        "POST",
        f"{BINDING}/remove",
        {"the family member's binding": _elder_with_family},
        {"the family member's binding": each((Caller.RESIDENT, Caller.FAMILY, *STAFF_OF_G07), 204)},
        _for_the_elder,
        denied=404,
        after=_tidy,
    ),
]
