"""Rows for the service engine (办事).

The catalogue: every signed-in caller browses the published
catalogue (public information, about no one), where a draft-only item or a draft version is
not found; only the catalogue's admin (service_admin) writes it or reads its drafts. A
platform admin runs the platform, not the city's service list, and is refused like anyone.

A resident's applications: anyone signed in (everyone holds `resident`) starts, lists and
acts on their own; another's application does not exist for them (404), whoever they are,
staff included (they reach submitted cases through the staff API). A licence is given only
by its holder: a caller with no such licence of their own is refused (403).

The staff side: a case is handled by holders of its step's role
over its assignee org: the fengyang street's officer for a step at the street, the gx
district's officer for every step in gx, nobody of jinshui; the gx approver signs off an
extension but takes no step. Anyone else, the officers included, is refused with a 403
(a case's number says nothing a 403 would hide). The resident's answer to a 补正 is the
applicant's alone."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import msgspec

from backend.kernel.paths import is_within
from backend.kernel.roles import Role
from miniapps.gov_services.admin_service import create_item, publish, start_draft
from miniapps.gov_services.catalogue import demo_catalogue
from miniapps.gov_services.catalogue_schemas import ItemIn
from miniapps.gov_services.clock import overdue_from
from miniapps.gov_services.document import ItemDocument, document_json
from miniapps.gov_services.routing import entering, worklist_keys
from miniapps.gov_services.states import Status
from miniapps.gov_services.tables import Application, ItemVersion, MaterialItem, ServiceItem
from tests.authz.city import City, png
from tests.authz.matrix import (
    DEMO,
    G07,
    JINSHUI_G01,
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
from tests.miniapps.gov_services.staff_support import RESIDENCE_ANSWERS, published, submitted

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


CATALOGUE_ROWS = [
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


# ---- a resident's applications ----------------------------------------------------------
ONE = f"{APP}/applications/{{application_id:int}}"
ITEM = "authz.apply"
# Each demo caller's identity card among the demo licences; the others hold none.
ID_CARDS = {
    Caller.RESIDENT: "demo:id_card:wang-jumin",
    Caller.FAMILY: "demo:id_card:wang-jiashu",
    Caller.RESIDENT_JINSHUI: "demo:id_card:jinshui-jumin",
}
WITHOUT_LICENCES = tuple(c for c in SIGNED_IN if c not in ID_CARDS)


def _apply_document() -> ItemDocument:
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
        return item_id, await add_version(item_id, _apply_document())
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


APPLYING_ROWS = [
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


# ---- staff work -------------------------------------------------------------------------
WORK = f"{APP}/work/{{application_id:int}}"
STAFF = (
    Caller.OFFICER_FENGYANG,
    Caller.OFFICER_GX,
    Caller.APPROVER_GX,
    Caller.OFFICER_JINSHUI,
)
OF_FENGYANG = (Caller.OFFICER_FENGYANG, Caller.OFFICER_GX)  # a step at the fengyang street
STAFF_ITEM = "residence_permit_apply"  # 受理, 审核 and 送达 at the street; 决定 at the district


async def _case_at(
    city: City,
    *,
    code: str = STAFF_ITEM,
    step: str,
    status: Status,
    home: str = G07,
    claimed_by: int | None = None,
    owner: Caller = Caller.RESIDENT,
) -> Target:
    """A case of `owner`, at `step` in `status`, as the actions before would leave it."""
    item = await published(code)
    case_id = await submitted(
        item, applicant_id=city.ids[owner], place=home, answers=RESIDENCE_ANSWERS
    )
    document: ItemDocument = item.document
    at = document.step(step)
    assert at is not None
    columns = entering(document, at, home)
    await Application.update(
        {
            **columns,
            **worklist_keys(columns[Application.assignee_org]),
            Application.status: status,
            Application.claimed_by: claimed_by,
        }
    ).where(Application.id == case_id)
    if status is not Status.SUBMITTED:
        await _accepted(case_id, status)
    return Target(
        path=columns[Application.assignee_org], owner=owner, ids={"application_id": case_id}
    )


async def _accepted(case_id: int, status: Status) -> None:
    """Accepted an hour ago, due in ten days (with no due date while in 补正)."""
    now = dt.datetime.now(dt.UTC)
    due = overdue_from(now.date() + dt.timedelta(days=10))
    running = status is not Status.SUPPLEMENT
    await Application.update(
        {
            Application.accepted_at: now - dt.timedelta(hours=1),
            Application.clock_from: now - dt.timedelta(hours=1) if running else None,
            Application.due_at: due if running else None,
            Application.paused_at: None if running else now - dt.timedelta(minutes=5),
        }
    ).where(Application.id == case_id)


def _at(step: str, status: Status, **given: Any) -> TargetMaker:
    async def make(city: City, caller: Caller) -> Target:
        return await _case_at(city, step=step, status=status, **given)

    return make


@per_caller
async def _claimed_by_caller(city: City, caller: Caller) -> Target:
    claimer = city.ids.get(caller)
    return await _case_at(city, step="accept", status=Status.SUBMITTED, claimed_by=claimer)


async def _jinshui_case(city: City, caller: Caller) -> Target:
    return await _case_at(
        city,
        step="accept",
        status=Status.SUBMITTED,
        home=JINSHUI_G01,
        owner=Caller.RESIDENT_JINSHUI,
    )


def _body(body: Any) -> RequestMaker:
    async def request(city: City, target: Target, caller: Caller) -> Req:
        return Req(path_params={"application_id": target.ids["application_id"]}, json=body)

    return request


async def _only_own_work(
    city: City, target: Target, caller: Caller, response: httpx.Response
) -> str | None:
    """Every case listed lies in the caller's scope for a staff role."""
    held = city.claims[caller].paths_for(Role.SERVICE_OFFICER, Role.SERVICE_APPROVER)
    stray = [
        item["id"]
        for item in response.json()["items"]
        if not any(is_within(item["assignee_org"], path) for path in held)
    ]
    return f"cases outside the caller's scope: {stray}" if stray else None


