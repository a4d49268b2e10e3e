"""整改 (issue test 10): a 不满意 or 非常不满意 opens a rectification for the office that handled
the case, due 15 working days later on the host calendar; it closes only with a reply and a
follow-up visit (回访), by the staff of that office or of one above it."""

from __future__ import annotations

import datetime as dt

import pytest

from backend.kernel.events import unit_of_work
from backend.kernel.roles import Role
from backend.kernel.vault import Vault
from backend.kernel.workdays import WorkingDays, work_calendar
from miniapps.gov_services.dates import city_date
from miniapps.gov_services.feedback.rectifications import open_rectification
from miniapps.gov_services.tables import Rating, Rectification
from push.tables import InboxItem, Notification
from tests.conftest import Client, TokenFor, TokenForPhone, bearer
from tests.miniapps.gov_services import given
from tests.miniapps.gov_services.feedback import Desk, code
from tests.support import notices_recorded


@pytest.fixture
def desk(client: Client, token_for_phone: TokenForPhone, vault: Vault) -> Desk:
    return Desk(client, token_for_phone, vault)


async def _act(desk: Desk, phone: str, rectification: int, step: str, **body: object) -> object:
    return await desk.call(
        phone, "POST", f"/rectifications/{rectification}/{step}", json=body or None
    )


REPLY = {"reply": "已约谈窗口人员,改进材料告知方式"}
REVISIT = {"note": "电话回访申请人,表示认可", "satisfied": True}


@pytest.mark.parametrize("level", [1, 2])
async def test_a_bad_rating_opens_a_rectification_for_the_office_due_in_15_working_days(
    desk: Desk, vault: Vault, level: int
) -> None:
    rating = await desk.rated(level)
    listed = await desk.call(given.OFFICER_FENGYANG, "GET", "/rectifications")
    assert listed.status_code == 200, listed.text
    [rectification] = listed.json()["items"]
    assert rectification["id"] == rating["rectification_id"]
    assert (rectification["org"], rectification["status"], rectification["level"]) == (
        given.FENGYANG,
        "open",
        level,
    )
    rated_on = city_date(dt.datetime.fromisoformat(rating["rated_at"]))
    due = dt.date.fromisoformat(rectification["due_date"])
    calendar = await work_calendar()
    counted = calendar.working_days_between(rated_on, due)
    assert counted == WorkingDays(15, rectification["due_provisional"])
    assert calendar.is_workday(due)
    await notices_recorded()
    officer = await given.user_id(vault, given.OFFICER_FENGYANG)
    told = await Notification.select(Notification.id).where(
        Notification.template == "gov_services.rectification_opened"
    )
    reached = await InboxItem.select(InboxItem.user_id).where(
        InboxItem.notification_id.is_in([n["id"] for n in told] or [0])
    )
    assert [r["user_id"] for r in reached] == [officer]


@pytest.mark.parametrize("level", [3, 4, 5])
async def test_a_fair_or_good_rating_opens_none(desk: Desk, level: int) -> None:
    assert (await desk.rated(level))["rectification_id"] is None
    assert await Rectification.count() == 0


async def test_the_15_working_days_skip_国庆_on_the_2026_calendar() -> None:
    """Rated on Wednesday 09-30: 10-01 to 10-07 are off and Saturday 10-10 is worked."""
    rated_at = given.city_time(dt.date(2026, 9, 30), hour=16)
    rows = await Rating.insert(
        Rating(application_id=1, applicant_id=1, item_id=1, org=given.FENGYANG, level=1)
    ).returning(*Rating.all_columns())
    async with unit_of_work():
        opened = await open_rectification(
            {**rows[0], "rated_at": rated_at}, ref="T1", calendar=await work_calendar()
        )
    row = await Rectification.select().where(Rectification.id == opened).first()
    assert row is not None
    assert row["due_at"] == given.city_time(dt.date(2026, 10, 28), hour=0)  # 10-27 is the last
    assert row["due_provisional"] is False


async def test_a_rectification_closes_only_with_a_reply_and_a_revisit(desk: Desk) -> None:
    rectification = (await desk.rated(1))["rectification_id"]
    officer = given.OFFICER_FENGYANG
    before = await given.row_counts()
    assert code(await _act(desk, officer, rectification, "close")) == (
        409,
        "rectification_incomplete",
    )
    assert code(await _act(desk, officer, rectification, "reply", **REPLY))[0] == 200
    assert code(await _act(desk, officer, rectification, "close")) == (
        409,
        "rectification_incomplete",
    )
    revisited = await _act(desk, officer, rectification, "revisit", **REVISIT)
    assert code(revisited)[0] == 200
    assert revisited.json()["revisit_satisfied"] is True
    closed = await _act(desk, officer, rectification, "close")
    assert code(closed)[0] == 200
    assert (closed.json()["status"], closed.json()["reply"]) == ("closed", REPLY["reply"])
    after = await given.row_counts()
    assert after["gov_services_rectification"] == before["gov_services_rectification"]
    assert after["audit_entry"] == before["audit_entry"] + 3  # reply, revisit, close; no refusal
    for step, body in [("close", {}), ("reply", REPLY), ("revisit", REVISIT)]:
        assert code(await _act(desk, officer, rectification, step, **body)) == (
            409,
            "rectification_not_open",
        )


