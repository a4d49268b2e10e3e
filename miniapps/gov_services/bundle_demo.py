"""The demo catalogue's bundles (一件事), published for `yimen seed-demo` once its items are:
each created and published the way an admin would, by the platform itself."""

from __future__ import annotations

from backend.sdk import transaction
from miniapps.gov_services.bundle_admin import create_version, publish
from miniapps.gov_services.catalogue.bundles import demo_bundles
from miniapps.gov_services.tables import BundleVersion


async def seed_demo_bundles() -> None:
    """Publish every demo bundle whose code has no version yet; one already there is left
    as it stands, so a second seed changes nothing. Each is created and published in one
    transaction: a bundle that could not be published is not left behind as a draft."""
    for bundle in demo_bundles():
        if await BundleVersion.exists().where(BundleVersion.code == bundle.code):
            continue
        async with transaction():
            draft = await create_version(actor=None, bundle=bundle)
            await publish(actor=None, version_id=draft.id, expected=None)
