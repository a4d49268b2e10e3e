"""What the rest of the service engine asks of bundles (一件事) without importing their flow:
a member's draft is submitted with its bundle, not on its own."""

from __future__ import annotations

from backend.sdk import Conflict
from miniapps.gov_services.cases import Case
from miniapps.gov_services.errors import GovServicesCode
from miniapps.gov_services.tables import BundleApplication


async def require_bundle_submitted(case: Case) -> None:
    """A member of a bundle not yet submitted is submitted with it (`bundle_member_held`):
    alone, it would skip the wait for the members it depends on. Once the bundle is in,
    a member handed back to its applicant as a draft is submitted like any other."""
    if case["bundle_id"] is None:
        return
    waiting = await BundleApplication.exists().where(
        (BundleApplication.id == case["bundle_id"]) & BundleApplication.submitted_at.is_null()
    )
    if waiting:
        raise Conflict(GovServicesCode.BUNDLE_MEMBER_HELD)
