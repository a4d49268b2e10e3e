"""A case as its handlers see it (办件详情): answers and materials to review, its history,
its clock and the actions the caller may take now."""

from __future__ import annotations

from typing import Any

from backend.sdk import Claims, Forbidden, audit, json_value
from miniapps.gov_services.allowed import allowed_actions, may_see
from miniapps.gov_services.cases import Case, case_by_id
from miniapps.gov_services.dates import last_day
from miniapps.gov_services.errors import GovServicesCode
from miniapps.gov_services.offered import pinned_document
from miniapps.gov_services.staff_schemas import CaseView, HistoryEntry, MaterialView
from miniapps.gov_services.tables import ApplicationStatus, MaterialItem


async def read_case(*, actor: Claims, application_id: int) -> CaseView:
    """The case for one who handles it or signs off its extension (else a 403). Answers
    hold the applicant's personal data: each read is audited."""
    case = await case_by_id(application_id)
    if not may_see(actor, case):
        raise Forbidden(GovServicesCode.APPLICATION_OUTSIDE_SCOPE)
    await audit(actor, "gov_services.read", case["applicant_id"], {"ref": case["ref_no"]})
    return await case_view(actor, case)


async def case_view(actor: Claims, case: Case) -> CaseView:
    document = await pinned_document(case["item_version_id"])
    materials = (
        await MaterialItem.select()
        .where(MaterialItem.application_id == case["id"])
        .order_by(MaterialItem.id)
    )
    history = (
        await ApplicationStatus.select()
        .where(ApplicationStatus.application_id == case["id"])
        .order_by(ApplicationStatus.id)
    )
    due_at = case["due_at"]
    return CaseView(
        id=case["id"],
        ref=case["ref_no"],
        applicant_id=case["applicant_id"],
        item_id=case["item_id"],
        item_version_id=case["item_version_id"],
        status=case["status"],
        step=case["current_step"],
        assignee_org=case["assignee_org"],
        claimed_by=case["claimed_by"],
        answers=json_value(case["answers"]),
        materials=[_material(row) for row in materials],
        history=[_entry(row) for row in history],
        submitted_at=case["submitted_at"],
        accepted_at=case["accepted_at"],
        due_at=due_at,
        due_date=last_day(due_at) if due_at is not None else None,
        due_provisional=case["due_provisional"],
        wd_used=case["wd_used"],
        extended=case["extended"],
        outcome=case["outcome"],
        allowed_actions=allowed_actions(actor, case, document),
        version=case["version"],
    )


async def case_view_by_id(actor: Claims, application_id: int) -> CaseView:
    """The case as it stands after the caller's action (which was audited as such)."""
    return await case_view(actor, await case_by_id(application_id))


def _material(row: dict[str, Any]) -> MaterialView:
    return MaterialView(
        id=row["id"],
        material_code=row["material_code"],
        source=row["source"],
        licence_ref=row["licence_ref"],
        mime=row["mime"],
        size=row["size"],
        sha256=row["sha256"],
        added_at=row["added_at"],
    )


def _entry(row: dict[str, Any]) -> HistoryEntry:
    return HistoryEntry(
        action=row["action"],
        step=row["step"],
        from_status=row["from_status"],
        to_status=row["to_status"],
        reason=row["reason"],
        detail=json_value(row["detail"]),
        set_by=row["set_by"],
        set_at=row["set_at"],
    )
