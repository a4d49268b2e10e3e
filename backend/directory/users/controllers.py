"""HTTP for the caller, staff provisioning and person records."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from backend.directory.errors import DirectoryCode
from backend.directory.users import profile, service
from backend.directory.users.schemas import (
    MeView,
    PersonView,
    ProfileUpdate,
    ProfileView,
    StaffCreate,
    StaffPage,
    StaffView,
)
from backend.kernel.bodies import strictly
from backend.kernel.codes import KernelCode
from backend.kernel.guards import claims_of, requires_role
from backend.kernel.idempotency import idempotent
from backend.kernel.pagination import PageLimit
from backend.kernel.params import PageCursor, RowId
from backend.kernel.problems import problems
from backend.kernel.requests import AnyRequest
from backend.kernel.roles import ADMIN_ROLES
from backend.kernel.vault import Vault


@get("/v1/me", operation_id="GetMe", tags=["users"])
async def get_me(request: AnyRequest) -> MeView:
    """The caller as their token sees them.

    Their id, roles, the org paths each role holds, locale, elder mode, home, and when the
    token expires. Read from the token alone."""
    return profile.me_view(claims_of(request))


@patch(
    "/v1/me",
    operation_id="UpdateProfile",
    tags=["users"],
    responses=problems(
        {
            404: [DirectoryCode.USER_NOT_FOUND],
            409: [DirectoryCode.HOME_ALREADY_SET],
            422: [
                DirectoryCode.ORG_UNIT_UNKNOWN,
                DirectoryCode.HOME_INVALID,
                DirectoryCode.HOME_IN_NO_GRID,
            ],
        }
    ),
)
async def update_me(request: AnyRequest, data: JSONBody[ProfileUpdate]) -> ProfileView:
    """Set the caller's locale, elder mode or home.

    The home is a community or grid path from `GET /v1/orgs`, or a point placed into the
    grid that holds it; it is chosen once (a move is a 409 `home_already_set`: the
    community moves a resident). A report uses the new home at once; the launcher and scopes follow
    it after a refresh, which `token_outdated` says is due. Nothing else of the caller can
    be set here: roles, phone, name and ID number are refused as unknown fields."""
    # Read again as sent: Litestar's lenient conversion would take `1` or "true" for a boolean.
    change = strictly(await request.json(), ProfileUpdate)
    return await profile.update_profile(actor=claims_of(request), change=change)


class StaffController(Controller):
    path = "/v1/staff"
    tags = ["users"]
    guards = [requires_role(*ADMIN_ROLES)]

    @post(
        "/",
        operation_id="ProvisionStaff",
        middleware=[idempotent],
        responses=problems(
            {
                403: [
                    DirectoryCode.GRANT_NOT_ALLOWED,
                    DirectoryCode.GRANT_TO_SELF,
                    DirectoryCode.PERSON_NOT_ADMINISTERED,
                ],
                422: [DirectoryCode.ORG_UNKNOWN],
            }
        ),
    )
    async def provision(
        self, request: AnyRequest, data: JSONBody[StaffCreate], vault: NamedDependency[Vault]
    ) -> StaffView:
        """Grant a staff role over an org unit within the admin's own subtree.

        A new phone gets an account with the name and ID-card number given. An existing
        account is never rewritten, and gets the role only if the admin already administers
        its holder; nobody grants themself a role. Send an `Idempotency-Key` to grant once
        however often the request is repeated."""
        return await service.provision_staff(actor=claims_of(request), request=data, vault=vault)

    @get(
        "/",
        operation_id="ListStaff",
        responses=problems({400: [KernelCode.CURSOR_INVALID], 403: [KernelCode.SCOPE_NOT_ALLOWED]}),
    )
    async def list_staff(
        self,
        request: AnyRequest,
        under: Annotated[
            str | None,
            QueryParameter(
                description="An org path the admin holds; every path they hold when left out."
            ),
        ] = None,
        cursor: PageCursor = None,
        limit: FromQuery[PageLimit] = 50,
        *,
        vault: NamedDependency[Vault],
    ) -> StaffPage:
        """Staff whose role's scope lies under an org path the admin holds.

        A page at a time, each role held a row, phones masked; the next page is the one
        after `next_cursor`."""
        return await service.list_staff(
            actor=claims_of(request), under=under, cursor=cursor, limit=limit, vault=vault
        )


@get(
    "/v1/users/{user_id:int}",
    operation_id="GetPerson",
    tags=["users"],
    responses=problems({404: [DirectoryCode.USER_NOT_FOUND]}),
)
async def get_person(
    request: AnyRequest, user_id: FromPath[RowId], vault: NamedDependency[Vault]
) -> PersonView:
    """A person's record.

    Whole for its owner; for an admin above every role the person holds, masked, and the
    read is audited. To anyone else the person does not exist."""
    return await service.read_person(actor=claims_of(request), user_id=user_id, vault=vault)
