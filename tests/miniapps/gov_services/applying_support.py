"""Items for a resident to apply for, put in the catalogue's tables directly (as publishing
leaves them), people with licences of their own, and the rows a request may leave behind."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import msgspec
from litestar import Litestar

from backend.directory.users.service import account_for_phone, set_home
from backend.directory.users.tables import AuditEntry
from backend.kernel.events.tables import OutboxEvent
from backend.kernel.id_cards import check_character
from backend.kernel.notices import NOTICE_REQUESTED
from backend.kernel.services import services_of
from backend.kernel.vault import Vault
from miniapps.gov_services.applicant import city_today
from miniapps.gov_services.catalogue import demo_catalogue
from miniapps.gov_services.document import ItemDocument, document_json, document_sha256
from miniapps.gov_services.licences.demo import DEMO_LICENCES
from miniapps.gov_services.licences.fixture import FixtureLicence, FixtureLicences
from miniapps.gov_services.licences.provider import open_licences
from miniapps.gov_services.tables import (
    Application,
    ApplicationStatus,
    ItemVersion,
    MaterialItem,
    RefCounter,
    ServiceItem,
)

G07 = "zz/gx/fengyang/c03/g07"
RESIDENT = "13800000001"  # 王居民: id card, household register, marriage certificate, property
NEIGHBOUR = "13800000003"  # lives in g07 too, and has no licences
APP = "/v1/miniapps/gov_services"


def demo_document(code: str) -> ItemDocument:
    return next(entry.document for entry in demo_catalogue() if entry.code == code)


def nothing_required(code: str) -> ItemDocument:
    """The item's document asking for no answer and no material: a draft submits as it is."""
    doc = demo_document(code)
    form = msgspec.structs.replace(doc.form, schema={**doc.form.schema, "required": []})
    return msgspec.structs.replace(doc, form=form, materials=(), eligibility=(), prefill=())


async def add_item(code: str, *, name: str | None = None) -> int:
    entry = next((e for e in demo_catalogue() if e.code == code), None)
    rows = await ServiceItem.insert(
        ServiceItem(
            code=code,
            name=name or (entry.name if entry else code),
            dept=entry.dept if entry else "民政",
            category=entry.category if entry else "test",
            created_by=1,
        )
    ).returning(ServiceItem.id)
    return int(rows[0]["id"])


async def add_version(
    item_id: int, doc: ItemDocument, *, version: int = 1, status: str = "published"
) -> int:
    """A version row as the catalogue leaves it: a published one with its hash and time."""
    published = status != "draft"
    rows = await ItemVersion.insert(
        ItemVersion(
            item_id=item_id,
            version=version,
            status=status,
            document=document_json(doc),
            sha256=document_sha256(doc) if published else "",
            created_by=1,
            published_by=1 if published else None,
            published_at=dt.datetime.now(dt.UTC) if published else None,
        )
    ).returning(ItemVersion.id)
    return int(rows[0]["id"])


async def retire(version_id: int) -> None:
    await ItemVersion.update({ItemVersion.status: "retired"}).where(ItemVersion.id == version_id)


async def publish(code: str, doc: ItemDocument | None = None) -> tuple[int, int]:
    """(item id, version id) of a demo item published as version 1."""
    item_id = await add_item(code)
    return item_id, await add_version(item_id, doc or demo_document(code))


def id_number(born: dt.date, serial: str = "001") -> str:
    first17 = f"410102{born:%Y%m%d}{serial}"
    return first17 + check_character(first17)


def born_years_ago(years: int, *, days_later: int = 0) -> dt.date:
    """The birth date of someone who turns `years` today in the city, or `days_later`
    days from now."""
    today = city_today()
    try:
        born = today.replace(year=today.year - years)
    except ValueError:  # 29 February, in a year without one
        born = today.replace(year=today.year - years, day=28)
    return born + dt.timedelta(days=days_later)


def id_card(phone: str, name: str, born: dt.date) -> FixtureLicence:
    return FixtureLicence(
        type="id_card",
        ref=f"test:id_card:{phone}",
        issued_by="郑州市公安局",
        fields={"name": name, "number": id_number(born), "address": "郑州市高新区"},
    )


async def resident(vault: Vault, phone: str, name: str, home: str | None = G07) -> int:
    user_id = await account_for_phone(phone=phone, vault=vault, name=name)
    if home is not None:
        await set_home(user_id=user_id, home_path=home)
    return user_id


async def use_licences(app: Litestar, holders: dict[str, Sequence[FixtureLicence]]) -> None:
    """The app's licence sources: the demo city's and a source of these people's."""
    services = services_of(app)
    mine = FixtureLicences(holders)
    services.add_runtime(await open_licences({"demo": DEMO_LICENCES, "test": mine}, services))


async def counts() -> dict[str, int]:
    """The rows a refused request must leave as they were."""
    return {
        "applications": await Application.count(),
        "statuses": await ApplicationStatus.count(),
        "materials": await MaterialItem.count(),
        "refs": await RefCounter.count(),
        "audit": await AuditEntry.count().where(AuditEntry.action.like("gov_services.%")),
        # Notices follow from a change's event in its subscriber's own transaction, after
        # the request has answered: they are not the request's rows.
        "outbox": await OutboxEvent.count().where(OutboxEvent.name != NOTICE_REQUESTED),
    }


async def application_row(application_id: int) -> dict[str, Any]:
    row = await Application.select().where(Application.id == application_id).first()
    assert row is not None
    return row


async def start(client: Any, token: str, code: str) -> dict[str, Any]:
    answer = await client.post(
        f"{APP}/applications",
        json={"item_code": code},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 201, answer.text
    view: dict[str, Any] = answer.json()
    return view


async def submitted(client: Any, token: str, code: str = "legal_aid") -> dict[str, Any]:
    """A case submitted on an item asking nothing (publish it first: `nothing_required`)."""
    draft = await start(client, token, code)
    answer = await client.post(
        f"{APP}/applications/{draft['id']}/submit", headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 200, answer.text
    view: dict[str, Any] = answer.json()
    return view


async def legal_aid_drafts(
    client: Any, vault: Vault, token_for_phone: Any, phones: Sequence[str]
) -> list[tuple[str, dict[str, Any]]]:
    """A draft of 法律援助申请, published to ask nothing, for a new resident at each phone:
    (their token, the draft), ready to submit as it is."""
    await publish("legal_aid", nothing_required("legal_aid"))
    drafts = []
    for n, phone in enumerate(phones):
        await resident(vault, phone, f"测试{n}")
        token = await token_for_phone(phone)
        drafts.append((token, await start(client, token, "legal_aid")))
    return drafts
