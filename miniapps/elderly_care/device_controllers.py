"""HTTP of home devices: enrolled and listed by care staff, signed readings from the
devices themselves."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from litestar import delete, get, post
from litestar.di import NamedDependency
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema
from litestar.params import FromPath, PathParameter
from litestar.status_codes import HTTP_204_NO_CONTENT

from backend.sdk import (
    AnyRequest,
    Enablement,
    KernelCode,
    Quota,
    RowId,
    Vault,
    claims_of,
    problems,
    rate_limited,
    require_json,
    strictly,
)
from miniapps.elderly_care import devices, elders, readings
from miniapps.elderly_care.device_schemas import (
    EVENT_ID,
    HomeDeviceEnrolled,
    HomeDeviceIn,
    HomeDeviceList,
    HomeReadingTaken,
    HomeReadingType,
)
from miniapps.elderly_care.errors import CareProblem as Problem
from miniapps.elderly_care.runtime import CareRuntime

DEVICES = "/elders/{elder_id:int}/devices"

READING_BODY = RequestBody(
    required=True,
    description=(
        "The reading as JSON; X-Yimen-Signature signs these exact bytes, so send them as signed."
    ),
    content={
        "application/json": OpenAPIMediaType(
            schema=Schema(
                type=OpenAPIType.OBJECT,
                properties={
                    "event_id": Schema(
                        type=OpenAPIType.STRING,
                        pattern=EVENT_ID,
                        max_length=64,
                        description="The device's own id of this reading: sent again, it is"
                        " taken once.",
                    ),
                    "type": Schema(
                        type=OpenAPIType.STRING, enum=[t.value for t in HomeReadingType]
                    ),
                    "value": Schema(
                        type=OpenAPIType.NUMBER,
                        minimum=0,
                        maximum=1e9,
                        description="Water or power used since the last reading; 0 is none.",
                    ),
                },
                required=["event_id", "type"],
            )
        )
    },
)


@dataclass
class SignedDeviceReading(Operation):
    """`POST /devices/{device}/readings`: its body is the signed JSON of a reading."""

    def __post_init__(self) -> None:
        self.request_body = READING_BODY


@post(
    DEVICES,
    operation_id="EnrolHomeDevice",
    responses=problems(
        {
            403: [Problem.CARE_STAFF_ONLY],
            404: [Problem.ELDER_NOT_FOUND],
            409: [Problem.DEVICE_EXISTS],
            422: [Problem.QUIET_NOT_FOR_KIND],
        }
    ),
)
async def enrol_device(
    request: AnyRequest,
    elder_id: FromPath[RowId],
    vault: NamedDependency[Vault],
    care: NamedDependency[CareRuntime],
) -> HomeDeviceEnrolled:
    """Enrol a device in the elder's home, by care staff over their grid.

    A fall detector or smoke alarm raises an alarm at once; a door sensor or water meter
    raises one when the home stays quiet for `quiet_hours`; any device silent for a day is
    flagged to the elder's care worker. The answer carries the secret the device signs its
    readings with, shown this once. A serial already enrolled is a 409."""
    data = strictly(await request.json(), HomeDeviceIn)
    actor = claims_of(request)
    seen = await elders.elder_seen_by(actor, elder_id)
    return await devices.enrol_device(
        actor_id=actor.user_id, seen=seen, data=data, vault=vault, care=care
    )


@get(DEVICES, operation_id="ListHomeDevices", responses=problems({404: [Problem.ELDER_NOT_FOUND]}))
async def list_devices(
    request: AnyRequest, elder_id: FromPath[RowId], care: NamedDependency[CareRuntime]
) -> HomeDeviceList:
    """The devices in the elder's home and when each was last heard from."""
    seen = await elders.elder_seen_by(claims_of(request), elder_id)
    return await devices.devices_of(seen, care)


@delete(
    DEVICES + "/{device:str}",
    status_code=HTTP_204_NO_CONTENT,
    operation_id="RetireHomeDevice",
    responses=problems(
        {403: [Problem.CARE_STAFF_ONLY], 404: [Problem.ELDER_NOT_FOUND, Problem.DEVICE_NOT_FOUND]}
    ),
)
async def retire_device(
    request: AnyRequest,
    elder_id: FromPath[RowId],
    device: Annotated[str, PathParameter(description="The device's serial.", max_length=64)],
) -> None:
    """Take a device out of the elder's home, by care staff; it signs nothing more."""
    seen = await elders.elder_seen_by(claims_of(request), elder_id)
    await devices.retire_device(seen=seen, device=device)


@post(
    "/devices/{device:str}/readings",
    status_code=200,
    operation_id="SendHomeDeviceReading",
    operation_class=SignedDeviceReading,
    security=[{}],
    middleware=[rate_limited(Quota.PUBLIC)],
    opt={"signed_by_sender": True},
    responses=problems(
        {
            400: [KernelCode.VALIDATION_FAILED, KernelCode.BODY_NOT_JSON],
            401: [Problem.DEVICE_REFUSED, Problem.DEVICE_READING_STALE],
            404: [KernelCode.MINIAPP_UNAVAILABLE],
            413: [KernelCode.BODY_TOO_LARGE],
            415: [KernelCode.UNSUPPORTED_MEDIA_TYPE],
            422: [Problem.DEVICE_CLOCK_AHEAD, Problem.READING_NOT_FOR_DEVICE],
        }
    ),
)
async def send_reading(
    request: AnyRequest,
    device: Annotated[str, PathParameter(description="The device's serial.", max_length=64)],
    vault: NamedDependency[Vault],
    enablement: NamedDependency[Enablement],
    care: NamedDependency[CareRuntime],
) -> HomeReadingTaken:
    """Take a home device's reading; a fall or smoke raises an alarm at once.

    Signed by the device, not a user: `X-Yimen-Timestamp` (Unix seconds, at most five
    minutes old and not ahead of our clock) and `X-Yimen-Signature`, the hex HMAC-SHA256
    of `<timestamp>.<body>` with the device's secret. Each `event_id` is taken once: sent
    again it answers as the first time and does nothing more. The body is JSON: another
    `Content-Type` is a 415."""
    require_json(request.headers.get("content-type"))
    signed = readings.Signed(
        device=device,
        timestamp=request.headers.get("x-yimen-timestamp", ""),
        signature=request.headers.get("x-yimen-signature", ""),
        body=await request.body(),
    )
    return await readings.take_reading(signed, vault=vault, enablement=enablement, care=care)


DEVICE_ROUTES = [enrol_device, list_devices, retire_device, send_reading]
