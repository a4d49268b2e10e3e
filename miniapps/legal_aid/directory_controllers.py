"""HTTP of the legal directory: stations, the lawyers listed at them, and their duty."""

from __future__ import annotations

from typing import Annotated

from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from backend.sdk import AnyRequest, DirectoryCode, RowId, claims_of, problems, strictly
from miniapps.legal_aid import directory
from miniapps.legal_aid.errors import LegalProblem as Problem
from miniapps.legal_aid.runtime import LegalRuntime
from miniapps.legal_aid.schemas import (
    ORG_PATH,
    LawyerIn,
    LawyerList,
    LawyerView,
    ShiftIn,
    ShiftView,
    StationIn,
    StationList,
    StationView,
)

NOT_ADMIN = {403: [Problem.NOT_DISTRICT_ADMIN]}


@post(
    "/stations",
    operation_id="AddLegalStation",
    responses=problems({**NOT_ADMIN, 422: [DirectoryCode.ORG_UNIT_UNKNOWN, Problem.NOT_A_LAWYER]}),
)
async def add_station(
    request: AnyRequest, data: JSONBody[StationIn], legal: NamedDependency[LegalRuntime]
) -> StationView:
    """Add a legal-aid centre, a legal-service station or a law firm to the directory.

    By a district admin over its org unit, which must exist; its head, if named, holds the
    lawyer role in the district. The district's centre (`kind` centre) keeps
    the pool of questions asked while nobody is on duty."""
    station = strictly(await request.json(), StationIn)
    return await directory.add_station(actor=claims_of(request), station=station, legal=legal)


@get("/stations", operation_id="ListLegalStations")
async def list_stations(
    district: Annotated[
        str,
        QueryParameter(
            description="The district's org path, e.g. zz/gx.", max_length=200, pattern=ORG_PATH
        ),
    ],
) -> StationList:
    """The legal stations of a district, for anyone signed in."""
    return StationList(items=await directory.stations_in(district))


@post(
    "/stations/{station_id:int}/lawyers",
    operation_id="ListLawyerAtStation",
    responses=problems(
        {
            **NOT_ADMIN,
            404: [Problem.STATION_NOT_FOUND],
            409: [Problem.LAWYER_LISTED],
            422: [Problem.NOT_A_LAWYER],
        }
    ),
)
async def list_lawyer(
    request: AnyRequest,
    station_id: FromPath[RowId],
    data: JSONBody[LawyerIn],
    legal: NamedDependency[LegalRuntime],
) -> LawyerView:
    """List a lawyer at a station, with what they know, by a district admin over it.

    The person must hold the lawyer role in the station's district; a lawyer is listed
    at one station."""
    lawyer = strictly(await request.json(), LawyerIn)
    return await directory.list_lawyer(
        actor=claims_of(request), station_id=station_id, lawyer=lawyer, legal=legal
    )


@get(
    "/stations/{station_id:int}/lawyers",
    operation_id="ListStationLawyers",
    responses=problems({**NOT_ADMIN, 404: [Problem.STATION_NOT_FOUND]}),
)
async def station_lawyers(
    request: AnyRequest, station_id: FromPath[RowId], legal: NamedDependency[LegalRuntime]
) -> LawyerList:
    """A station's lawyers, whether each is on duty now and their open consultations.

    For the district admins over the station."""
    station = await directory.station_row(station_id)
    directory.district_admin_over(claims_of(request), str(station["org_path"]))
    return LawyerList(items=await directory.lawyers_at(station_id, legal.clock()))


@post(
    "/lawyers/{lawyer_id:int}/shifts",
    operation_id="AddLawyerShift",
    responses=problems(
        {**NOT_ADMIN, 404: [Problem.LAWYER_NOT_FOUND], 422: [Problem.SHIFT_INVALID]}
    ),
)
async def add_shift(
    request: AnyRequest,
    lawyer_id: FromPath[RowId],
    data: JSONBody[ShiftIn],
    legal: NamedDependency[LegalRuntime],
) -> ShiftView:
    """Put a listed lawyer on duty for consultations (值班).

    By a district admin over them. While on duty, the district's questions are routed to them."""
    shift = strictly(await request.json(), ShiftIn)
    return await directory.add_shift(
        actor=claims_of(request), lawyer_id=lawyer_id, shift=shift, legal=legal
    )


DIRECTORY_ROUTES = [add_station, list_stations, list_lawyer, station_lawyers, add_shift]
