"""The directory as a part of the host: the caller's own record, staff, people and the org
tree, behind a login."""

from __future__ import annotations

from litestar import Router

from backend.directory.orgs.controllers import list_org_units
from backend.directory.users.controllers import StaffController, get_me, get_person, update_me
from backend.directory.users.profile import HOME_SET, HomeSet
from backend.kernel.contract import HostPart
from backend.kernel.guards import BEARER_TOKEN, SignedIn

DIRECTORY = HostPart(
    name="directory",
    order=10,
    router=Router(
        path="/",
        middleware=[SignedIn],
        security=BEARER_TOKEN,
        route_handlers=[get_me, update_me, get_person, StaffController, list_org_units],
    ),
    piccolo_app="backend.directory.piccolo_app",
    emits={HOME_SET: HomeSet},
    tags={
        "users": "The caller's own record, staff provisioning by admins within their subtree, "
        "and person records (masked and audited for anyone but their owner).",
        "orgs": "The org tree: city, districts, street offices, communities and grids, each "
        "named by a path such as `zz/gx/fengyang/c03/g07`.",
    },
)
