"""The open cases behind the worklist figure: 100,000 applications for 居住证申领 over 10
districts of 5 streets each (2,000 a street), at the steps the staff flow leaves them.

Rows are written as `cases.move` would have left them: the step, its role and org with
that org's district and street (`routing.worklist_keys`, the worklist's index keys), and
for an accepted case the clock the engine starts at 受理 (`clock.running_from`, on the
host's working-day calendar). A tenth wait for 受理 (no due date), most are at 审核 in their
street, some at 决定 in their district's office, a few decided and waiting for 送达. Then
ANALYZE, as a database that has run for a while has its statistics."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import time
from collections.abc import Iterator
from typing import Any, NamedTuple

ITEM = "residence_permit_apply"
DISTRICTS = ("zz/gx", "zz/jinshui", *(f"zz/d{n:02d}" for n in range(3, 11)))
FIRST_STREETS = {"zz/gx": "zz/gx/fengyang", "zz/jinshui": "zz/jinshui/wenhua"}
STREETS_EACH = 5
OFFICER = "13800000020"  # 韩区审批, service officer of zz/gx (a district)
# The last instant of yesterday in the city (UTC+8, no daylight saving).
CITY = dt.timezone(dt.timedelta(hours=8))
DAY_BEFORE = dt.datetime.combine(dt.datetime.now(CITY).date(), dt.time(), CITY) - dt.timedelta(
    seconds=1
)
# Each case's place in the flow by its number, out of 20: (status, step, at its district).
PHASES = (
    *[("submitted", "accept", False)] * 2,
    *[("in_progress", "review", False)] * 12,
    *[("in_progress", "decide", True)] * 4,
    *[("decided", "deliver", False)] * 2,
)
ANSWERS = {
    "applicant_name": "张某某",
    "applicant_id_card": "41010219900101001X",
    "phone": "13900000000",
    "residence_address": "某区某街道某社区1号楼1单元101",
    "residence_since": "2020-01-01",
    "housing_type": "租赁住房",
    "residence_reason": "投靠亲属",
    "collect_method": "窗口领取",
}


def streets_of(district: str) -> list[str]:
    first = FIRST_STREETS.get(district, f"{district}/s1")
    return [first, *(f"{district}/s{n}" for n in range(2, STREETS_EACH + 1))]


class Seeded(NamedTuple):
    cases: int
    seconds: float
    in_officer_district: int  # open cases the district officer's worklist holds
    watched: int  # due soon or overdue within the hour: what the deadline watch would tell


async def seed_cases(count: int) -> Seeded:
    """`count` open cases spread evenly over the districts and their streets."""
    from backend.kernel.db import fetch_rows, insert_rows, is_postgres
    from backend.sdk import work_calendar
    from miniapps.gov_services.tables import Application
    from miniapps.gov_services.watch import due_soon_by

    started = time.perf_counter()
    item_id, version_id = await published_version()
    columns = [getattr(Application, name) for name in COLUMNS]
    calendar = await work_calendar()
    rows = _rows(count, item_id, version_id, calendar)
    # In slices as they are made: a city's million rows at once would take gigabytes.
    while chunk := list(itertools.islice(rows, 5_000)):
        await insert_rows(Application, columns, chunk)
    await fetch_rows("ANALYZE gov_services_application" if is_postgres() else "ANALYZE")
    seconds = time.perf_counter() - started
    held = await fetch_rows(
        "SELECT count(*) AS n FROM gov_services_application WHERE assignee_district = $1"
        " AND status IN ('submitted', 'in_progress', 'decided') AND step_role = $2",
        "zz/gx",
        "service_officer",
    )
    soon = due_soon_by(calendar, dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))
    watched = await fetch_rows(
        "SELECT count(*) AS n FROM gov_services_application WHERE due_at <= $1", soon
    )
    return Seeded(count, round(seconds, 1), int(held[0]["n"]), int(watched[0]["n"]))


COLUMNS = (
    "ref_no",
    "applicant_id",
    "item_id",
    "item_version_id",
    "status",
    "current_step",
    "step_role",
    "assignee_org",
    "assignee_district",
    "assignee_street",
    "place_path",
    "answers",
    "prefilled",
    "submitted_at",
    "accepted_at",
    "clock_from",
    "due_at",
    "due_provisional",
    "version",
)


def _rows(count: int, item_id: int, version_id: int, calendar: Any) -> Iterator[tuple[Any, ...]]:
    from miniapps.gov_services import clock
    from miniapps.gov_services.dates import city_date
    from miniapps.gov_services.routing import worklist_keys
    from miniapps.gov_services.tables import Application

    streets = {district: streets_of(district) for district in DISTRICTS}
    answers = json.dumps(ANSWERS)
    promised = 7  # the item's promised limit (承诺时限), in working days
    for n in range(count):
        district = DISTRICTS[n % len(DISTRICTS)]
        street = streets[district][(n // len(DISTRICTS)) % STREETS_EACH]
        status, step, at_district = PHASES[(n // 50) % len(PHASES)]
        org = district if at_district else street
        keys = worklist_keys(org)
        # Submitted before today, so that their refs (the city's date and a number) are never
        # one that today's submits are given, and accepted within the four days before it:
        # three working days or more left of the seven, none due soon or overdue, so that
        # the deadline watch has nothing to tell while the bench runs.
        submitted = DAY_BEFORE - dt.timedelta(minutes=21 * 60 + (n * 7919) % (3 * 24 * 60))
        accepted, clock_from, due_at, provisional = None, None, None, False
        if status != "submitted":
            accepted = submitted + dt.timedelta(hours=1 + n % 20)
            running = clock.running_from(calendar, accepted, promised)
            clock_from = running[Application.clock_from]
            due_at = running[Application.due_at]
            provisional = running[Application.due_provisional]
        yield (
            f"{city_date(submitted):%Y%m%d}{n:06d}",
            2_000_000 + n,
            item_id,
            version_id,
            status,
            step,
            "service_officer",
            org,
            keys[Application.assignee_district],
            keys[Application.assignee_street],
            f"{street}/c01/g01",
            answers,
            "{}",
            submitted,
            accepted,
            clock_from,
            due_at,
            provisional,
            {"submitted": 1, "in_progress": 3, "decided": 5}[status],
        )


async def any_case() -> int:
    """A case of the officer's district, to read by id."""
    from backend.kernel.db import fetch_rows

    rows = await fetch_rows(
        "SELECT id FROM gov_services_application WHERE assignee_district = $1"
        " AND status = 'in_progress' ORDER BY id LIMIT 1",
        "zz/gx",
    )
    return int(rows[0]["id"])


async def published_version() -> tuple[int, int]:
    """(item id, version id) of the item the cases are of."""
    from backend.kernel.db import fetch_rows

    rows = await fetch_rows(
        "SELECT i.id AS item_id, v.id AS version_id FROM gov_services_item i"
        " JOIN gov_services_item_version v ON v.item_id = i.id"
        " WHERE i.code = $1 AND v.status = 'published'",
        ITEM,
    )
    return int(rows[0]["item_id"]), int(rows[0]["version_id"])
