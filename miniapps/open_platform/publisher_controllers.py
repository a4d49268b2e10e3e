"""HTTP of publishers: registration by a developer, verification by a platform admin."""

from __future__ import annotations

from litestar import get, post
from litestar.params import FromPath, JSONBody

from backend.sdk import AnyRequest, Role, RowId, claims_of, problems, requires_role, strictly
from miniapps.open_platform import publishers
from miniapps.open_platform.errors import OpenProblem as Problem
from miniapps.open_platform.schemas import (
    PublisherIn,
    PublisherList,
    PublisherView,
    VerificationIn,
)

DEVELOPERS = [requires_role(Role.DEVELOPER)]
PLATFORM = [requires_role(Role.PLATFORM_ADMIN)]


@post(
    "/publishers",
    guards=DEVELOPERS,
    operation_id="RegisterPublisher",
    responses=problems({409: [Problem.PUBLISHER_TAKEN], 422: [Problem.CREDIT_CODE_INVALID]}),
)
async def register(request: AnyRequest, data: JSONBody[PublisherIn]) -> PublisherView:
    """Register the caller's organisation as a publisher, for the platform to verify.

    One per developer and per organisation; a rejected registration is corrected and sent
    again here."""
    publisher = strictly(await request.json(), PublisherIn)
    return await publishers.register(claims_of(request), publisher)


@get(
    "/publishers/mine",
    guards=DEVELOPERS,
    operation_id="GetMyPublisher",
    responses=problems({404: [Problem.PUBLISHER_NOT_FOUND]}),
)
async def mine(request: AnyRequest) -> PublisherView:
    """The publisher the caller registered, with where its verification stands."""
    return await publishers.mine(claims_of(request))


@get("/publishers/waiting", guards=PLATFORM, operation_id="ListPublishersToVerify")
async def waiting() -> PublisherList:
    """Registrations waiting for verification, the oldest first, for platform admins."""
    return await publishers.waiting()


@post(
    "/publishers/{publisher_id:int}/verification",
    status_code=200,
    guards=PLATFORM,
    operation_id="VerifyPublisher",
    responses=problems(
        {
            404: [Problem.PUBLISHER_NOT_FOUND],
            409: [Problem.PUBLISHER_STATE],
            422: [Problem.REASON_REQUIRED],
        }
    ),
)
async def verify(
    request: AnyRequest, publisher_id: FromPath[RowId], data: JSONBody[VerificationIn]
) -> PublisherView:
    """Verify a waiting publisher, or reject it saying why, by a platform admin.

    A verified publisher registers apps; a rejected one may correct and send again."""
    decision = strictly(await request.json(), VerificationIn)
    return await publishers.decide(claims_of(request), publisher_id, decision)


PUBLISHER_ROUTES = [register, mine, waiting, verify]
