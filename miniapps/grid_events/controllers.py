"""HTTP of grid events: report, act on the chain, and views scoped by claims."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Response, Router, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import (
    FromPath,
    FromQuery,
    HeaderParameter,
    JSONBody,
    PathParameter,
    QueryParameter,
)

from backend.sdk import (
    AnyRequest,
    DirectoryCode,
    Enablement,
    EncodedAnswer,
    KernelCode,
    PageCursor,
    PageLimit,
    PhotoImage,
    PhotoUpload,
    Quota,
    Role,
    RowId,
    Storage,
    Vault,
    claims_of,
    idempotent,
    photo_response,
    picture_sent,
    problems,
    rate_limited,
    require_json,
    requires_role,
    role_held,
)
from miniapps.grid_events import duty, photos, rules, sensors, service, stats
from miniapps.grid_events.bodies import SignedReading
from miniapps.grid_events.errors import GridEventsCode as Code
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

# What the handler of a step can refuse, besides its guards and its shape.
NO_EVENT = {404: [Code.EVENT_NOT_FOUND]}


@get("/categories", operation_id="ListEventCategories")
async def categories(cursor: PageCursor = None, limit: FromQuery[PageLimit] = 50) -> CategoryPage:
    """The catalogue of event categories and their attributes, by code.

    A report names one category and fills its attributes; the category decides the role
    that handles it, its deadlines, and whether it is dispatched at once. The next page is
    the one after `next_cursor`."""
    return service.categories_page(cursor=cursor, limit=limit)


@post(
    "/events",
    operation_id="ReportEvent",
    middleware=[
        rate_limited(Quota.REPORTS),
        idempotent,
        role_held(Role.RESIDENT, Role.GRID_WORKER),
    ],
    responses=problems(
        {
            422: [
                Code.EVENT_REPORT_INVALID,
                Code.EVENT_NO_GRID,
                Code.EVENT_NEEDS_PLACE,
                Code.EVENT_NO_HANDLER,
            ],
        }
    ),
)
async def report(request: AnyRequest, data: JSONBody[ReportIn]) -> EncodedAnswer[EventView]:
    """Report an event at a place (上报).

    It lands in the grid that holds the place (without a place: the reporter's home grid or
    community, or a worker's own grid). A second report of the same category near an open
    event is added to that event's timeline instead. An urgent category is dispatched at
    once, and refused if nobody could take it. Send an `Idempotency-Key` to report once
    however often the request is repeated."""
    view = await service.report(actor=claims_of(request), data=data)
    # Encoded here, as the list is: the framework's Response cost reports a seventh.
    return EncodedAnswer(msgspec.json.encode(view), headers={}, status=201)


@get(
    "/events",
    operation_id="ListEvents",
    responses=problems({400: [KernelCode.CURSOR_INVALID]}),
)
async def list_events(
    request: AnyRequest,
    event_state: Annotated[
        State | None, QueryParameter(name="state", description="Only events in this state.")
    ] = None,
    cursor: PageCursor = None,
    limit: FromQuery[PageLimit] = 50,
) -> EncodedAnswer[EventPage]:
    """The events the caller may see, newest first, a page at a time.

    A resident sees their reports; a grid worker their queue and grid; an admin their
    subtree. The next page is the one after `next_cursor`."""
    page = await service.list_events(
        actor=claims_of(request), state=event_state, cursor=cursor, limit=limit
    )
    # Encoded here: the worker's queue is the most read list, and a Response built and
    # encoded by the framework for each page cost a sixth of the route's speed.
    return EncodedAnswer(msgspec.json.encode(page), headers={})


def _tagged(view: EventView) -> Response[EventView]:
    return Response(view, headers={"ETag": f'"{view.version}"'})


@get("/events/{event_id:int}", operation_id="GetEvent", responses=problems(NO_EVENT))
async def get_event(
    request: AnyRequest, event_id: FromPath[RowId], vault: NamedDependency[Vault]
) -> Response[EventView]:
    """One event with its timeline, photos and the steps the caller may take now.

    For its reporter, its handler, and staff above its grid; to anyone else it does not
    exist. Its `ETag` is its version, for `If-Match` on the next step."""
    return _tagged(
        await service.event_view(actor=claims_of(request), event_id=event_id, vault=vault)
    )


@post(
    "/events/{event_id:int}/actions",
    status_code=200,
    operation_id="ActOnEvent",
    responses=problems(
        {
            **NO_EVENT,
            400: [Code.EVENT_REASON_REQUIRED, Code.IF_MATCH_INVALID],
            403: [
                KernelCode.FORBIDDEN,
                Code.EVENT_ADMINS_ONLY,
                Code.EVENT_HANDLER_ONLY,
                Code.EVENT_OWN_WORK,
                Code.EVENT_STAFF_ONLY,
            ],
            409: [Code.EVENT_TRANSITION_ILLEGAL, Code.EVENT_CHANGED],
            412: [Code.EVENT_CHANGED],
            422: [Code.EVENT_NO_HANDLER],
        }
    ),
)
async def act(
    request: AnyRequest,
    event_id: FromPath[RowId],
    data: JSONBody[ActIn],
    vault: NamedDependency[Vault],
    if_match: Annotated[
        str | None,
        HeaderParameter(
            name="If-Match",
            max_length=64,
            description="The event's version (its ETag) the step is taken from.",
        ),
    ] = None,
) -> Response[EventView]:
    """Take a step of the chain on an event.

    The steps: register, dispatch, reassign, start, feed back, verify, close, return,
    suspend, resume and cancel; each is open to some people in some states. An illegal step
    is a 409 `event_transition_illegal`. A step on an event that changed since the version
    `If-Match` names is a 412 `event_changed`; without `If-Match`, one on an event that
    changed while the step was being taken is a 409 `event_changed`. Returning, suspending
    and cancelling need a `reason`."""
    view = await service.act(
        actor=claims_of(request),
        event_id=event_id,
        data=data,
        vault=vault,
        expected_version=service.version_in(if_match),
    )
    return _tagged(view)


@post(
    "/events/{event_id:int}/photos",
    operation_id="AddEventPhoto",
    operation_class=PhotoUpload,
    responses=problems(
        {
            **NO_EVENT,
            400: [KernelCode.VALIDATION_FAILED],
            409: [Code.EVENT_FINISHED],
            413: [KernelCode.BODY_TOO_LARGE],
            415: [KernelCode.PHOTO_TYPE_UNSUPPORTED],
            422: [KernelCode.PHOTO_INVALID],
        }
    ),
)
async def add_photo(
    request: AnyRequest,
    event_id: FromPath[RowId],
    stage: Annotated[
        Stage,
        QueryParameter(description="Whether the photo shows the place before or after."),
    ],
    storage: NamedDependency[Storage],
) -> dict[str, int]:
    """Attach a photo to an event.

    A JPEG or PNG of 5 MB at most, as the raw body or as the one file part of a multipart
    form; it is redrawn before it is kept, which drops what else the file carried. A closed
    or cancelled event takes no more photos."""
    content_type = request.headers.get("content-type")
    picture = await picture_sent(content_type, await request.body(), request.form)
    photo_id = await photos.add_photo(
        actor=claims_of(request),
        event_id=event_id,
        stage=stage,
        data=picture,
        storage=storage,
    )
    return {"photo_id": photo_id}


@get(
    "/events/{event_id:int}/photos/{photo_id:int}",
    operation_id="GetEventPhoto",
    operation_class=PhotoImage,
    responses=problems(NO_EVENT),
)
async def get_photo(
    request: AnyRequest,
    event_id: FromPath[RowId],
    photo_id: FromPath[RowId],
    storage: NamedDependency[Storage],
) -> Response[bytes]:
    """One photo of an event, as the image it is.

    For those who may see the event; a photo of another event is not found."""
    data, content_type = await photos.photo_bytes(
        actor=claims_of(request), event_id=event_id, photo_id=photo_id, storage=storage
    )
    return photo_response(data, content_type)


@get("/duty", operation_id="GetMyDuty", guards=[requires_role(Role.GRID_WORKER)])
async def my_duty(request: AnyRequest) -> DutyView:
    """Whether the calling worker is on duty.

    And, when they are off, since when."""
    return await duty.duty_of(claims_of(request).user_id)


@put("/duty", operation_id="SetMyDuty", guards=[requires_role(Role.GRID_WORKER)])
async def set_my_duty(request: AnyRequest, data: JSONBody[DutyIn]) -> DutyView:
    """Go on or off duty (上班/下班).

    A worker off duty is passed over when events are dispatched, while anyone who could take
    them is on duty."""
    return await duty.set_duty(user_id=claims_of(request).user_id, on_duty=data.on_duty)


@get("/rules", operation_id="ListDispatchRules", guards=[requires_role(*service.ADMINS)])
async def list_rules(
    request: AnyRequest, cursor: PageCursor = None, limit: FromQuery[PageLimit] = 50
) -> RulePage:
    """The dispatch rules for places the admin holds, oldest first.

    A rule sends a category's events in a place to one worker first. The next page is the
    one after `next_cursor`."""
    return await rules.rules_under(
        actor=claims_of(request), admins=service.ADMINS, cursor=cursor, limit=limit
    )


@put(
    "/rules",
    operation_id="SetDispatchRule",
    guards=[requires_role(*service.ADMINS)],
    responses=problems(
        {
            403: [KernelCode.SCOPE_NOT_ALLOWED],
            422: [Code.EVENT_REPORT_INVALID, Code.EVENT_NO_HANDLER, DirectoryCode.ORG_UNIT_UNKNOWN],
        }
    ),
)
async def set_rule(request: AnyRequest, data: JSONBody[RuleIn]) -> RuleView:
    """Send a category's events in a place to one worker first.

    The place is an org unit the admin holds, and the worker holds the category's handler
    role within the admin's subtree; the rule replaces any for that category and place."""
    return await rules.set_rule(actor=claims_of(request), rule=data, admins=service.ADMINS)


@delete(
    "/rules/{rule_id:int}",
    operation_id="DropDispatchRule",
    guards=[requires_role(*service.ADMINS)],
    responses=problems({404: [Code.RULE_NOT_FOUND]}),
)
async def drop_rule(request: AnyRequest, rule_id: FromPath[RowId]) -> None:
    """Drop a dispatch rule.

    Its events go to the grid's own workers again. A rule for a place the admin does not
    hold is not found."""
    await rules.drop_rule(actor=claims_of(request), rule_id=rule_id, admins=service.ADMINS)


@get(
    "/stats",
    operation_id="GetEventStats",
    guards=[requires_role(*service.ADMINS)],
    responses=problems(
        {403: [KernelCode.SCOPE_NOT_ALLOWED], 422: [DirectoryCode.ORG_UNIT_UNKNOWN]}
    ),
)
async def event_stats(
    request: AnyRequest,
    under: Annotated[
        str, QueryParameter(description="The org path whose events are counted, e.g. `zz/gx`.")
    ],
) -> stats.EventStats:
    """The numbers of an org unit's events.

    Counts by state, the overdue, closure and on-time rates and the median times, for an
    org unit the admin holds."""
    return await stats.stats_for(actor=claims_of(request), under=under, admins=service.ADMINS)


@post(
    "/sensors",
    operation_id="EnrolSensor",
    guards=[requires_role(*service.ADMINS)],
    responses=problems(
        {
            403: [KernelCode.SCOPE_NOT_ALLOWED],
            409: [Code.SENSOR_EXISTS],
            422: [Code.SENSOR_CATEGORY_UNKNOWN, DirectoryCode.ORG_UNIT_UNKNOWN],
        }
    ),
)
async def enrol_sensor(
    request: AnyRequest, data: JSONBody[SensorIn], vault: NamedDependency[Vault]
) -> SensorEnrolled:
    """Enrol an IoT device in a grid the admin holds.

    The answer carries the secret the device signs its readings with, shown this once. A
    device name already enrolled is a 409 and keeps its first secret."""
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
    middleware=[rate_limited(Quota.PUBLIC)],
    opt={"signed_by_sender": True},
    responses=problems(
        {
            400: [KernelCode.VALIDATION_FAILED, KernelCode.BODY_NOT_JSON],
            401: [Code.SENSOR_REFUSED],
            404: [KernelCode.MINIAPP_UNAVAILABLE],
            409: [Code.SENSOR_BUSY],
            413: [KernelCode.BODY_TOO_LARGE],
            415: [KernelCode.UNSUPPORTED_MEDIA_TYPE],
            422: [Code.EVENT_NO_HANDLER],
        }
    ),
)
async def sensor_reading(
    request: AnyRequest,
    device: Annotated[str, PathParameter(description="The name the device was enrolled by.")],
    vault: NamedDependency[Vault],
    enablement: NamedDependency[Enablement],
) -> dict[str, Any]:
    """Take a device's reading; over its threshold, it reports an event.

    Signed by the device, not a user: `X-Yimen-Timestamp` (Unix seconds) and
    `X-Yimen-Signature`, the hex HMAC-SHA256 of `<timestamp>.<body>` with the device's
    secret. A timestamp not newer than the last one taken is refused, so a reading cannot
    be replayed. The body is JSON: another `Content-Type` is a 415."""
    require_json(request.headers.get("content-type"))
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
