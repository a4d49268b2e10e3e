"""The roles a token can hold, how admins rank, and which admin may grant which."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    RESIDENT = "resident"
    FAMILY_MEMBER = "family_member"
    GRID_WORKER = "grid_worker"  # 网格员
    COMMUNITY_ADMIN = "community_admin"
    DISTRICT_ADMIN = "district_admin"
    PLATFORM_ADMIN = "platform_admin"
    HEALTH_OFFICIAL = "health_official"
    CHECKPOINT_STAFF = "checkpoint_staff"
    CARE_WORKER = "care_worker"
    MERCHANT = "merchant"
    LAWYER = "lawyer"
    LEGAL_WORKER = "legal_worker"  # 基层法律服务工作者: answers as a lawyer does
    MEDIATOR = "mediator"
    DEVELOPER = "developer"
    SERVICE_ADMIN = "service_admin"  # 事项管理员: edits and publishes the service catalogue
    SERVICE_OFFICER = "service_officer"  # 窗口/审批人员: handles applications at an office
    SERVICE_APPROVER = "service_approver"  # 审批负责人: signs off an office's extensions


ADMIN_ROLES = frozenset({Role.COMMUNITY_ADMIN, Role.DISTRICT_ADMIN, Role.PLATFORM_ADMIN})

# The roles held in the city's service (workers, officials, admins, and the merchants and
# professionals it licenses): what a staff list shows and staff provisioning grants. Not a
# resident's, which everyone holds, nor a family member's (家属), which is a household's.
STAFF_ROLES = frozenset(Role) - {Role.RESIDENT, Role.FAMILY_MEMBER}

# An admin acts on a person only through a role that ranks above every role the person
# holds (see `Claims.outranks`); every role that is not an admin's ranks 0. So no admin
# acts on an equal or a higher one, whatever other roles either of them holds.
RANK: dict[str, int] = {
    Role.COMMUNITY_ADMIN: 1,
    Role.DISTRICT_ADMIN: 2,
    Role.PLATFORM_ADMIN: 3,
}


def rank(role: str) -> int:
    """How high `role` stands among admins; 0 for every other role (and unknown ones)."""
    return RANK.get(role, 0)


_COMMUNITY_GRANTS = frozenset(
    {Role.GRID_WORKER, Role.CARE_WORKER, Role.CHECKPOINT_STAFF, Role.MEDIATOR}
)
_DISTRICT_GRANTS = _COMMUNITY_GRANTS | {
    Role.COMMUNITY_ADMIN,
    Role.HEALTH_OFFICIAL,
    Role.MERCHANT,
    Role.LAWYER,
    Role.LEGAL_WORKER,
    Role.SERVICE_OFFICER,
    Role.SERVICE_APPROVER,
}

GRANTABLE: dict[Role, frozenset[Role]] = {
    Role.COMMUNITY_ADMIN: _COMMUNITY_GRANTS,
    Role.DISTRICT_ADMIN: _DISTRICT_GRANTS,
    Role.PLATFORM_ADMIN: STAFF_ROLES,
}


def may_grant(admin_role: Role, role: Role) -> bool:
    return role in GRANTABLE.get(admin_role, frozenset())
