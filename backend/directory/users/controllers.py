"""HTTP for the caller, staff provisioning and person records."""

from __future__ import annotations

from litestar import Controller, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

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
from backend.kernel.guards import claims_of, requires_role
from backend.kernel.idempotency import idempotent
from backend.kernel.pagination import PageLimit
from backend.kernel.params import RowId
from backend.kernel.requests import AnyRequest
from backend.kernel.roles import ADMIN_ROLES
from backend.kernel.vault import Vault


@get("/v1/me", operation_id="GetMe", tags=["users"])
async def get_me(request: AnyRequest) -> MeView:
    """The caller as their token sees them: roles, scope, locale, elder mode, home."""
    return profile.me_view(claims_of(request))


@patch("/v1/me", operation_id="UpdateProfile", tags=["users"])
async def update_me(request: AnyRequest, data: JSONBody[ProfileUpdate]) -> ProfileView:
    """Set the caller's locale, elder mode or home (a community or grid path from
    `GET /v1/orgs`, or a point placed into the grid that holds it). A report uses the new
    home at once; the launcher and scopes follow it after a refresh, which `token_outdated`
    says is due. Nothing else of the caller can be set here."""
    # Read again as sent: Litestar's lenient conversion would take `1` or "true" for a boolean.
    change = strictly(await request.json(), ProfileUpdate)
    return await profile.update_profile(actor=claims_of(request), change=change)


class StaffController(Controller):
    path = "/v1/staff"
    tags = ["users"]
    guards = [requires_role(*ADMIN_ROLES)]

    @post("/", operation_id="ProvisionStaff", middleware=[idempotent])
    async def provision(
        self, request: AnyRequest, data: JSONBody[StaffCreate], vault: NamedDependency[Vault]
    ) -> StaffView:
        """Grant a staff role over an org unit within the admin's own subtree."""
        return await service.provision_staff(actor=claims_of(request), request=data, vault=vault)

    @get("/", operation_id="ListStaff")
    async def list_staff(
        self,
        request: AnyRequest,
        under: FromQuery[str | None] = None,
        cursor: FromQuery[str | None] = None,
        limit: FromQuery[PageLimit] = 50,
        *,
        vault: NamedDependency[Vault],
    ) -> StaffPage:
        """Staff whose scope lies under an org path the admin holds."""
        return await service.list_staff(
            actor=claims_of(request), under=under, cursor=cursor, limit=limit, vault=vault
        )


@get("/v1/users/{user_id:int}", operation_id="GetPerson", tags=["users"])
async def get_person(
    request: AnyRequest, user_id: FromPath[RowId], vault: NamedDependency[Vault]
) -> PersonView:
    """A person's record: whole for its owner, masked and audited for an admin above them."""
    return await service.read_person(actor=claims_of(request), user_id=user_id, vault=vault)
