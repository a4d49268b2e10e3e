"""Two admins at once: one draft is published once, an item gets one new draft, and the
catalogue keeps one version that new applications start on."""

from __future__ import annotations

import asyncio

from miniapps.gov_services.tables import ItemDistrict, ItemVersion
from tests.miniapps.gov_services.catalogue_support import Catalogue


async def test_a_draft_published_twice_at_once_is_published_once(catalogue: Catalogue) -> None:
    item = await catalogue.published_item()
    draft = (await catalogue.admin("POST", f"/items/{item['id']}/versions")).json()
    path = f"/versions/{draft['id']}/publish"
    answers = await asyncio.gather(*(catalogue.admin("POST", path) for _ in range(4)))
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200, 409, 409, 409], [a.text for a in answers]
    assert {a.json()["code"] for a in answers if a.status_code == 409} <= {
        "item_version_frozen",
        "item_version_changed",
    }
    current = await ItemVersion.count().where(
        (ItemVersion.item_id == item["id"])
        & (ItemVersion.status == "published")
        & ItemVersion.valid_to.is_null()
    )
    assert current == 1
    assert await ItemDistrict.count().where(ItemDistrict.version_id == draft["id"]) == 1


async def test_two_new_drafts_at_once_make_one(catalogue: Catalogue) -> None:
    item = await catalogue.published_item()
    path = f"/items/{item['id']}/versions"
    answers = await asyncio.gather(*(catalogue.admin("POST", path) for _ in range(4)))
    assert sorted(a.status_code for a in answers) == [201, 409, 409, 409]
    assert {a.json()["code"] for a in answers if a.status_code == 409} == {"item_draft_exists"}
    assert await ItemVersion.count().where(ItemVersion.item_id == item["id"]) == 2
