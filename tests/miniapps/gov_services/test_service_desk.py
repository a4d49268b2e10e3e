"""Another part starts an application through the host's desk, never through this package:
a draft as the resident's own start makes it, or nothing at all when it is refused."""

from __future__ import annotations

import json

import pytest
from litestar import Litestar

from backend.kernel.services import services_of
from backend.kernel.vault import Vault
from backend.sdk import Claims, NotFound, ServiceDesk, Unprocessable
from tests.conftest import Client
from tests.miniapps.gov_services.applying_support import (
    RESIDENT,
    application_row,
    counts,
    publish,
    resident,
)

LEGAL_AID = "legal_aid"


def _claims(user_id: int) -> Claims:
    return Claims(
        sub=str(user_id),
        iss="yimen",
        aud="yimen",
        exp=2**31,
        iat=0,
        jti="desk",
        roles=["resident"],
    )


@pytest.fixture
async def desk(app: Litestar, client: Client) -> ServiceDesk:
    return services_of(app).service_desk


async def test_a_part_starts_a_draft_with_answers_the_resident_finishes(
    desk: ServiceDesk, vault: Vault
) -> None:
    await publish(LEGAL_AID)
    user_id = await resident(vault, RESIDENT, "王居民")
    started = await desk.start_application(
        applicant=_claims(user_id),
        item_code=LEGAL_AID,
        answers={"case_type": "劳动争议", "case_summary": "公司拖欠我三个月的工资,多次讨要未果"},
    )
    row = await application_row(started.application_id)
    assert (started.status, started.item_code) == ("draft", LEGAL_AID)
    assert started.deep_link.endswith(f"/applications/{started.application_id}")
    assert row["applicant_id"] == user_id
    answers = row["answers"]
    answers = json.loads(answers) if isinstance(answers, str) else answers
    assert answers["case_summary"] == "公司拖欠我三个月的工资,多次讨要未果"


async def test_a_refused_start_leaves_nothing_behind(desk: ServiceDesk, vault: Vault) -> None:
    await publish(LEGAL_AID)
    user_id = await resident(vault, RESIDENT, "王居民")
    before = await counts()
    with pytest.raises(Unprocessable):
        await desk.start_application(
            applicant=_claims(user_id), item_code=LEGAL_AID, answers={"case_type": "不存在的类型"}
        )
    with pytest.raises(NotFound):
        await desk.start_application(applicant=_claims(user_id), item_code="nothing", answers={})
    assert await counts() == before
