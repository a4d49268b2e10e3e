"""HTTP of elderly care: elder profiles and their family circles."""

from __future__ import annotations

from litestar import Router, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_204_NO_CONTENT

from backend.sdk import (
    AnyRequest,
    Role,
    RowId,
    Vault,
    claims_of,
    problems,
    requires_role,
    strictly,
)
from miniapps.elderly_care import elders, family
from miniapps.elderly_care.alarm_controllers import ALARM_ROUTES
from miniapps.elderly_care.checkin_controllers import CHECKIN_ROUTES
from miniapps.elderly_care.device_controllers import DEVICE_ROUTES
from miniapps.elderly_care.errors import CareProblem as Problem
from miniapps.elderly_care.schemas import (
    CareIn,
    ElderEnrolIn,
    ElderView,
    FamilyAskIn,
    FamilyBindingView,
    FamilyDecisionIn,
    FamilyElderList,
    InviteView,
)

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
        get_elder,
        set_care,
        invite,
        my_elders,
        ask_to_join,
        accept,
        decline,
        remove,
        *ALARM_ROUTES,
        *CHECKIN_ROUTES,
        *DEVICE_ROUTES,
    ],
)
