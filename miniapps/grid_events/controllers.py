"""HTTP of grid events: report, act on the chain, and views scoped by claims."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Response, Router, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, HeaderParameter, JSONBody, QueryParameter

from backend.sdk import (
    AnyRequest,
    Enablement,
    PageLimit,
    Role,
    RowId,
    Storage,
    Vault,
    claims_of,
    idempotent,
    requires_role,
)
from miniapps.grid_events import duty, photos, rules, sensors, service, stats
from miniapps.grid_events.bodies import PhotoUpload, SignedReading
from miniapps.grid_events.schemas import (
    ActIn,
    CategoryPage,
    DutyIn,
    DutyView,
    EventPage,
    EventView,
    ReportIn,
    RuleIn,
    RulePage,
    RuleView,
    SensorEnrolled,
    SensorIn,
    Stage,
)
from miniapps.grid_events.states import State


@get("/categories", operation_id="ListEventCategories")
async def categories(
    cursor: FromQuery[str | None] = None, limit: FromQuery[PageLimit] = 50
) -> CategoryPage:
    """The catalogue of event categories and their attributes, by code; the next page is
    the one after `next_cursor`."""
    return service.categories_page(cursor=cursor, limit=limit)


@post(
    "/events",
    operation_id="ReportEvent",
    middleware=[idempotent],
    guards=[requires_role(Role.RESIDENT, Role.GRID_WORKER)],
)
async def report(request: AnyRequest, data: JSONBody[ReportIn]) -> EventView:
    """上报: report an event at a place; it lands in the grid that holds the place."""
    return await service.report(actor=claims_of(request), data=data)


@get("/events", operation_id="ListEvents")
async def list_events(
    request: AnyRequest,
    event_state: Annotated[State | None, QueryParameter(name="state")] = None,
    cursor: FromQuery[str | None] = None,
    limit: FromQuery[PageLimit] = 50,
) -> EventPage:
    """The caller's reports, queue, grid or subtree, optionally in one state, newest first;
    the next page is the one after `next_cursor`."""
    return await service.list_events(
        actor=claims_of(request), state=event_state, cursor=cursor, limit=limit
    )


def _tagged(view: EventView) -> Response[EventView]:
    return Response(view, headers={"ETag": f'"{view.version}"'})


@get("/events/{event_id:int}", operation_id="GetEvent")
async def get_event(
    request: AnyRequest, event_id: FromPath[RowId], vault: NamedDependency[Vault]
) -> Response[EventView]:
    """One event with its timeline, for those who may see it; its ETag is its version."""
    return _tagged(
        await service.event_view(actor=claims_of(request), event_id=event_id, vault=vault)
    )


@post("/events/{event_id:int}/actions", status_code=200, operation_id="ActOnEvent")
async def act(
    request: AnyRequest,
    event_id: FromPath[RowId],
    data: JSONBody[ActIn],
    vault: NamedDependency[Vault],
    if_match: Annotated[str | None, HeaderParameter(name="If-Match", max_length=64)] = None,
) -> Response[EventView]:
    """Take a step: register, dispatch, reassign, start, feed back, verify, close, return,
    suspend, resume or cancel. An illegal step is a 409 `event_transition_illegal`; a step
    on an event that changed since it was read (or since the version `If-Match` names) is
    a 409 `event_changed`."""
    view = await service.act(
        actor=claims_of(request),
        event_id=event_id,
        data=data,
        vault=vault,
        expected_version=service.version_in(if_match),
    )
    return _tagged(view)


@post("/events/{event_id:int}/photos", operation_id="AddEventPhoto", operation_class=PhotoUpload)
async def add_photo(
    request: AnyRequest,
    event_id: FromPath[RowId],
    stage: FromQuery[Stage],
    storage: NamedDependency[Storage],
) -> dict[str, int]:
    """Attach a photo, before or after: a JPEG or PNG of 5 MB at most, as the raw body or
    as the one file part of a multipart form."""
    content_type = request.headers.get("content-type")
    picture = await photos.picture_sent(content_type, await request.body(), request.form)
    photo_id = await photos.add_photo(
        actor=claims_of(request),
        event_id=event_id,
        stage=stage,
        data=picture,
        storage=storage,
    )
    return {"photo_id": photo_id}


@get("/events/{event_id:int}/photos/{photo_id:int}", operation_id="GetEventPhoto")
async def get_photo(
    request: AnyRequest,
    event_id: FromPath[RowId],
    photo_id: FromPath[RowId],
    storage: NamedDependency[Storage],
) -> Response[bytes]:
    """One photo of an event, for those who may see the event."""
    data, content_type = await photos.photo_bytes(
        actor=claims_of(request), event_id=event_id, photo_id=photo_id, storage=storage
    )
    # nosniff: a browser must never run a stored file as anything but the image it is
    return Response(data, media_type=content_type, headers={"X-Content-Type-Options": "nosniff"})


@get("/duty", operation_id="GetMyDuty", guards=[requires_role(Role.GRID_WORKER)])
async def my_duty(request: AnyRequest) -> DutyView:
    """Whether the calling worker is on duty, and since when they are off."""
    return await duty.duty_of(claims_of(request).user_id)


@put("/duty", operation_id="SetMyDuty", guards=[requires_role(Role.GRID_WORKER)])
async def set_my_duty(request: AnyRequest, data: JSONBody[DutyIn]) -> DutyView:
    """Go on or off duty (上班/下班); off duty, new events go to someone on duty if anyone is."""
    return await duty.set_duty(user_id=claims_of(request).user_id, on_duty=data.on_duty)


@get("/rules", operation_id="ListDispatchRules", guards=[requires_role(*service.ADMINS)])
async def list_rules(
    request: AnyRequest, cursor: FromQuery[str | None] = None, limit: FromQuery[PageLimit] = 50
) -> RulePage:
    """The dispatch rules for places the admin holds, oldest first; the next page is the one
    after `next_cursor`."""
    return await rules.rules_under(
        actor=claims_of(request), admins=service.ADMINS, cursor=cursor, limit=limit
    )


@put("/rules", operation_id="SetDispatchRule", guards=[requires_role(*service.ADMINS)])
async def set_rule(request: AnyRequest, data: JSONBody[RuleIn]) -> RuleView:
    """Send a category's events in a place the admin holds to one worker first (replacing
    the rule for that category and place, if any)."""
    return await rules.set_rule(actor=claims_of(request), rule=data, admins=service.ADMINS)


@delete(
    "/rules/{rule_id:int}",
    operation_id="DropDispatchRule",
    guards=[requires_role(*service.ADMINS)],
)
async def drop_rule(request: AnyRequest, rule_id: FromPath[RowId]) -> None:
    """Drop a rule: its events go to the grid's own workers again."""
    await rules.drop_rule(actor=claims_of(request), rule_id=rule_id, admins=service.ADMINS)


