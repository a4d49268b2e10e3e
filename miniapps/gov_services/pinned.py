"""The document an application follows: that of the item version it pinned when it started,
whatever was published since."""

from __future__ import annotations

from backend.sdk import json_value
from miniapps.gov_services.document import ItemDocument, parse_document
from miniapps.gov_services.tables import ItemVersion


async def pinned_document(item_version_id: int) -> ItemDocument:
    """The document of the version; an application only ever pins a published one, which
    never changes."""
    row = (
        await ItemVersion.select(ItemVersion.document)
        .where(ItemVersion.id == item_version_id)
        .first()
    )
    if row is None:
        raise LookupError(f"no item version {item_version_id}")
    return parse_document(json_value(row["document"]))
