"""HTTP of the health code: statuses for officials, codes for residents, scans for staff."""

from __future__ import annotations

from litestar import Response, Router, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_204_NO_CONTENT

from backend.sdk import (
    AnyRequest,
    PageLimit,
    PlatformKeys,
    Role,
    RowId,
    Vault,
    claims_of,
    holding_role,
    requires_role,
)
from miniapps.health_code import codes, qr, status
from miniapps.health_code.checkpoint import Checkpoint
from miniapps.health_code.place_controllers import PLACE_ROUTES
from miniapps.health_code.qr import QrImage
from miniapps.health_code.schemas import (
    CodeView,
    HolderKeyIn,
    ScanIn,
    ScanView,
    StatusIn,
    StatusPage,
    StatusView,
)

ShownCode = FromQuery[str]


@put(
    "/statuses/{user_id:int}",
    operation_id="SetHealthStatus",
    guards=[requires_role(Role.HEALTH_OFFICIAL)],
)
async def set_status(
    request: AnyRequest, user_id: FromPath[RowId], data: JSONBody[StatusIn]
) -> StatusView:
    """Give a resident in the official's area a colour; they (and for red, their grid's
    workers) are told."""
    return await status.set_status(actor=claims_of(request), user_id=user_id, status=data)


@get("/statuses/{user_id:int}/history", operation_id="ListHealthStatusHistory")
async def history(
    request: AnyRequest,
    user_id: FromPath[RowId],
    cursor: FromQuery[str | None] = None,
    limit: FromQuery[PageLimit] = 50,
) -> StatusPage:
    """Every colour a resident had, oldest first: for the resident and officials in their
    area."""
    return await status.history_of(
        actor=claims_of(request), user_id=user_id, cursor=cursor, limit=limit
    )


@get("/status", operation_id="GetMyHealthStatus", guards=[requires_role(Role.RESIDENT)])
async def my_status(request: AnyRequest) -> StatusView:
    """The caller's own colour and why."""
    return await status.status_of(claims_of(request).user_id)


@post(
    "/phone",
    status_code=HTTP_204_NO_CONTENT,
    operation_id="EnrolHealthCodePhone",
    guards=[requires_role(Role.RESIDENT)],
)
async def enrol(
    request: AnyRequest, data: JSONBody[HolderKeyIn], vault: NamedDependency[Vault]
) -> None:
    """Bind the caller's codes to this phone's P-256 key (compressed point, base64url)."""
    await codes.enrol_phone(
        user_id=claims_of(request).user_id,
        public_key=data.public_key,
        vault=vault,
    )


@get("/code", operation_id="GetHealthCode", guards=[requires_role(Role.RESIDENT)])
async def code(request: AnyRequest, keys: NamedDependency[PlatformKeys]) -> CodeView:
    """A signed credential for the enrolled phone, which adds its own proof to show it."""
    return await codes.issue_code(user_id=claims_of(request).user_id, keys=keys)


@get(
    "/code/qr.png",
    operation_id="RenderHealthCodePng",
    guards=[requires_role(Role.RESIDENT)],
    media_type="image/png",
)
async def code_png(
    request: AnyRequest, code: ShownCode, keys: NamedDependency[PlatformKeys]
) -> Response[QrImage]:
    """The caller's code, with their phone's proof, as a PNG QR."""
    return await _qr(request, code, keys, svg=False)


@get(
    "/code/qr.svg",
    operation_id="RenderHealthCodeSvg",
    guards=[requires_role(Role.RESIDENT)],
    media_type="image/svg+xml",
)
async def code_svg(
    request: AnyRequest, code: ShownCode, keys: NamedDependency[PlatformKeys]
) -> Response[QrImage]:
    """The caller's code, with their phone's proof, as an SVG QR."""
    return await _qr(request, code, keys, svg=True)


async def _qr(
    request: AnyRequest, code: str, keys: NamedDependency[PlatformKeys], *, svg: bool
) -> Response[bytes]:
    await codes.check_own_code(user_id=claims_of(request).user_id, text=code, jwks=keys.jwks)
    image = await qr.render_qr_off_loop(code, svg=svg)
    return Response(
        image,
        media_type="image/svg+xml" if svg else "image/png",
        headers={"Cache-Control": "no-store"},
    )


@post(
    "/scans",
    status_code=200,
    operation_id="ScanHealthCode",
)
async def scan(
    request: AnyRequest, data: JSONBody[ScanIn], checkpoint: NamedDependency[Checkpoint]
) -> ScanView:
    """Verify a scanned code at a place and record the scan for tracing (checkpoint staff)."""
    return await checkpoint.scan(
        actor=holding_role(request, Role.CHECKPOINT_STAFF),
        text=data.text,
        place=data.place,
    )


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
