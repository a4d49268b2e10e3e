"""Rows for the service engine's catalogue: every signed-in caller browses the published
catalogue (public information, about no one), where a draft-only item or a draft version is
not found; only the catalogue's admin (service_admin) writes it or reads its drafts. A
platform admin runs the platform, not the city's service list, and is refused like anyone."""

from __future__ import annotations

from typing import Any

from miniapps.gov_services.admin_service import create_item, publish, start_draft
from miniapps.gov_services.catalogue import demo_catalogue
from miniapps.gov_services.catalogue_schemas import ItemIn
from miniapps.gov_services.document import document_json
from tests.authz.city import City
from tests.authz.matrix import (
    NOTHING,
    SIGNED_IN,
    Caller,
    Req,
    Row,
    Target,
    each,
    no_request,
    path_ids,
)

APP = "/v1/miniapps/gov_services"
ADMIN = f"{APP}/admin"
ONLY_THE_ADMIN = {Caller.SERVICE_ADMIN: 200}


def _document() -> dict[str, Any]:
    return document_json(demo_catalogue()[0].document)


def _item(city: City) -> ItemIn:
    return ItemIn(
        code=f"AUTHZ-{city.number()}",
        name="授权测试",
        dept="民政",
        category="测试",
        document=_document(),
    )


async def _draft_only(city: City, caller: Caller) -> Target:
    created = await create_item(actor=None, item=_item(city))
    return Target(ids={"item_id": created.item.id, "version_id": created.draft.id})


async def _published(city: City, caller: Caller) -> Target:
    created = await create_item(actor=None, item=_item(city))
    await publish(actor=None, version_id=created.draft.id, expected=None)
    return Target(ids={"item_id": created.item.id, "version_id": created.draft.id})


async def _published_and_drafted(city: City, caller: Caller) -> Target:
    """A published version 1 and a draft version 2: `version_id` is the draft's."""
    published = await _published(city, caller)
    draft = await start_draft(actor=None, item_id=published.ids["item_id"])
    return Target(
        ids={**published.ids, "base": published.ids["version_id"], "version_id": draft.id}
    )


async def _new_item(city: City, target: Target, caller: Caller) -> Req:
    return Req(
        json={
            "code": f"AUTHZ-{city.number()}",
            "name": "新事项",
            "dept": "民政",
            "category": "测试",
            "document": _document(),
        }
    )


async def _new_document(city: City, target: Target, caller: Caller) -> Req:
    return Req(path_params={"version_id": target.ids["version_id"]}, json={"document": _document()})


async def _diff(city: City, target: Target, caller: Caller) -> Req:
    return Req(
        path_params={"version_id": target.ids["version_id"]}, params={"base": target.ids["base"]}
    )


async def _preview(city: City, target: Target, caller: Caller) -> Req:
    return Req(path_params={"version_id": target.ids["version_id"]}, json={"answers": {}})


ROWS = [
    Row("GET", f"{APP}/items", NOTHING, {"-": each(SIGNED_IN, 200)}, no_request),
    Row(
        "GET",
        f"{APP}/items/{{item_id:int}}",
        {"a published item": _published, "a draft-only item": _draft_only},
        {"a published item": each(SIGNED_IN, 200)},
        path_ids("item_id"),
        denied=404,
    ),
    Row(
        "GET",
        f"{APP}/items/{{item_id:int}}/versions/{{version_id:int}}",
        {"a published version": _published, "a draft version": _published_and_drafted},
        {"a published version": each(SIGNED_IN, 200)},
        path_ids("item_id", "version_id"),
        denied=404,
    ),
    Row("POST", f"{ADMIN}/items", NOTHING, {"-": {Caller.SERVICE_ADMIN: 201}}, _new_item),
    Row("GET", f"{ADMIN}/items", NOTHING, {"-": ONLY_THE_ADMIN}, no_request),
    Row(
        "POST",
        f"{ADMIN}/items/{{item_id:int}}/retire",
        {"a published item": _published},
        {"a published item": ONLY_THE_ADMIN},
        path_ids("item_id"),
    ),
    Row(
        "GET",
        f"{ADMIN}/items/{{item_id:int}}/versions",
        {"an item": _published_and_drafted},
        {"an item": ONLY_THE_ADMIN},
        path_ids("item_id"),
    ),
    Row(
        "POST",
        f"{ADMIN}/items/{{item_id:int}}/versions",
        {"a published item": _published},
        {"a published item": {Caller.SERVICE_ADMIN: 201}},
        path_ids("item_id"),
    ),
    Row(
        "GET",
        f"{ADMIN}/versions/{{version_id:int}}",
        {"a draft": _draft_only},
        {"a draft": ONLY_THE_ADMIN},
        path_ids("version_id"),
    ),
    Row(
        "PATCH",
        f"{ADMIN}/versions/{{version_id:int}}",
        {"a draft": _draft_only},
        {"a draft": ONLY_THE_ADMIN},
        _new_document,
    ),
    Row(
        "POST",
        f"{ADMIN}/versions/{{version_id:int}}/publish",
        {"a draft": _draft_only},
        {"a draft": ONLY_THE_ADMIN},
        path_ids("version_id"),
    ),
    Row(
        "POST",
        f"{ADMIN}/versions/{{version_id:int}}/retire",
        {"a published version": _published},
        {"a published version": ONLY_THE_ADMIN},
        path_ids("version_id"),
    ),
    Row(
        "GET",
        f"{ADMIN}/versions/{{version_id:int}}/diff",
        {"a new draft": _published_and_drafted},
        {"a new draft": ONLY_THE_ADMIN},
        _diff,
    ),
    Row(
        "POST",
        f"{ADMIN}/versions/{{version_id:int}}/preview",
        {"a published version": _published},
        {"a published version": ONLY_THE_ADMIN},
        _preview,
        reuse_targets=True,
    ),
    Row("GET", f"{ADMIN}/document-schema", NOTHING, {"-": ONLY_THE_ADMIN}, no_request),
]
