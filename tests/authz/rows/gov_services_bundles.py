"""Rows for the service engine's bundles (一件事). Only the catalogue's admin (service_admin)
writes a bundle's versions or reads them; a platform admin is refused like anyone. Every
signed-in caller sees a published bundle's form and starts a bundle application of their
own; a bundle application is its applicant's alone, and to anyone else it does not exist
(404), staff included."""

from __future__ import annotations

from typing import Any

import msgspec

from miniapps.gov_services.bundle_admin import create_version, publish
from miniapps.gov_services.bundle_model import BundleDefinition, BundleIn, BundleMember
from miniapps.gov_services.states import Status
from miniapps.gov_services.tables import (
    Application,
    BundleApplication,
    ItemVersion,
    ServiceItem,
)
from tests.authz.city import City
from tests.authz.matrix import (
    DEMO,
    NOTHING,
    SIGNED_IN,
    Caller,
    Req,
    Row,
    Target,
    TargetMaker,
    each,
    path_ids,
    per_caller,
)
from tests.miniapps.gov_services.applying_support import add_item, add_version, nothing_required

APP = "/v1/miniapps/gov_services"
VERSION = f"{APP}/admin/bundle-versions/{{version_id:int}}"
ONE = f"{APP}/bundle-applications/{{bundle_id:int}}"
FIRST, SECOND = "authz.bundle.first", "authz.bundle.second"
ONLY_THE_ADMIN = {Caller.SERVICE_ADMIN: 200}


def _definition() -> BundleDefinition:
    """Two items asking for nothing, the second waiting for the first."""
    return BundleDefinition(
        members=(BundleMember(item=FIRST), BundleMember(item=SECOND, depends_on=(FIRST,))),
        promised_limit_wd=5,
    )


def _bundle(city: City) -> BundleIn:
    return BundleIn(
        code=f"authz.bundle.{city.number()}", name="授权测试一件事", definition=_definition()
    )


async def _members() -> dict[str, tuple[int, int]]:
    """The two member items, published once: code → (item id, version id)."""
    found = {}
    for code in (FIRST, SECOND):
        item = await ServiceItem.select(ServiceItem.id).where(ServiceItem.code == code).first()
        if item is None:
            item_id = await add_item(code, name="授权测试事项")
            found[code] = (item_id, await add_version(item_id, nothing_required("legal_aid")))
            continue
        version = (
            await ItemVersion.select(ItemVersion.id)
            .where(ItemVersion.item_id == item["id"])
            .first()
        )
        assert version is not None
        found[code] = (int(item["id"]), int(version["id"]))
    return found


async def _draft(city: City, caller: Caller) -> Target:
    await _members()
    draft = await create_version(actor=None, bundle=_bundle(city))
    return Target(ids={"version_id": draft.id, "code": draft.code})


async def _published(city: City, caller: Caller) -> Target:
    target = await _draft(city, caller)
    await publish(actor=None, version_id=target.ids["version_id"], expected=None)
    return target


async def _application(city: City, owner: Caller) -> Target:
    """A bundle application of `owner`, not submitted: a draft of each member."""
    members = await _members()
    version = await _published(city, owner)
    rows = await BundleApplication.insert(
        BundleApplication(bundle_version_id=version.ids["version_id"], applicant_id=city.ids[owner])
    ).returning(BundleApplication.id)
    bundle_id = int(rows[0]["id"])
    for item_id, version_id in members.values():
        await Application.insert(
            Application(
                ref_no=f"authz-{city.number()}",
                applicant_id=city.ids[owner],
                item_id=item_id,
                item_version_id=version_id,
                bundle_id=bundle_id,
                status=Status.DRAFT,
                place_path=DEMO[owner][1],
            )
        )
    return Target(path=DEMO[owner][1], owner=owner, ids={"bundle_id": bundle_id})


@per_caller
async def _own(city: City, caller: Caller) -> Target:
    return await _application(city, Caller.RESIDENT if caller is Caller.ANONYMOUS else caller)


async def _residents(city: City, caller: Caller) -> Target:
    return await _application(city, Caller.RESIDENT)


OWN = "the caller's own"
RESIDENTS = "the g07 resident's"
APPLICATIONS: dict[str, TargetMaker] = {OWN: _own, RESIDENTS: _residents}
APPLICANT_ONLY = {OWN: each(SIGNED_IN, 200), RESIDENTS: {Caller.RESIDENT: 200}}


async def _new_bundle(city: City, target: Target, caller: Caller) -> Req:
    await _members()
    return Req(json=msgspec.to_builtins(_bundle(city)))


async def _edit(city: City, target: Target, caller: Caller) -> Req:
    body: dict[str, Any] = {"name": "改名", "definition": msgspec.to_builtins(_definition())}
    return Req(path_params={"version_id": target.ids["version_id"]}, json=body)


async def _code(city: City, target: Target, caller: Caller) -> Req:
    return Req(path_params={"code": target.ids["code"]})


async def _submit(city: City, target: Target, caller: Caller) -> Req:
    return Req(path_params=target.ids, json={"answers": {}, "materials": [], "consent": False})


ROWS = [
    Row("POST", f"{APP}/admin/bundles", NOTHING, {"-": {Caller.SERVICE_ADMIN: 201}}, _new_bundle),
    Row("GET", VERSION, {"a draft": _draft}, {"a draft": ONLY_THE_ADMIN}, path_ids("version_id")),
    Row("PUT", VERSION, {"a draft": _draft}, {"a draft": ONLY_THE_ADMIN}, _edit),
    Row(
        "POST",
        f"{VERSION}/publish",
        {"a draft": _draft},
        {"a draft": ONLY_THE_ADMIN},
        path_ids("version_id"),
    ),
    Row(
        "GET",
        f"{APP}/bundles/{{code:str}}",
        {"a published bundle": _published},
        {"a published bundle": each(SIGNED_IN, 200)},
        _code,
    ),
    Row(
        "POST",
        f"{APP}/bundles/{{code:str}}/applications",
        {"a published bundle": _published},
        {"a published bundle": each(SIGNED_IN, 201)},
        _code,
        reuse_targets=True,
    ),
    Row("GET", ONE, APPLICATIONS, APPLICANT_ONLY, path_ids("bundle_id"), denied=404),
    Row("POST", f"{ONE}/submit", APPLICATIONS, APPLICANT_ONLY, _submit, denied=404),
]