async def test_a_revisit_without_a_reply_does_not_close_it(desk: Desk) -> None:
    rectification = (await desk.rated(2))["rectification_id"]
    officer = given.OFFICER_GX  # the district's officer acts on its streets' rectifications
    assert code(await _act(desk, officer, rectification, "revisit", **REVISIT))[0] == 200
    assert code(await _act(desk, officer, rectification, "close")) == (
        409,
        "rectification_incomplete",
    )
    status = await Rectification.select(Rectification.status).first()
    assert status == {"status": "open"}


@pytest.mark.parametrize(
    ("phone", "answer"),
    [
        (given.OFFICER_JINSHUI, (403, "scope_not_allowed")),
        (given.RESIDENT, (403, "forbidden")),
        (given.OTHER_RESIDENT, (403, "forbidden")),
    ],
)
async def test_only_staff_over_the_office_act_on_its_rectification(
    desk: Desk, phone: str, answer: tuple[int, str]
) -> None:
    rectification = (await desk.rated(1))["rectification_id"]
    before = await given.row_counts()
    for step, body in [("reply", REPLY), ("revisit", REVISIT), ("close", {})]:
        assert code(await _act(desk, phone, rectification, step, **body)) == answer
    assert await given.row_counts() == before
    listed = await desk.call(given.OFFICER_JINSHUI, "GET", "/rectifications")
    assert listed.json() == {"items": [], "next_cursor": None}


async def test_an_approver_over_the_office_closes_it_too(desk: Desk) -> None:
    rectification = (await desk.rated(1))["rectification_id"]
    for step, body in [("reply", REPLY), ("revisit", REVISIT), ("close", {})]:
        assert code(await _act(desk, given.APPROVER_GX, rectification, step, **body))[0] == 200


async def test_the_list_pages_and_filters(desk: Desk) -> None:
    made = [(await desk.rated(1))["rectification_id"] for _ in range(3)]
    officer = given.OFFICER_GX
    for step, body in [("reply", REPLY), ("revisit", REVISIT), ("close", {})]:
        await _act(desk, officer, made[0], step, **body)
    seen, cursor = [], None
    while True:
        params = {"limit": 1, **({"cursor": cursor} if cursor else {})}
        page = (await desk.call(officer, "GET", "/rectifications", params=params)).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == made
    open_only = await desk.call(officer, "GET", "/rectifications", params={"status": "open"})
    assert [item["id"] for item in open_only.json()["items"]] == made[1:]
    refused = await desk.call(officer, "GET", "/rectifications", params={"cursor": "x"})
    assert code(refused) == (400, "cursor_invalid")


async def test_a_deadline_counted_into_an_unloaded_year_is_counted_again_when_it_loads(
    client: Client, token_for: TokenFor
) -> None:
    """Rated Monday 2026-12-21: 15 working days reach into 2027, which has no notice yet, so
    Monday to Friday count (01-01 included) to 01-11. Loaded with 元旦 off, they reach 01-12."""
    rated_at = given.city_time(dt.date(2026, 12, 21))
    rows = await Rating.insert(
        Rating(application_id=1, applicant_id=1, item_id=1, org=given.FENGYANG, level=2)
    ).returning(*Rating.all_columns())
    async with unit_of_work():
        opened = await open_rectification(
            {**rows[0], "rated_at": rated_at}, ref="T1", calendar=await work_calendar()
        )

    async def due() -> tuple[dt.datetime, bool]:
        row = await Rectification.select().where(Rectification.id == opened).first()
        assert row is not None
        return row["due_at"], row["due_provisional"]

    assert await due() == (given.city_time(dt.date(2027, 1, 12), hour=0), True)
    notice = {
        "source": "国办发明电〔2026〕1号",
        "days": [{"date": "2027-01-01", "is_workday": False, "name": "元旦"}],
    }
    loaded = await client.put(
        "/v1/calendar/years/2027",
        json=notice,
        headers=bearer(await token_for(Role.SERVICE_ADMIN)),
    )
    assert loaded.status_code == 200, loaded.text
    await given.settled()
    assert await due() == (given.city_time(dt.date(2027, 1, 13), hour=0), False)
