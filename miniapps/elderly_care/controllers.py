"""HTTP of elderly care: elder profiles and their family circles."""

from __future__ import annotations

from typing import Annotated

from litestar import Router, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_204_NO_CONTENT

from backend.sdk import (
    AnyRequest,
    PageCursor,
    PageLimit,
    Role,
    RowId,
    Vault,
    claims_of,
    problems,
    requires_role,
    strictly,
)
from miniapps.elderly_care import elders, family, family_enrolment, roster
from miniapps.elderly_care.alarm_controllers import ALARM_ROUTES
from miniapps.elderly_care.booking_controllers import BOOKING_ROUTES
from miniapps.elderly_care.checkin_controllers import CHECKIN_ROUTES
from miniapps.elderly_care.device_controllers import DEVICE_ROUTES
from miniapps.elderly_care.errors import CareProblem as Problem
from miniapps.elderly_care.schemas import (
    ORG_PATH,
    CareIn,
    ElderEnrolIn,
    ElderRoster,
    ElderView,
    FamilyAskIn,
    FamilyBindingView,
    FamilyDecisionIn,
    FamilyElderList,
    FamilyEnrolIn,
    InviteView,
)
from miniapps.elderly_care.service_controllers import SERVICE_ROUTES
from miniapps.elderly_care.visit_controllers import VISIT_ROUTES

ELDER_UNSEEN = {404: [Problem.ELDER_NOT_FOUND]}
DECIDING = problems(
    {
        404: [Problem.ELDER_NOT_FOUND, Problem.BINDING_NOT_FOUND],
        409: [Problem.BINDING_NOT_PENDING],
        422: [Problem.REASON_REQUIRED],
    }
)
BINDING = "/elders/{elder_id:int}/family/{binding_id:int}"


@post(
    "/elders",
    operation_id="EnrolElder",
    guards=[requires_role(Role.RESIDENT)],
    responses=problems(
        {
            404: [Problem.PERSON_NOT_FOUND],
            409: [Problem.ALREADY_ENROLLED],
            422: [Problem.HOME_UNKNOWN],
        }
    ),
)
async def enrol(
    request: AnyRequest, data: JSONBody[ElderEnrolIn], vault: NamedDependency[Vault]
) -> ElderView:
    """Enrol in elderly care: oneself, or (care staff) a resident of one's grids.

    The elder is placed in the grid of their home, which must be known. Care workers, grid
    workers and admins over that grid enrol a resident by `user_id`, recorded as `staff`;
    anyone else naming another resident gets `person_not_found`."""
    actor = claims_of(request)
    # Read again as sent: a user id is a JSON integer, never "1".
    enrolment = strictly(await request.json(), ElderEnrolIn)
    elder_id = await elders.enrol(actor=actor, enrolment=enrolment)
    return await family.profile(await elders.elder_seen_by(actor, elder_id), vault)


@get("/elders/me", operation_id="GetOwnElder", responses=problems(ELDER_UNSEEN))
async def get_own_elder(request: AnyRequest, vault: NamedDependency[Vault]) -> ElderView:
    """The caller's own elder profile and family circle, once they are enrolled.

    How a phone finds the elder it belongs to (its `id` names it in every elder route):
    enrolled on another phone, by care staff or by family alike. A caller who is not enrolled
    gets `elder_not_found`."""
    return await family.profile(await elders.own_elder(claims_of(request)), vault)


@get("/elders/{elder_id:int}", operation_id="GetElder", responses=problems(ELDER_UNSEEN))
async def get_elder(
    request: AnyRequest, elder_id: FromPath[RowId], vault: NamedDependency[Vault]
) -> ElderView:
    """An elder's profile and family circle.

    For the elder, the members of their circle (who see its accepted members only) and care
    staff over the elder's grid; to anyone else the elder is not found."""
    return await family.profile(await elders.elder_seen_by(claims_of(request), elder_id), vault)


@put(
    "/elders/{elder_id:int}/care",
    operation_id="SetElderCare",
    responses=problems(
        {
            403: [Problem.CARE_STAFF_ONLY],
            404: [Problem.ELDER_NOT_FOUND],
            422: [Problem.WORKER_NOT_IN_SCOPE],
        }
    ),
)
async def set_care(
    request: AnyRequest,
    elder_id: FromPath[RowId],
    data: JSONBody[CareIn],
    vault: NamedDependency[Vault],
) -> ElderView:
    """Set who looks after an elder, whether they live alone, and care notes.

    For care staff over the elder's grid. The care worker and the grid worker named must
    hold those roles over the grid. The risk notes are sealed at rest and shown to care
    staff over the grid only; sending none clears them."""
    care = strictly(await request.json(), CareIn)
    seen = await elders.set_care(
        actor=claims_of(request), elder_id=elder_id, care=care, vault=vault
    )
    return await family.profile(seen, vault)


@get(
    "/elders",
    operation_id="ListElders",
    responses=problems({403: [Problem.CARE_STAFF_ONLY]}),
)
async def list_elders(
    request: AnyRequest,
    under: Annotated[
        str,
        QueryParameter(
            description="The org unit whose elders are listed, e.g. zz/gx/fengyang/c03/g07.",
            max_length=200,
            pattern=ORG_PATH,
        ),
    ],
    cursor: PageCursor = None,
    limit: PageLimit = 20,
) -> ElderRoster:
    """The elders whose home lies under an org unit, for care staff over it.

    Newest enrolled first, each with their care and grid workers, whether they live
    alone, and how many of their alarms are open."""
    return await roster.roster(actor=claims_of(request), under=under, cursor=cursor, limit=limit)