@get("/stats", operation_id="GetEventStats", guards=[requires_role(*service.ADMINS)])
async def event_stats(request: AnyRequest, under: FromQuery[str]) -> stats.EventStats:
    """Counts by state, the overdue, closure and on-time rates and median times, for an org
    unit the admin holds."""
    return await stats.stats_for(actor=claims_of(request), under=under, admins=service.ADMINS)


@post("/sensors", operation_id="EnrolSensor", guards=[requires_role(*service.ADMINS)])
async def enrol_sensor(
    request: AnyRequest, data: JSONBody[SensorIn], vault: NamedDependency[Vault]
) -> SensorEnrolled:
    """Enrol an IoT device in a grid the admin holds; its secret is shown this once. A device
    name already enrolled is a 409."""
    return await sensors.enrol_sensor(
        actor=claims_of(request),
        sensor=data,
        admins=service.ADMINS,
        vault=vault,
    )


@post(
    "/sensors/{device:str}/readings",
    status_code=200,
    operation_id="SendSensorReading",
    operation_class=SignedReading,
    security=[{}],
    opt={"signed_by_device": True},
)
async def sensor_reading(
    request: AnyRequest,
    device: FromPath[str],
    vault: NamedDependency[Vault],
    enablement: NamedDependency[Enablement],
) -> dict[str, Any]:
    """A device's reading, signed: X-Yimen-Timestamp (Unix seconds) and X-Yimen-Signature,
    the hex HMAC-SHA256 of "<timestamp>.<body>" with the device's secret."""
    return await sensors.take_reading(
        device=device,
        timestamp=request.headers.get("x-yimen-timestamp", ""),
        signed=request.headers.get("x-yimen-signature", ""),
        body=await request.body(),
        vault=vault,
        enablement=enablement,
    )


router = Router(
    path="/",
    route_handlers=[
        categories,
        report,
        list_events,
        get_event,
        act,
        event_stats,
        my_duty,
        set_my_duty,
        list_rules,
        set_rule,
        drop_rule,
        add_photo,
        get_photo,
        enrol_sensor,
        sensor_reading,
    ],
)
