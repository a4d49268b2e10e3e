"""The body of the sensor intake as the OpenAPI document shows it: Litestar declares a body
only for a typed `data` parameter, and this route reads bytes (a device's reading, whose
exact bytes its signature covers). Photo bodies are the SDK's `PhotoUpload`."""

from __future__ import annotations

from dataclasses import dataclass

from litestar.openapi.spec import (
    OpenAPIMediaType,
    OpenAPIType,
    Operation,
    RequestBody,
    Schema,
)

from miniapps.grid_events.sensors import NO_NUL

# `sensors.Reading`; tests/miniapps/grid_events/test_discoverable.py holds the two alike.
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
                    "value": Schema(type=OpenAPIType.NUMBER),
                    "unit": Schema(
                        type=OpenAPIType.STRING, max_length=16, pattern=NO_NUL, default=""
                    ),
                },
                required=["value"],
            )
        )
    },
)


@dataclass
class SignedReading(Operation):
    """`POST /sensors/{device}/readings`: its body is the signed JSON of a reading."""

    def __post_init__(self) -> None:
        self.request_body = READING_BODY
