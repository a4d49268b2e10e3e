"""Rows for the service engine's applications, as their applicant sees them.
A resident's applications: anyone signed in (everyone holds `resident`) starts, lists and
acts on their own; another's application does not exist for them (404), whoever they are,
staff included (they reach submitted cases through the staff API). A licence is given only
by its holder: a caller with no such licence of their own is refused (403)."""

from __future__ import annotations

import httpx
import msgspec

from miniapps.gov_services.document import ItemDocument
from miniapps.gov_services.states import Status
from miniapps.gov_services.tables import Application, ItemVersion, MaterialItem, ServiceItem
from tests.authz.city import City, png
from tests.authz.matrix import (
    DEMO,
    NOTHING,
    SIGNED_IN,
    Caller,
    Outcome,
    Req,
    RequestMaker,
    Row,
    Target,
    TargetMaker,
    each,
    json_body,
    no_request,
    path_ids,
    per_caller,
)
from tests.miniapps.gov_services.applying_support import (
    add_item,
    add_version,
    demo_document,
    nothing_required,
)

APP = "/v1/miniapps/gov_services"
ONE = f"{APP}/applications/{{application_id:int}}"
ITEM = "authz.apply"
# Each demo caller's identity card among the demo licences; the others hold none.
ID_CARDS = {
    Caller.RESIDENT: "demo:id_card:wang-jumin",
    Caller.FAMILY: "demo:id_card:wang-jiashu",
    Caller.RESIDENT_JINSHUI: "demo:id_card:jinshui-jumin",
}
WITHOUT_LICENCES = tuple(c for c in SIGNED_IN if c not in ID_CARDS)


def _document() -> ItemDocument:
    """法律援助 asking for nothing: its materials all optional, so a draft submits as it is."""
    never = {"not": {}}
    materials = demo_document("legal_aid").materials
    optional = tuple(msgspec.structs.replace(m, required_when=never) for m in materials)
    return msgspec.structs.replace(nothing_required("legal_aid"), materials=optional)


async def _version() -> tuple[int, int]:
    """(item id, version id) of the item every row applies for, published once."""
    item = await ServiceItem.select(ServiceItem.id).where(ServiceItem.code == ITEM).first()
    if item is None:
        item_id = await add_item(ITEM, name="授权矩阵事项")
        return item_id, await add_version(item_id, _document())
    version = (
        await ItemVersion.select(ItemVersion.id).where(ItemVersion.item_id == item["id"]).first()
    )
    assert version is not None
    return int(item["id"]), int(version["id"])


async def _case(city: City, owner: Caller, status: Status, *, material: bool = False) -> Target:
    item_id, version_id = await _version()
    rows = await Application.insert(
        Application(
            ref_no=f"authz-{city.number()}",
            applicant_id=city.ids[owner],
            item_id=item_id,
            item_version_id=version_id,
            status=status,
            current_step=None if status is Status.DRAFT else "accept",
            place_path=DEMO[owner][1],
        )
    ).returning(Application.id)
    ids = {"application_id": int(rows[0]["id"])}
    if material:
        given = await MaterialItem.insert(
            MaterialItem(
                application_id=ids["application_id"],
                material_code="case_materials",
                source="upload",
                file_key="authz.png",
                sha256="0" * 64,
                added_by=city.ids[owner],
            )
        ).returning(MaterialItem.id)
        ids["material_id"] = int(given[0]["id"])
    return Target(path=DEMO[owner][1], owner=owner, ids=ids)


async def _offered(city: City, caller: Caller) -> Target:
    await _version()
    return Target()


def _own(status: Status, *, material: bool = False) -> TargetMaker:
    @per_caller
    async def make(city: City, caller: Caller) -> Target:
        owner = Caller.RESIDENT if caller is Caller.ANONYMOUS else caller
        return await _case(city, owner, status, material=material)

    return make


def _residents(status: Status, *, material: bool = False) -> TargetMaker:
    async def make(city: City, caller: Caller) -> Target:
        return await _case(city, Caller.RESIDENT, status, material=material)

    return make


OWN = "the caller's own"
RESIDENTS = "the g07 resident's"


def _drafts(*, material: bool = False) -> dict[str, TargetMaker]:
    return {
        OWN: _own(Status.DRAFT, material=material),
        RESIDENTS: _residents(Status.DRAFT, material=material),
    }


def _applicant_only(status: int) -> dict[str, dict[Caller, Outcome]]:
    return {OWN: each(SIGNED_IN, status), RESIDENTS: {Caller.RESIDENT: status}}


async def _upload(city: City, target: Target, caller: Caller) -> Req:
    form = httpx.Request(
        "POST",
        "http://authz",
        data={"material_code": "case_materials"},
        files={"file": ("scan.png", png(), "image/png")},
    )
    return Req(
        path_params=target.ids,
        content=form.read(),
        headers={"Content-Type": form.headers["content-type"]},
    )


async def _licence(city: City, target: Target, caller: Caller) -> Req:
    ref = ID_CARDS.get(caller, ID_CARDS[Caller.RESIDENT])
    body = {"material_code": "id_card", "licence_ref": ref, "consent": True}
    return Req(path_params=target.ids, json=body)


def _with_body(body: object) -> RequestMaker:
    async def request(city: City, target: Target, caller: Caller) -> Req:
        return Req(path_params=target.ids, json=body)

    return request


ROWS = [
    # ---- a resident's applications ---------------------------------------------------------
    Row(
        "POST",
        f"{APP}/applications",
        {"an item on offer": _offered},
        {"an item on offer": each(SIGNED_IN, 201)},
        json_body(lambda target: {"item_code": ITEM}),
        reuse_targets=True,
    ),
    Row("GET", f"{APP}/applications", NOTHING, {"-": each(SIGNED_IN, 200)}, no_request),
    Row("GET", ONE, _drafts(), _applicant_only(200), path_ids("application_id"), denied=404),
    Row(
        "PUT",
        f"{ONE}/answers",
        _drafts(),
        _applicant_only(200),
        _with_body({"answers": {}}),
        denied=404,
    ),
    Row(
        "POST",
        f"{ONE}/submit",
        _drafts(),
        _applicant_only(200),
        path_ids("application_id"),
        denied=404,
    ),
    Row(
        "POST",
        f"{ONE}/withdraw",
        {OWN: _own(Status.SUBMITTED), RESIDENTS: _residents(Status.SUBMITTED)},
        _applicant_only(200),
        _with_body({}),
        denied=404,
    ),
    Row(
        "GET",
        f"{ONE}/progress",
        {OWN: _own(Status.SUBMITTED), RESIDENTS: _residents(Status.SUBMITTED)},
        _applicant_only(200),
        path_ids("application_id"),
        denied=404,
    ),
    Row(
        "POST",
        f"{ONE}/materials/files",
        _drafts(),
        _applicant_only(201),
        _upload,
        denied=404,
    ),
    Row(
        "POST",
        f"{ONE}/materials/licences",
        _drafts(),
        {
            OWN: {**each(ID_CARDS, 201), **each(WITHOUT_LICENCES, 403)},
            RESIDENTS: {Caller.RESIDENT: 201},
        },
        _licence,
        denied=404,
    ),
    Row(
        "POST",
        f"{ONE}/materials/commitments",
        _drafts(),
        _applicant_only(201),
        _with_body({"material_code": "financial_hardship", "signed": True}),
        denied=404,
    ),
    Row(
        "DELETE",
        f"{ONE}/materials/{{material_id:int}}",
        _drafts(material=True),
        _applicant_only(200),
        path_ids("application_id", "material_id"),
        denied=404,
    ),
]
