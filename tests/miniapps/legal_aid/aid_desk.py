"""Legal-aid cases as the service engine opens them: a granted 法律援助申请 told on the
outbox, as the engine tells it; and the district's centre with a lawyer on duty."""

from __future__ import annotations

import datetime as dt
import uuid

from litestar import Litestar

from backend.kernel.contract import Event, JobContext
from backend.kernel.events import emit, unit_of_work
from backend.kernel.service_desk import APPLICATION_MOVED, ApplicationMoved
from backend.kernel.services import services_of
from miniapps.gov_services.catalogue import demo_catalogue
from miniapps.gov_services.document import document_json, document_sha256
from miniapps.gov_services.tables import Application, ItemVersion, ServiceItem
from miniapps.legal_aid.aid_cases import ITEM_CODE, open_case
from miniapps.legal_aid.refusals import keep_refusal
from miniapps.legal_aid.tables import AidCase
from tests.conftest import Client, TokenForPhone
from tests.miniapps.gov_services.staff_support import Published, submitted
from tests.miniapps.legal_aid.desk import (
    ADMIN_GX,
    Person,
    listed,
    new_lawyer,
    on_duty,
    someone,
    station,
)
from tests.support import eventually


async def legal_aid_item() -> Published:
    """The demo catalogue's 法律援助申请 under its own code, published."""
    found = await ServiceItem.select(ServiceItem.id).where(ServiceItem.code == ITEM_CODE).first()
    entry = next(e for e in demo_catalogue() if e.code == ITEM_CODE)
    if found is None:
        item = ServiceItem(
            code=ITEM_CODE,
            name=entry.name,
            dept=entry.dept,
            category=entry.category,
            keywords=entry.keywords,
            created_by=1,
        )
        await item.save()
        version = ItemVersion(
            item_id=item.id,
            version=1,
            status="published",
            document=document_json(entry.document),
            sha256=document_sha256(entry.document),
            created_by=1,
            published_by=1,
        )
        await version.save()
        return Published(item.id, version.id, entry.document)
    row = await ItemVersion.select(ItemVersion.id).where(ItemVersion.item_id == found["id"]).first()
    assert row is not None
    return Published(found["id"], row["id"], entry.document)


async def granted_event(applicant_id: int, outcome: str = "approved") -> ApplicationMoved:
    """The event the engine writes when it decides an application of `applicant_id`'s
    (grants it, unless `outcome` says otherwise), made of a real application of theirs at
    the engine."""
    item = await legal_aid_item()
    application_id = await submitted(item, applicant_id=applicant_id)
    application = (
        await Application.select(Application.ref_no).where(Application.id == application_id).first()
    )
    assert application is not None
    return ApplicationMoved(
        application_id=application_id,
        ref=application["ref_no"],
        applicant_id=applicant_id,
        item_id=item.item_id,
        item_version_id=item.version_id,
        bundle_id=None,
        action="decide",
        from_status="in_progress",
        to_status="decided",
        step="deliver",
        assignee_org="zz/gx",
        actor_id=1,
        item_code=ITEM_CODE,
        outcome=outcome,
    )


async def decided_at(app: Litestar, moved: ApplicationMoved, at: dt.datetime) -> None:
    """The decision's event as a worker hands it to legal aid's handlers, told it happened
    `at`: the grant opens its case, the refusal is kept."""
    event = Event(id=uuid.uuid4(), name=APPLICATION_MOVED, payload=moved, occurred_at=at)
    job = JobContext(app_id="legal_aid", services=services_of(app))
    handler = open_case if moved.outcome == "approved" else keep_refusal
    await handler(event, job)


async def opened_case(applicant_id: int) -> int:
    """Grant an application and wait for its case; the case's id."""
    moved = await granted_event(applicant_id)
    async with unit_of_work():
        await emit(APPLICATION_MOVED, moved)

    async def opened() -> bool:
        return bool(await AidCase.exists().where(AidCase.application_id == moved.application_id))

    await eventually(opened, what="the case to open")
    row = (
        await AidCase.select(AidCase.id)
        .where(AidCase.application_id == moved.application_id)
        .first()
    )
    assert row is not None
    return int(row["id"])


class Centre:
    """The district admin, the centre with its head, and two lawyers listed there."""

    def __init__(self, admin: Person, head: Person, lawyers: list[Person], ids: list[int]) -> None:
        self.admin = admin
        self.head = head
        self.lawyers = lawyers
        self.lawyer_ids = ids


async def centre(
    client: Client, token_for_phone: TokenForPhone, now: dt.datetime, *, on_duty_too: bool = True
) -> Centre:
    admin = await someone(client, token_for_phone, ADMIN_GX)
    head = await new_lawyer(client, token_for_phone, admin, "13900000300")
    desk = await station(client, admin, kind="centre", head_id=head.user_id)
    lawyers, ids = [], []
    for phone in ("13900000301", "13900000302"):
        lawyer = await new_lawyer(client, token_for_phone, admin, phone)
        lawyer_id = await listed(client, admin, desk, lawyer, {"labour"})
        if on_duty_too:
            await on_duty(client, admin, lawyer_id, now)
        lawyers.append(lawyer)
        ids.append(lawyer_id)
    return Centre(admin, head, lawyers, ids)
