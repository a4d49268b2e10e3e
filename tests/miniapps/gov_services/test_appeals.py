"""申诉复核: the office's staff appeal a rating they hold malicious, once; a service approver
over the office, not the one who asked, decides. Upheld, the rating leaves the aggregates and
its rectification is void; dismissed, everything stands."""

from __future__ import annotations

import httpx
import pytest

from backend.kernel.vault import Vault
from miniapps.gov_services.tables import Rating, RatingAppeal, Rectification
from tests.conftest import Client, TokenForPhone
from tests.miniapps.gov_services import given
from tests.miniapps.gov_services.feedback import Desk, code

REASON = {"reason": "评价内容与办件无关,系恶意差评"}


@pytest.fixture
def desk(client: Client, token_for_phone: TokenForPhone, vault: Vault) -> Desk:
    return Desk(client, token_for_phone, vault)


async def _appeal(desk: Desk, phone: str, rating: int) -> httpx.Response:
    return await desk.call(phone, "POST", f"/ratings/{rating}/appeal", json=REASON)


async def _decide(desk: Desk, phone: str, appeal: int, *, uphold: bool) -> httpx.Response:
    body = {"uphold": uphold, "note": "经调阅办件记录复核"}
    return await desk.call(phone, "POST", f"/rating-appeals/{appeal}/decision", json=body)


async def _total(desk: Desk) -> int:
    summary = await desk.call(given.RESIDENT, "GET", "/rating-summaries/orgs?org=zz/gx")
    return int(summary.json()["total"])


async def test_an_upheld_appeal_sets_the_rating_aside_and_voids_its_rectification(
    desk: Desk,
) -> None:
    rating = await desk.rated(1)
    await desk.rated(5)
    asked = await _appeal(desk, given.OFFICER_FENGYANG, rating["id"])
    assert asked.status_code == 201, asked.text
    appeal = asked.json()
    assert (appeal["status"], appeal["level"]) == ("pending", 1)
    before = await given.row_counts()
    assert code(await _appeal(desk, given.OFFICER_GX, rating["id"])) == (409, "appeal_exists")
    assert await given.row_counts() == before
    assert await _total(desk) == 2  # a pending appeal changes nothing yet

    listed = await desk.call(
        given.APPROVER_GX, "GET", "/rating-appeals", params={"status": "pending"}
    )
    assert [a["id"] for a in listed.json()["items"]] == [appeal["id"]]
    decided = await _decide(desk, given.APPROVER_GX, appeal["id"], uphold=True)
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "upheld"
    assert await _total(desk) == 1
    assert await Rating.select(Rating.excluded).where(Rating.id == rating["id"]) == [
        {"excluded": True}
    ]
    assert await Rectification.select(Rectification.status) == [{"status": "voided"}]
    before = await given.row_counts()
    again = await _decide(desk, given.APPROVER_GX, appeal["id"], uphold=False)
    assert code(again) == (409, "appeal_decided")
    assert await given.row_counts() == before


async def test_a_dismissed_appeal_leaves_the_rating_counted(desk: Desk) -> None:
    rating = await desk.rated(2)
    appeal = (await _appeal(desk, given.OFFICER_FENGYANG, rating["id"])).json()
    decided = await _decide(desk, given.APPROVER_GX, appeal["id"], uphold=False)
    assert decided.json()["status"] == "dismissed"
    assert await _total(desk) == 1
    assert await Rectification.select(Rectification.status) == [{"status": "open"}]


async def test_whoever_appealed_cannot_decide_it(desk: Desk) -> None:
    rating = await desk.rated(1)
    appeal = (await _appeal(desk, given.APPROVER_GX, rating["id"])).json()
    before = await given.row_counts()
    assert code(await _decide(desk, given.APPROVER_GX, appeal["id"], uphold=True)) == (
        403,
        "appeal_own",
    )
    assert await given.row_counts() == before


@pytest.mark.parametrize(
    ("phone", "answer"),
    [
        (given.OFFICER_JINSHUI, (403, "scope_not_allowed")),
        (given.RESIDENT, (403, "forbidden")),
    ],
)
async def test_only_staff_over_the_office_appeal(
    desk: Desk, phone: str, answer: tuple[int, str]
) -> None:
    rating = await desk.rated(1)
    before = await given.row_counts()
    assert code(await _appeal(desk, phone, rating["id"])) == answer
    assert code(await _appeal(desk, given.OFFICER_FENGYANG, 404_404)) == (404, "rating_not_found")
    assert await given.row_counts() == before


async def test_only_an_approver_over_the_office_decides(desk: Desk) -> None:
    rating = await desk.rated(1, org=given.JINSHUI)
    appeal = (await _appeal(desk, given.OFFICER_JINSHUI, rating["id"])).json()
    before = await given.row_counts()
    assert code(await _decide(desk, given.APPROVER_GX, appeal["id"], uphold=True)) == (
        403,
        "scope_not_allowed",
    )
    assert code(await _decide(desk, given.OFFICER_JINSHUI, appeal["id"], uphold=True)) == (
        403,
        "forbidden",
    )
    assert code(await _decide(desk, given.APPROVER_GX, 404_404, uphold=True)) == (
        404,
        "appeal_not_found",
    )
    assert await given.row_counts() == before
    assert await RatingAppeal.select(RatingAppeal.status) == [{"status": "pending"}]
