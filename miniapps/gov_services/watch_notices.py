"""What the deadline watch tells, and whom: the officers of the org handling a case when it
comes due or runs over, and the officers and approvers above it when it is escalated (督办)."""

from __future__ import annotations

from typing import Any

from backend.sdk import Audience, Role, Template, notify, unit_at
from miniapps.gov_services.dates import last_day

SOURCE = "gov_services"

DUE_SOON = Template(
    key="gov_services.due_soon",
    category="gov_services",
    titles={"zh-CN": "办件{ref}即将到期", "en": "Application {ref} is due soon"},
    bodies={"zh-CN": "请于{due_date}前办结", "en": "To be completed by {due_date}"},
)
OVERDUE = Template(
    key="gov_services.overdue",
    category="gov_services",
    titles={"zh-CN": "办件{ref}已超期", "en": "Application {ref} is overdue"},
    bodies={"zh-CN": "办结期限为{due_date}", "en": "It was due by {due_date}"},
)
ESCALATED = Template(
    key="gov_services.escalated",
    category="gov_services",
    titles={"zh-CN": "督办:办件{ref}已超期", "en": "Supervision: application {ref} is overdue"},
    bodies={
        "zh-CN": "承办单位{org_name},办结期限为{due_date}",
        "en": "Handled by {org_name}, due by {due_date}",
    },
)
# Who above a late org supervises it: its officers and the approvers who sign its extensions.
SUPERVISORS = (Role.SERVICE_OFFICER, Role.SERVICE_APPROVER)


def deep_link(application_id: int) -> str:
    """Where a notice about a case takes its reader: the case in the staff app."""
    return f"yimen://miniapps/gov_services/applications/{application_id}"


def _data(case: dict[str, Any]) -> dict[str, str]:
    return {
        "application": str(case["id"]),
        "ref": case["ref_no"],
        "due_date": last_day(case["due_at"]).isoformat(),
    }


async def tell_org(case: dict[str, Any], *, overdue: bool) -> None:
    """Tell the officers of the case's org that it is overdue, or else due soon."""
    await notify(
        audience=Audience.role_within(Role.SERVICE_OFFICER, case["assignee_org"]),
        template=OVERDUE if overdue else DUE_SOON,
        data=_data(case),
        source=SOURCE,
        urgent=overdue,
        deep_link=deep_link(case["id"]),
    )


async def tell_supervisors(case: dict[str, Any], *, level: str) -> None:
    """Tell the officers and approvers who hold `level` (or above it) that a case of an org
    below has run over. Holders within `level` would include the late org's sibling
    offices, who have nothing to supervise."""
    unit = await unit_at(case["assignee_org"])
    # An org's own name is a proper name, the same in every locale.
    data = {**_data(case), "org_name": unit.name if unit else case["assignee_org"]}
    for role in SUPERVISORS:
        await notify(
            audience=Audience.role_above(role, level),
            template=ESCALATED,
            data=data,
            source=SOURCE,
            urgent=True,
            deep_link=deep_link(case["id"]),
        )
