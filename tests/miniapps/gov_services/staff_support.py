"""Cases for staff to work on, made straight in the tables: a demo item published, and a
resident's application submitted to its first step, as the catalogue and the resident's
side would leave them."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping
from typing import Any, NamedTuple

from backend.directory.users.tables import AuditEntry
from backend.kernel.claims import Claims
from backend.kernel.events.tables import OutboxEvent
from miniapps.gov_services.catalogue import demo_catalogue
from miniapps.gov_services.document import (
    ItemDocument,
    document_json,
    document_sha256,
    first_step,
)
from miniapps.gov_services.routing import entering, worklist_keys
from miniapps.gov_services.states import APPLICATION_MOVED, Status
from miniapps.gov_services.tables import (
    Application,
    ApplicationStatus,
    ItemVersion,
    MaterialItem,
    ServiceItem,
)

G07 = "zz/gx/fengyang/c03/g07"
JINSHUI_G01 = "zz/jinshui/wenhua/c01/g01"
# A valid application to 居住证申领 (residence_permit_apply), as a resident submits it.
RESIDENCE_ANSWERS: dict[str, Any] = {
    "applicant_name": "王居民",
    "applicant_id_card": "11010119900307803X",
    "phone": "13800000001",
    "residence_address": "高新区枫杨街道西岗社区 7 号楼",
    "residence_since": "2025-01-01",
    "housing_type": "租赁住房",
    "residence_reason": "就业",
    "employer": "郑州某科技有限公司",
    "collect_method": "窗口领取",
}
_refs = itertools.count(1)


class Published(NamedTuple):
    item_id: int
    version_id: int
    document: ItemDocument


async def published(code: str, document: ItemDocument | None = None) -> Published:
    """The demo catalogue's item `code`, with its document (or `document`, another of the
    item's) published as version 1."""
    entry = next(e for e in demo_catalogue() if e.code == code)
    document = document or entry.document
    item = ServiceItem(
        code=f"{entry.code}.{next(_refs)}",
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
        document=document_json(document),
        sha256=document_sha256(document),
        created_by=1,
        published_by=1,
    )
    await version.save()
    return Published(item.id, version.id, document)


async def submitted(
    item: Published,
    *,
    applicant_id: int,
    place: str = G07,
    answers: Mapping[str, Any] | None = None,
    submitted_at: dt.datetime | None = None,
) -> int:
    """An application to `item` by a resident at home in `place`, at the item's first step."""
    step = first_step(item.document)
    columns = entering(item.document, step, place)
    row = Application(
        ref_no=f"T{next(_refs):08d}",
        applicant_id=applicant_id,
        item_id=item.item_id,
        item_version_id=item.version_id,
        status=Status.SUBMITTED,
        place_path=place,
        answers=dict(answers or {}),
        submitted_at=submitted_at or dt.datetime.now(dt.UTC),
        **{
            column._meta.name: value
            for column, value in {
                **columns,
                **worklist_keys(columns[Application.assignee_org]),
            }.items()
        },
    )
    await row.save()
    return int(row.id)


async def add_material(application_id: int, code: str, *, by: int) -> int:
    row = MaterialItem(
        application_id=application_id,
        material_code=code,
        source="upload",
        file_key=f"gov_services/{application_id}/{code}",
        sha256="0" * 64,
        mime="image/jpeg",
        size=1024,
        added_by=by,
    )
    await row.save()
    return int(row.id)


async def counts() -> tuple[int, int, int]:
    """Status rows, gov_services audit rows and application_moved events written so far."""
    return (
        await ApplicationStatus.count(),
        await AuditEntry.count().where(AuditEntry.action.like("gov_services.%")),
        await OutboxEvent.count().where(OutboxEvent.name == APPLICATION_MOVED),
    )


async def case(application_id: int) -> dict[str, Any]:
    row = await Application.select().where(Application.id == application_id).first()
    assert row is not None
    return row


def claims(user_id: int, **scope: str) -> Claims:
    """A token's claims: `service_officer="zz/gx"` and the like."""
    return Claims(
        sub=str(user_id),
        iss="t",
        aud="t",
        exp=2**31,
        iat=0,
        jti="j",
        roles=["resident", *scope],
        scope={role: [path] for role, path in scope.items()},
    )
