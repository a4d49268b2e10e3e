"""好差评 (issue test 10): the applicant alone rates a case, once, after it is completed or
refused, 1 to 5; a refused rating changes nothing. The public aggregates count levels and
nothing else."""

from __future__ import annotations

import asyncio

import pytest

from backend.kernel.vault import Vault
from miniapps.gov_services.states import Status
from miniapps.gov_services.tables import Rating, Rectification
from tests.conftest import Client, TokenForPhone
from tests.miniapps.gov_services import given
from tests.miniapps.gov_services.applying_support import add_item, add_version, demo_document
from tests.miniapps.gov_services.feedback import Desk, code


@pytest.fixture
def desk(client: Client, token_for_phone: TokenForPhone, vault: Vault) -> Desk:
    return Desk(client, token_for_phone, vault)


async def test_the_applicant_rates_a_closed_case_once(desk: Desk) -> None:
    case = await desk.closed_case()
    first = await desk.rate(case, 5, comment="一次办好")
    assert first.status_code == 201, first.text
    rating = first.json()
    assert (rating["application_id"], rating["level"], rating["comment"]) == (case, 5, "一次办好")
    assert rating["rectification_id"] is None
    before = await given.row_counts()
    assert code(await desk.rate(case, 1)) == (409, "rating_exists")
    assert await given.row_counts() == before
    assert await Rating.select(Rating.level) == [{"level": 5}]


async def test_only_the_applicant_rates(desk: Desk) -> None:
    case = await desk.closed_case()
    before = await given.row_counts()
    assert code(await desk.rate(case, 1, phone=given.OTHER_RESIDENT)) == (
        403,
        "application_not_yours",
    )
    officer = await desk.rate(case, 1, phone=given.OFFICER_FENGYANG)  # a resident too, at home
    assert code(officer) == (403, "application_not_yours")
    anonymous = await desk.call(None, "POST", f"/applications/{case}/rating", json={"level": 1})
    assert anonymous.status_code == 401
    assert await given.row_counts() == before
    assert (await desk.rate(case, 4)).status_code == 201


@pytest.mark.parametrize(
    "status",
    [Status.SUBMITTED, Status.IN_PROGRESS, Status.SUPPLEMENT, Status.DECIDED, Status.WITHDRAWN],
)
async def test_a_case_is_rated_only_once_completed_or_refused(desk: Desk, status: Status) -> None:
    case = await desk.closed_case(status)
    before = await given.row_counts()
    assert code(await desk.rate(case, 3)) == (409, "rating_too_early")
    assert await given.row_counts() == before


async def test_a_refused_case_is_rated_too(desk: Desk) -> None:
    response = await desk.rate(await desk.closed_case(Status.REJECTED), 2)
    assert response.status_code == 201, response.text
    assert response.json()["rectification_id"] is not None


@pytest.mark.parametrize(
    ("body", "answer", "field"),
    [
        ({"level": 6}, (422, "rating_level_invalid"), "level"),
        ({"level": 0}, (422, "rating_level_invalid"), "level"),
        ({"level": -1}, (422, "rating_level_invalid"), "level"),
        ({"level": 4.5}, (400, "validation_failed"), "level"),
        ({}, (400, "validation_failed"), "level"),
        ({"level": 5, "comment": "好" * 501}, (400, "validation_failed"), "comment"),
        ({"level": 5, "applicant_id": 1}, (400, "validation_failed"), "applicant_id"),
    ],
)
async def test_a_bad_rating_is_refused_and_changes_nothing(
    desk: Desk, body: dict[str, object], answer: tuple[int, str], field: str
) -> None:
    case = await desk.closed_case()
    before = await given.row_counts()
    response = await desk.call(given.RESIDENT, "POST", f"/applications/{case}/rating", json=body)
    assert code(response) == answer
    assert field in {e["field"] for e in response.json()["errors"]}
    assert await given.row_counts() == before


