"""The deadline watch (issue test 7): on the 2026 calendar a running case is told due soon two
working days ahead and overdue after its last day, to its office's officers, and escalated to
the office above (督办); once each, however often and however many watches run. A case in
补正, waiting, unaccepted or closed is not watched."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from backend.kernel.events.tables import OutboxEvent
from backend.kernel.notices import NOTICE_REQUESTED
from backend.kernel.vault import Vault
from miniapps.gov_services.states import Status
from miniapps.gov_services.tables import Application, DeadlineNotice, Escalation
from miniapps.gov_services.watch import Watched, watch_deadlines
from push.tables import InboxItem, Notification
from tests.conftest import Client
from tests.miniapps.gov_services import given

TUESDAY = dt.date(2026, 9, 29)  # the week before 国庆: 10-01 to 10-07 off, Sat 10-10 worked
NOW = given.city_time(TUESDAY)


async def _notices() -> list[tuple[int, str, str]]:
    rows = await DeadlineNotice.select(
        DeadlineNotice.application_id, DeadlineNotice.threshold, DeadlineNotice.org
    ).order_by(DeadlineNotice.id)
    return [(r["application_id"], r["threshold"], r["org"]) for r in rows]


async def _escalations() -> list[tuple[int, str, str]]:
    rows = await Escalation.select(
        Escalation.application_id, Escalation.level, Escalation.from_org
    ).order_by(Escalation.id)
    return [(r["application_id"], r["level"], r["from_org"]) for r in rows]


async def _notices_emitted() -> int:
    return await OutboxEvent.count().where(OutboxEvent.name == NOTICE_REQUESTED)


async def _inboxes() -> dict[str, set[int]]:
    """Whose inbox each template of the watch reached."""
    await given.settled()
    made = await Notification.select(Notification.id, Notification.template)
    template = {n["id"]: n["template"] for n in made}
    reached: dict[str, set[int]] = {}
    for row in await InboxItem.select(InboxItem.notification_id, InboxItem.user_id):
        reached.setdefault(template[row["notification_id"]], set()).add(row["user_id"])
    return reached


async def test_an_overdue_case_is_told_and_escalated_once_however_often_the_watch_runs(
    client: Client, demo: None, vault: Vault
) -> None:
    case = await given.application(status=Status.IN_PROGRESS, due_on=dt.date(2026, 9, 28))
    assert await watch_deadlines(now=NOW) == Watched(overdue=1, escalated=1)
    assert await watch_deadlines(now=NOW) == Watched()
    later = NOW + dt.timedelta(minutes=5)
    assert await asyncio.gather(watch_deadlines(now=later), watch_deadlines(now=later)) == [
        Watched(),
        Watched(),
    ]
    assert await _notices() == [(case["id"], "overdue", given.FENGYANG)]
    assert await _escalations() == [(case["id"], given.GX, given.FENGYANG)]
    assert await _notices_emitted() == 3  # the office; the officers and approvers above it
    office = {await given.user_id(vault, given.OFFICER_FENGYANG)}
    above = {
        await given.user_id(vault, given.OFFICER_GX),
        await given.user_id(vault, given.APPROVER_GX),
    }
    assert await _inboxes() == {"gov_services.overdue": office, "gov_services.escalated": above}


async def test_two_watches_at_once_tell_each_case_once() -> None:
    overdue = [
        await given.application(status=Status.IN_PROGRESS, due_on=dt.date(2026, 9, day))
        for day in (24, 25, 28)
    ]
    soon = [
        await given.application(status=status, due_on=dt.date(2026, 9, 30))
        for status in (Status.IN_PROGRESS, Status.DECIDED)
    ]
    runs = await asyncio.gather(watch_deadlines(now=NOW), watch_deadlines(now=NOW))
    assert Watched(*map(sum, zip(*runs, strict=True))) == Watched(
        due_soon=2, overdue=3, escalated=3
    )
    assert sorted(await _notices()) == sorted(
        [(c["id"], "overdue", given.FENGYANG) for c in overdue]
        + [(c["id"], "due_soon", given.FENGYANG) for c in soon]
    )
    assert len(await _escalations()) == 3
    assert await _notices_emitted() == 2 + 3 + 3 * 2


@pytest.mark.parametrize(
    ("today", "soon", "not_yet"),
    [
        # Two working days from Tuesday 09-29 are 09-30 and, past 国庆, Thursday 10-08.
        (
            TUESDAY,
            [dt.date(2026, 9, 29), dt.date(2026, 9, 30), dt.date(2026, 10, 8)],
            [dt.date(2026, 10, 9)],
        ),
        # From Friday 10-09: Saturday 10-10 is worked (补班), then Monday 10-12.
        (dt.date(2026, 10, 9), [dt.date(2026, 10, 12)], [dt.date(2026, 10, 13)]),
    ],
    ids=["across 国庆", "over a 补班 Saturday"],
)
async def test_due_soon_is_two_working_days_on_the_host_calendar(
    today: dt.date, soon: list[dt.date], not_yet: list[dt.date]
) -> None:
    cases = {
        day: await given.application(status=Status.IN_PROGRESS, due_on=day)
        for day in soon + not_yet
    }
    assert await watch_deadlines(now=given.city_time(today)) == Watched(due_soon=len(soon))
    assert await _notices() == [(cases[day]["id"], "due_soon", given.FENGYANG) for day in soon]


async def test_a_case_due_soon_is_told_again_once_it_is_overdue() -> None:
    case = await given.application(status=Status.IN_PROGRESS, due_on=dt.date(2026, 10, 8))
    assert await watch_deadlines(now=NOW) == Watched(due_soon=1)
    last_day_over = given.city_time(dt.date(2026, 10, 8), hour=23)
    assert await watch_deadlines(now=last_day_over) == Watched()  # the whole last day is in time
    next_morning = given.city_time(dt.date(2026, 10, 9), hour=0)
    assert await watch_deadlines(now=next_morning) == Watched(overdue=1, escalated=1)
    assert [n[1] for n in await _notices()] == ["due_soon", "overdue"]
    assert await _escalations() == [(case["id"], given.GX, given.FENGYANG)]


@pytest.mark.parametrize(
    "status",
    [
        Status.SUPPLEMENT,
        Status.SUBMITTED,
        Status.WAITING,
        Status.DELIVERED,
        Status.REJECTED,
        Status.WITHDRAWN,
    ],
)
async def test_a_paused_unaccepted_or_closed_case_is_neither_due_soon_nor_overdue(
    status: Status,
) -> None:
    case = await given.application(status=status, due_on=dt.date(2026, 9, 28))
    await given.application(status=status, due_on=dt.date(2026, 9, 30))
    assert await watch_deadlines(now=NOW) == Watched()
    assert await _notices() == []
    assert await _escalations() == []
    if status is Status.SUPPLEMENT:  # answered, the clock runs again and is past its limit
        await Application.update({Application.status: Status.IN_PROGRESS}).where(
            Application.id == case["id"]
        )
        assert await watch_deadlines(now=NOW) == Watched(overdue=1, escalated=1)


async def test_a_case_handed_on_while_overdue_is_escalated_above_its_new_office() -> None:
    case = await given.application(status=Status.IN_PROGRESS, due_on=dt.date(2026, 9, 28))
    assert await watch_deadlines(now=NOW) == Watched(overdue=1, escalated=1)
    # To another street of the district: the district supervises it already.
    sibling = "zz/gx/xinyuan"
    await Application.update({Application.assignee_org: sibling}).where(
        Application.id == case["id"]
    )
    assert await watch_deadlines(now=NOW) == Watched()
    # Up to the district itself: the city now supervises it; the overdue notice is not repeated.
    await Application.update({Application.assignee_org: given.GX}).where(
        Application.id == case["id"]
    )
    assert await watch_deadlines(now=NOW) == Watched(escalated=1)
    assert await _escalations() == [
        (case["id"], given.GX, given.FENGYANG),
        (case["id"], "zz", given.GX),
    ]
    # A case the city handles has nobody above it.
    await given.application(status=Status.IN_PROGRESS, org="zz", due_on=dt.date(2026, 9, 28))
    assert await watch_deadlines(now=NOW) == Watched(overdue=1)