SUBMITTED_HERE = {"a case waiting for 受理 at fengyang": _at("accept", Status.SUBMITTED)}
IDS = path_ids("application_id")

STAFF_ROWS = [
    Row(
        "GET",
        f"{APP}/work",
        {**NOTHING, **SUBMITTED_HERE},
        {"-": each(STAFF, 200), "a case waiting for 受理 at fengyang": each(STAFF, 200)},
        no_request,
        check=_only_own_work,
    ),
    Row(
        "GET",
        WORK,
        {**SUBMITTED_HERE, "a jinshui case": _jinshui_case},
        {
            "a case waiting for 受理 at fengyang": each((*OF_FENGYANG, Caller.APPROVER_GX), 200),
            "a jinshui case": {Caller.OFFICER_JINSHUI: 200},
        },
        IDS,
    ),
    Row(
        "POST",
        f"{WORK}/claim",
        SUBMITTED_HERE,
        {"a case waiting for 受理 at fengyang": each(OF_FENGYANG, 200)},
        IDS,
    ),
    Row(
        "POST",
        f"{WORK}/release",
        {"a case the caller claimed": _claimed_by_caller},
        {"a case the caller claimed": each(OF_FENGYANG, 200)},
        IDS,
    ),
    Row(
        "POST",
        f"{WORK}/accept",
        SUBMITTED_HERE,
        {"a case waiting for 受理 at fengyang": each(OF_FENGYANG, 200)},
        _body({}),
    ),
    Row(
        "POST",
        f"{WORK}/advance",
        {"a case in 审核 at fengyang": _at("review", Status.IN_PROGRESS)},
        {"a case in 审核 at fengyang": each(OF_FENGYANG, 200)},
        _body({"note": "核查无误"}),
    ),
    Row(
        "POST",
        f"{WORK}/return-for-supplement",
        SUBMITTED_HERE,
        {"a case waiting for 受理 at fengyang": each(OF_FENGYANG, 200)},
        _body({"fields": [{"field": "employer", "note": "请填写单位全称"}]}),
    ),
    Row(
        "POST",
        f"{WORK}/reject",
        SUBMITTED_HERE,
        {"a case waiting for 受理 at fengyang": each(OF_FENGYANG, 200)},
        _body({"reason_code": "not_eligible", "text": "居住未满半年"}),
    ),
    Row(
        "POST",
        f"{WORK}/extend",
        {
            "a 低保 case in 调查 at fengyang": _at(
                "investigate", Status.IN_PROGRESS, code="minimum_living_allowance"
            )
        },
        {"a 低保 case in 调查 at fengyang": {Caller.APPROVER_GX: 200}},
        _body({"reason": "入户调查需要更多时间"}),
    ),
    Row(
        "POST",
        f"{WORK}/decide",
        {"a case in 决定 at gx": _at("decide", Status.IN_PROGRESS)},
        {"a case in 决定 at gx": {Caller.OFFICER_GX: 200}},
        _body({"outcome": "approved"}),
    ),
    Row(
        "POST",
        f"{WORK}/deliver",
        {"a decided case at fengyang": _at("deliver", Status.DECIDED)},
        {"a decided case at fengyang": each(OF_FENGYANG, 200)},
        _body({"method": "electronic"}),
    ),
    Row(
        "POST",
        f"{APP}/applications/{{application_id:int}}/supplement",
        {"the g07 resident's case in 补正": _at("review", Status.SUPPLEMENT)},
        {"the g07 resident's case in 补正": {Caller.RESIDENT: 200}},
        _body({"answers": RESIDENCE_ANSWERS}),
    ),
]


ROWS = [*CATALOGUE_ROWS, *APPLYING_ROWS, *STAFF_ROWS]
