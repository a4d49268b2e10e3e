"""Applications put straight into the state a test needs, as rows, without the resident's
and the staff's flows that lead there; and the demo people who act on them."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from backend.directory.users.service import PHONE_PURPOSE
from backend.directory.users.tables import UserAccount
from backend.kernel.events.tables import OutboxEvent
from backend.kernel.vault import Vault
from miniapps.gov_services.dates import CITY_TIME, overdue_from
from miniapps.gov_services.states import Status
from miniapps.gov_services.tables import Application, ServiceItem
from push.tables import Notification
from tests.support import all_tables, eventually

RESIDENT, OTHER_RESIDENT = "13800000001", "13800000016"
OFFICER_FENGYANG, OFFICER_GX, APPROVER_GX, OFFICER_JINSHUI = (
    "13800000019",
    "13800000020",
    "13800000021",
    "13800000022",
)
FENGYANG, GX, JINSHUI = "zz/gx/fengyang", "zz/gx", "zz/jinshui"
HOME = "zz/gx/fengyang/c03/g07"

_refs = itertools.count(1)


def city_time(day: dt.date, hour: int = 10) -> dt.datetime:
    """`hour` o'clock in the city on `day`, as the aware UTC instant services take."""
    return dt.datetime.combine(day, dt.time(hour), CITY_TIME).astimezone(dt.UTC)


async def user_id(vault: Vault, phone: str) -> int:
    lookup = vault.lookup(phone, purpose=PHONE_PURPOSE)
    row = await UserAccount.select(UserAccount.id).where(UserAccount.phone_lookup == lookup).first()
    assert row is not None, phone
    return int(row["id"])


async def item(name: str = "居住证申领") -> int:
    rows = await ServiceItem.insert(
        ServiceItem(
            code=f"T{next(_refs):06d}", name=name, dept="公安", category="户籍", created_by=0
        )
    ).returning(ServiceItem.id)
    return int(rows[0]["id"])


async def application(
    *,
    status: Status,
    applicant_id: int = 1,
    org: str = FENGYANG,
    due_on: dt.date | None = None,
    item_id: int = 1,
) -> dict[str, Any]:
    """A case in `status`, handled by `org`, whose last day in time is `due_on`."""
    ref = f"T{next(_refs):08d}"
    row = Application(
        ref_no=ref,
        applicant_id=applicant_id,
        item_id=item_id,
        item_version_id=1,
        status=status,
        current_step="review",
        assignee_org=org,
        place_path=HOME,
        due_at=overdue_from(due_on) if due_on else None,
    )
    await row.save()
    found = await Application.select().where(Application.id == row.id).first()
    assert found is not None
    return found


async def settled() -> None:
    """Wait for the work that follows a commit: every event handled, every notice fanned
    out to its inboxes."""

    async def done() -> bool:
        waiting = await OutboxEvent.exists().where(OutboxEvent.dispatched_at.is_null())
        unfanned = await Notification.exists().where(Notification.fanned_out_at.is_null())
        return not (waiting or unfanned)

    await eventually(done, what="the events handled and the notices fanned out")


async def row_counts() -> dict[str, int]:
    """Every table's row count, once the work after the last commit is done: a refused
    request leaves them all as they were."""
    await settled()
    return {table._meta.tablename: await table.count() for table in all_tables()}
