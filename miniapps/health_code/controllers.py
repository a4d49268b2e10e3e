"""HTTP of the health code: statuses for officials, codes for residents, scans for staff."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Response, Router, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_204_NO_CONTENT

from backend.sdk import (
    AnyRequest,
    EncodedAnswer,
    KernelCode,
    PageCursor,
    PageLimit,
    PlatformKeys,
    QrImage,
    Quota,
    Role,
    RowId,
    Vault,
    claims_of,
    holding_role,
    problems,
    rate_limited,
    render_qr_off_loop,
    requires_role,
)
from miniapps.health_code import codes, status
from miniapps.health_code.checkpoint import Checkpoint
from miniapps.health_code.errors import HealthProblem as Problem
from miniapps.health_code.place_controllers import PLACE_ROUTES
from miniapps.health_code.schemas import (
    CodeView,
    HolderKeyIn,
    ScanIn,
    ScanView,
    StatusIn,
    StatusPage,
    StatusView,
)

ShownCode = Annotated[
    str,
    QueryParameter(
        description="The QR text the phone shows: the credential of `GetHealthCode` with the "
        "phone's proof added (docs/health-code.md)."
    ),
]
NOT_HERS = {422: [Problem.CODE_NOT_YOURS]}


@put(
    "/statuses/{user_id:int}",
    operation_id="SetHealthStatus",
    guards=[requires_role(Role.HEALTH_OFFICIAL)],
    responses=problems(
        {
            404: [Problem.HOLDER_NOT_FOUND],
            422: [Problem.STATUS_VALIDITY_PAST, Problem.STATUS_VALIDITY_TOO_FAR],
        }
    ),
)
async def set_status(
    request: AnyRequest, user_id: FromPath[RowId], data: JSONBody[StatusIn]
) -> StatusView:
    """Give a resident in the official's area a colour.

    The resident is told, and for red the workers of their grid too. A validity, when
    given, ends within a year; a resident outside the official's area is not found."""
    return await status.set_status(actor=claims_of(request), user_id=user_id, status=data)


@get(
    "/statuses/{user_id:int}/history",
    operation_id="ListHealthStatusHistory",
    responses=problems({404: [Problem.HOLDER_NOT_FOUND]}),
)
async def history(
    request: AnyRequest,
    user_id: FromPath[RowId],
    cursor: PageCursor = None,
    limit: FromQuery[PageLimit] = 50,
) -> StatusPage:
    """Every colour a resident had, oldest first, a page at a time.

    For the resident themself and for health officials in their area."""
    return await status.history_of(
        actor=claims_of(request), user_id=user_id, cursor=cursor, limit=limit
    )


@get("/status", operation_id="GetMyHealthStatus", guards=[requires_role(Role.RESIDENT)])
async def my_status(request: AnyRequest) -> StatusView:
    """The caller's own colour, and why.

    Green for a resident nobody gave a colour."""
    return await status.status_of(claims_of(request).user_id)


@post(
    "/phone",
    status_code=HTTP_204_NO_CONTENT,
    operation_id="EnrolHealthCodePhone",
    guards=[requires_role(Role.RESIDENT)],
    responses=problems({422: [Problem.HOLDER_KEY_INVALID]}),
)
async def enrol(
    request: AnyRequest, data: JSONBody[HolderKeyIn], vault: NamedDependency[Vault]
) -> None:
    """Bind the caller's health codes to this phone's key.

    The key is a P-256 public key as a compressed point in base64url; the phone keeps the
    private half and signs a proof with it whenever it shows the code. Enrolling again
    binds the codes to the new phone."""
    await codes.enrol_phone(
        user_id=claims_of(request).user_id,
        public_key=data.public_key,
        vault=vault,
    )


@get(
    "/code",
    operation_id="GetHealthCode",
    guards=[requires_role(Role.RESIDENT)],
    responses=problems({404: [Problem.HOLDER_NOT_FOUND], 409: [Problem.DEVICE_NOT_ENROLLED]}),
)
async def code(request: AnyRequest, keys: NamedDependency[PlatformKeys]) -> CodeView:
    """A signed credential for the caller's enrolled phone.

    The phone adds its own proof to it every few seconds to make the QR text, so a
    screenshot soon stops passing (docs/health-code.md). A phone must be enrolled first."""
    return await codes.issue_code(user_id=claims_of(request).user_id, keys=keys)


@get(
    "/code/qr.png",
    operation_id="RenderHealthCodePng",
    guards=[requires_role(Role.RESIDENT)],
    media_type="image/png",
    responses=problems(NOT_HERS),
)
async def code_png(
    request: AnyRequest, code: ShownCode, keys: NamedDependency[PlatformKeys]
) -> Response[QrImage]:
    """The caller's code, with their phone's proof, as a PNG QR.

    Only the caller's own, genuine code is drawn."""
    return await _qr(request, code, keys, svg=False)


@get(
    "/code/qr.svg",
    operation_id="RenderHealthCodeSvg",
    guards=[requires_role(Role.RESIDENT)],
    media_type="image/svg+xml",
    responses=problems(NOT_HERS),
)
async def code_svg(
    request: AnyRequest, code: ShownCode, keys: NamedDependency[PlatformKeys]
) -> Response[QrImage]:
    """The caller's code, with their phone's proof, as an SVG QR.

    Only the caller's own, genuine code is drawn."""
    return await _qr(request, code, keys, svg=True)


async def _qr(
    request: AnyRequest, code: str, keys: NamedDependency[PlatformKeys], *, svg: bool
) -> Response[bytes]:
    await codes.check_own_code(user_id=claims_of(request).user_id, text=code, jwks=keys.jwks)
    image = await render_qr_off_loop(code, svg=svg)
    return Response(
        image,
        media_type="image/svg+xml" if svg else "image/png",
        headers={"Cache-Control": "no-store"},
    )


@post(
    "/scans",
    status_code=200,
    operation_id="ScanHealthCode",
    middleware=[rate_limited(Quota.SCANS)],
    responses=problems({403: [KernelCode.FORBIDDEN], 422: [Problem.BAD_FORMAT]}),
)
async def scan(
    request: AnyRequest, data: JSONBody[ScanIn], checkpoint: NamedDependency[Checkpoint]
) -> EncodedAnswer[ScanView]:
    """Verify a scanned health code at a place, and record the scan for tracing.

    For checkpoint staff. The answer says whether the code is valid, its colour and, when
    it is not valid, why (expired, replayed, forged, not signed by the phone). Text that is
    not a health code at all is a 422."""
    view = await checkpoint.scan(
        actor=holding_role(request, Role.CHECKPOINT_STAFF),
        text=data.text,
        place=data.place,
    )
    # Encoded here: a Response built for each scan cost the checkpoint's queue a tenth.
    return EncodedAnswer(msgspec.json.encode(view), headers={})


router = Router(
    path="/",
    route_handlers=[
        set_status,
        history,
        my_status,
        enrol,
        code,
        code_png,
        code_svg,
        scan,
        *PLACE_ROUTES,
    ],
)
