"""The demo catalogue, published for `yimen seed-demo`: the items of
`miniapps/gov_services/catalogue/`, each created and published the way an admin would."""

from __future__ import annotations

from backend.sdk import transaction
from miniapps.gov_services.admin_service import create_item, publish
from miniapps.gov_services.bundle_demo import seed_demo_bundles
from miniapps.gov_services.catalogue import demo_catalogue
from miniapps.gov_services.catalogue_schemas import ItemIn
from miniapps.gov_services.document import document_json
from miniapps.gov_services.tables import ServiceItem


async def seed_demo_catalogue() -> None:
    """Publish every demo item whose code the catalogue does not have yet; one already there
    is left as it stands, so a second seed changes nothing. Each item is created and
    published in one transaction: an item of the demo that could not be published is not
    left behind as a draft."""
    for entry in demo_catalogue():
        if await ServiceItem.exists().where(ServiceItem.code == entry.code):
            continue
        item = ItemIn(
            code=entry.code,
            name=entry.name,
            dept=entry.dept,
            category=entry.category,
            keywords=entry.keywords.split(),
            document=document_json(entry.document),
        )
        async with transaction():
            created = await create_item(actor=None, item=item)
            await publish(actor=None, version_id=created.draft.id, expected=None)
    # The bundles (一件事) last: publishing one checks that its members are published.
    await seed_demo_bundles()