@get("/family/elders", operation_id="ListMyFamilyElders", guards=[requires_role(Role.RESIDENT)])
async def my_elders(request: AnyRequest) -> FamilyElderList:
    """The elders whose family circle the caller is in."""
    return await family.circle_of(claims_of(request).user_id)


@get(
    "/elders/{elder_id:int}/invite",
    operation_id="GetElderInvite",
    responses=problems(ELDER_UNSEEN),
)
async def invite(
    request: AnyRequest, elder_id: FromPath[RowId], vault: NamedDependency[Vault]
) -> InviteView:
    """The invite family use to ask to join the elder's circle.

    For whoever sees the elder: the elder, their circle, care staff over their grid. The
    app shows it as a QR code; the elder's id alone is not enough to ask."""
    seen = await elders.elder_seen_by(claims_of(request), elder_id)
    return InviteView(invite=elders.invite_of(seen.id, vault))


@post(
    "/family/asks",
    operation_id="AskToJoinFamily",
    guards=[requires_role(Role.RESIDENT)],
    responses=problems(
        {
            404: [Problem.ELDER_NOT_FOUND],
            409: [Problem.BINDING_OPEN],
            422: [Problem.BINDING_TO_SELF],
        }
    ),
)
async def ask_to_join(
    request: AnyRequest, data: JSONBody[FamilyAskIn], vault: NamedDependency[Vault]
) -> FamilyBindingView:
    """Ask to join an elder's family circle (亲情关联), with the invite it shared.

    The elder is pushed the ask and accepts or declines it; until then the asker sees
    nothing of them. One open ask or binding per elder and member; an invite not made
    here is an elder not found."""
    return await family.ask(
        actor=claims_of(request), invite=data.invite, relation=data.relation, vault=vault
    )


@post(
    "/family/enrolments",
    status_code=HTTP_204_NO_CONTENT,
    operation_id="EnrolFamilyElder",
    guards=[requires_role(Role.RESIDENT)],
)
async def enrol_for_family(
    request: AnyRequest, data: JSONBody[FamilyEnrolIn], vault: NamedDependency[Vault]
) -> None:
    """Enrol one's elder in elderly care by their phone, asking to join their circle.

    The elder, if not enrolled yet, is enrolled in the grid of their home, recorded as
    enrolled by `family`, and pushed the ask, which they accept or decline as any other;
    until then the asker sees nothing of them. The answer is the same 204 whether or not
    the phone is a resident's: it tells nothing about who uses the app."""
    enrolment = strictly(await request.json(), FamilyEnrolIn)
    await family_enrolment.enrol_for_family(actor=claims_of(request), data=enrolment, vault=vault)


@post(f"{BINDING}/accept", status_code=200, operation_id="AcceptFamilyMember", responses=DECIDING)
async def accept(
    request: AnyRequest,
    elder_id: FromPath[RowId],
    binding_id: FromPath[RowId],
    data: JSONBody[FamilyDecisionIn],
) -> FamilyBindingView:
    """Accept a pending ask into the elder's family circle.

    By the elder, or by care staff over their grid on the elder's behalf (代办), with the
    reason, which is kept with it and shown with the binding."""
    return await family.decide(
        actor=claims_of(request),
        elder_id=elder_id,
        binding_id=binding_id,
        accept=True,
        reason=data.reason,
    )


@post(f"{BINDING}/decline", status_code=200, operation_id="DeclineFamilyMember", responses=DECIDING)
async def decline(
    request: AnyRequest,
    elder_id: FromPath[RowId],
    binding_id: FromPath[RowId],
    data: JSONBody[FamilyDecisionIn],
) -> FamilyBindingView:
    """Decline a pending ask to join the elder's family circle.

    By the elder, or by care staff over their grid for them, with the reason."""
    return await family.decide(
        actor=claims_of(request),
        elder_id=elder_id,
        binding_id=binding_id,
        accept=False,
        reason=data.reason,
    )


@post(
    f"{BINDING}/remove",
    status_code=HTTP_204_NO_CONTENT,
    operation_id="RemoveFamilyMember",
    responses=DECIDING,
)
async def remove(
    request: AnyRequest,
    elder_id: FromPath[RowId],
    binding_id: FromPath[RowId],
    data: JSONBody[FamilyDecisionIn],
) -> None:
    """End a family binding, accepted or still asked.

    By the elder, by care staff over their grid for them with the reason, or by the member
    themselves. The member sees nothing of the elder after it."""
    await family.end(
        actor=claims_of(request), elder_id=elder_id, binding_id=binding_id, reason=data.reason
    )


router = Router(
    path="/",
    route_handlers=[
        enrol,
        list_elders,
        get_own_elder,
        get_elder,
        set_care,
        invite,
        my_elders,
        ask_to_join,
        enrol_for_family,
        accept,
        decline,
        remove,
        *ALARM_ROUTES,
        *CHECKIN_ROUTES,
        *DEVICE_ROUTES,
        *SERVICE_ROUTES,
        *BOOKING_ROUTES,
        *VISIT_ROUTES,
    ],
)
