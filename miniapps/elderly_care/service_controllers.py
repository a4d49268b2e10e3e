"""HTTP of home care services: a community's catalogue and its slots, and an elder's
care allowance."""

from __future__ import annotations

from typing import Annotated

from litestar import get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from backend.sdk import AnyRequest, RowId, claims_of, problems, strictly
from miniapps.elderly_care import catalogue, elders, subsidy
from miniapps.elderly_care.errors import CareProblem as Problem
from miniapps.elderly_care.runtime import CareRuntime
from miniapps.elderly_care.schemas import ORG_PATH
from miniapps.elderly_care.service_schemas import (
    CareServiceIn,
    CareServiceList,
    CareServiceView,
    SlotIn,
    SlotList,
    SlotView,
    SubsidyIn,
    SubsidyView,
)

ADMIN_OVER = {403: [Problem.COMMUNITY_NOT_YOURS], 404: [Problem.NOT_A_COMMUNITY]}


@post(
    "/services",
    operation_id="AddCareService",
    responses=problems({**ADMIN_OVER, 422: [Problem.PROVIDER_NOT_MERCHANT]}),
)
async def add_service(
    request: AnyRequest, data: JSONBody[CareServiceIn], care: NamedDependency[CareRuntime]
) -> CareServiceView:
    """Add a service to a community's catalogue, by the admins over the community.

    Its provider is a merchant, who is paid what it costs; `price_fen` 0 is free."""
    service = strictly(await request.json(), CareServiceIn)
    service_id = await catalogue.add_service(actor=claims_of(request), service=service, care=care)
    return (await catalogue.service_views([await catalogue.service_row(service_id)]))[0]


@get("/services", operation_id="ListCareServices")
async def list_services(
    community: Annotated[
        str,
        QueryParameter(
            description="The community's org path, e.g. zz/gx/fengyang/c03.",
            max_length=200,
            pattern=ORG_PATH,
        ),
    ],
) -> CareServiceList:
    """A community's catalogue of home care services, for anyone signed in."""
    return await catalogue.services_in(community)


@post(
    "/services/{service_id:int}/slots",
    operation_id="OpenCareSlot",
    responses=problems(
        {
            403: [Problem.COMMUNITY_NOT_YOURS],
            404: [Problem.SERVICE_NOT_FOUND, Problem.NOT_A_COMMUNITY],
            409: [Problem.SLOT_EXISTS],
            422: [Problem.SLOT_IN_PAST, Problem.SLOT_TOO_FAR],
        }
    ),
)
async def open_slot(
    request: AnyRequest,
    service_id: FromPath[RowId],
    data: JSONBody[SlotIn],
    care: NamedDependency[CareRuntime],
) -> SlotView:
    """Open a time the service can be booked for, by the admins over its community."""
    slot = strictly(await request.json(), SlotIn)
    return await catalogue.open_slot(
        actor=claims_of(request), service_id=service_id, slot=slot, care=care
    )


@get(
    "/services/{service_id:int}/slots",
    operation_id="ListCareSlots",
    responses=problems({404: [Problem.SERVICE_NOT_FOUND]}),
)
async def list_slots(service_id: FromPath[RowId], care: NamedDependency[CareRuntime]) -> SlotList:
    """The service's slots still to come, soonest first, with the places left."""
    return await catalogue.slots_of(service_id, care)


SUBSIDY = "/elders/{elder_id:int}/subsidy"


@get(SUBSIDY, operation_id="GetCareSubsidy", responses=problems({404: [Problem.ELDER_NOT_FOUND]}))
async def get_subsidy(
    request: AnyRequest, elder_id: FromPath[RowId], care: NamedDependency[CareRuntime]
) -> SubsidyView:
    """The elder's care allowance and what is left of it this month."""
    seen = await elders.elder_seen_by(claims_of(request), elder_id)
    return await subsidy.subsidy_of(seen, care)


@put(
    SUBSIDY,
    operation_id="SetCareSubsidy",
    responses=problems({403: [Problem.COMMUNITY_NOT_YOURS], 404: [Problem.ELDER_NOT_FOUND]}),
)
async def set_subsidy(
    request: AnyRequest,
    elder_id: FromPath[RowId],
    data: JSONBody[SubsidyIn],
    care: NamedDependency[CareRuntime],
) -> SubsidyView:
    """Set the elder's monthly care allowance, by the admins over their grid.

    Services the elder books are paid from it first. This month's balance moves by the
    change; what a month leaves unspent does not carry over."""
    body = strictly(await request.json(), SubsidyIn)
    actor = claims_of(request)
    seen = await elders.elder_seen_by(actor, elder_id)
    return await subsidy.set_subsidy(actor=actor, seen=seen, subsidy=body, care=care)


SERVICE_ROUTES = [add_service, list_services, open_slot, list_slots, get_subsidy, set_subsidy]
