"""The directory as a part of the host: the caller's own record, staff, people, the org
tree and the working-day calendar, behind a login."""

from __future__ import annotations

from litestar import Router

from backend.directory.orgs.controllers import list_org_units
from backend.directory.users.controllers import StaffController, get_me, get_person, update_me
from backend.directory.users.profile import HOME_SET, HomeSet
from backend.directory.users.tables import AuditEntry
from backend.directory.workdays.controllers import get_calendar_year, load_calendar_year
from backend.kernel.contract import HostPart
from backend.kernel.guards import BEARER_TOKEN, SignedIn
from backend.kernel.partitions import TimePartitioned
from backend.kernel.workdays import CALENDAR_YEAR_LOADED, CalendarYearLoaded

DIRECTORY = HostPart(
    name="directory",
    order=10,
    router=Router(
        path="/",
        middleware=[SignedIn],
        security=BEARER_TOKEN,
        route_handlers=[
            get_me,
            update_me,
            get_person,
            StaffController,
            list_org_units,
            get_calendar_year,
            load_calendar_year,
        ],
    ),
    piccolo_app="backend.directory.piccolo_app",
    emits={HOME_SET: HomeSet, CALENDAR_YEAR_LOADED: CalendarYearLoaded},
    # Kept unless the city's rules set a limit (`YIMEN_RETENTION=audit_entry=72m`).
    partitioned=[TimePartitioned(by=AuditEntry.at)],
    tags={
        "users": "The caller's own record, staff provisioning by admins within their subtree, "
        "and person records (masked and audited for anyone but their owner).",
        "orgs": "The org tree: city, districts, street offices, communities and grids, each "
        "named by a path such as `zz/gx/fengyang/c03/g07`.",
        "calendar": "The working-day calendar (工作日历): the holidays and working weekends "
        "(补班) of each year as the State Council's notice sets them, which every time limit "
        "in working days counts on.",
    },
)