async def test_an_unknown_case_is_not_found(desk: Desk) -> None:
    before = await given.row_counts()
    assert code(await desk.rate(404_404, 5)) == (404, "application_not_found")
    assert await given.row_counts() == before


async def test_two_ratings_at_once_make_one(desk: Desk) -> None:
    case = await desk.closed_case()
    answers = await asyncio.gather(*(desk.rate(case, level) for level in (1, 2, 5)))
    assert sorted(a.status_code for a in answers) == [201, 409, 409]
    assert await Rating.count() == 1
    opened = await Rectification.count()
    assert opened == (1 if (await Rating.select(Rating.level))[0]["level"] <= 2 else 0)


async def test_the_aggregates_count_levels_and_name_nobody(desk: Desk) -> None:
    item = await given.item()
    await add_version(item, demo_document("legal_aid"))  # its cases were started on it
    comments = {level: f"评价内容{level}号" for level in range(1, 6)}
    for level in (5, 5, 4, 3, 2, 1):
        response = await desk.rate(
            await desk.closed_case(item_id=item), level, comment=comments[level]
        )
        assert response.status_code == 201
    await desk.rated(1, org=given.JINSHUI, item_id=item)  # in another district

    for path, total in [
        (f"/rating-summaries/items/{item}", 7),
        ("/rating-summaries/orgs?org=zz/gx", 6),
        ("/rating-summaries/orgs?org=zz/gx/fengyang", 6),
        ("/rating-summaries/orgs?org=zz", 7),
    ]:
        response = await desk.call(given.OTHER_RESIDENT, "GET", path)
        assert response.status_code == 200, (path, response.text)
        summary = response.json()
        assert set(summary) == {"total", "levels", "satisfaction_rate"}
        assert summary["total"] == total
        assert all(
            set(line) == {"level", "name_zh", "name_en", "count"} for line in summary["levels"]
        )
        assert not any(text in response.text for text in comments.values())

    gx = (await desk.call(None, "GET", "/rating-summaries/orgs?org=zz/gx")).status_code
    assert gx == 401  # a signed-in caller of any role reads them; nobody anonymous
    summary = (await desk.call(given.RESIDENT, "GET", "/rating-summaries/orgs?org=zz/gx")).json()
    counts = {line["level"]: line["count"] for line in summary["levels"]}
    assert counts == {5: 2, 4: 1, 3: 1, 2: 1, 1: 1}
    assert [line["name_zh"] for line in summary["levels"]] == [
        "非常满意",
        "满意",
        "基本满意",
        "不满意",
        "非常不满意",
    ]
    assert summary["satisfaction_rate"] == round(4 / 6, 4)
    empty = await desk.call(given.RESIDENT, "GET", "/rating-summaries/orgs?org=zz/jinshui/wenhua")
    assert (empty.json()["total"], empty.json()["satisfaction_rate"]) == (0, None)


@pytest.mark.parametrize(
    ("path", "answer"),
    [
        ("/rating-summaries/items/404404", (404, "item_not_found")),
        ("/rating-summaries/orgs?org=zz/nowhere", (422, "org_unit_unknown")),
        ("/rating-summaries/orgs?org=zz/gx/", (400, "validation_failed")),
        ("/rating-summaries/orgs?org=zz/gx/%25", (400, "validation_failed")),
        ("/rating-summaries/orgs", (400, "validation_failed")),
    ],
)
async def test_an_aggregate_of_nothing_known_is_refused(
    desk: Desk, path: str, answer: tuple[int, str]
) -> None:
    assert code(await desk.call(given.RESIDENT, "GET", path)) == answer


async def test_an_item_never_published_has_no_aggregate(desk: Desk) -> None:
    """A draft is seen by the catalogue's admins alone: its id is not found here either."""
    draft_only = await add_item("legal_aid")
    path = f"/rating-summaries/items/{draft_only}"
    assert code(await desk.call(given.RESIDENT, "GET", path)) == (404, "item_not_found")
