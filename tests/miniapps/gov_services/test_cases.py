"""An application changes one way: conditionally on the version read, with one history row,
one audit row and one event, all or nothing."""

from __future__ import annotations

import pytest

from backend.directory.users.tables import AuditEntry
from backend.kernel.events.tables import OutboxEvent
from backend.sdk import Claims, Conflict, Level, PreconditionFailed, unit_of_work
from miniapps.gov_services.cases import case_by_id, move, require_version, version_in
from miniapps.gov_services.routing import assignee_for
from miniapps.gov_services.states import APPLICATION_MOVED, Action, Status
from miniapps.gov_services.tables import Application, ApplicationStatus

OFFICER = Claims(
    sub="7",
    iss="t",
    aud="t",
    exp=2**31,
    iat=0,
    jti="j",
    roles=["service_officer"],
    scope={"service_officer": ["zz/gx/fengyang"]},
)


async def _submitted() -> dict[str, object]:
    row = Application(
        ref_no="T1",
        applicant_id=3,
        item_id=1,
        item_version_id=1,
        status=Status.SUBMITTED,
        current_step="accept",
        assignee_org="zz/gx/fengyang",
    )
    await row.save()
    return await case_by_id(row.id)


async def _counts() -> tuple[int, int, int]:
    return (
        await ApplicationStatus.count(),
        await AuditEntry.count().where(AuditEntry.action.like("gov_services.%")),
        await OutboxEvent.count().where(OutboxEvent.name == APPLICATION_MOVED),
    )


async def test_a_move_writes_the_change_its_history_audit_and_event_together() -> None:
    case = await _submitted()
    async with unit_of_work():
        row = await move(case, action=Action.ACCEPT, actor=OFFICER, to_status=Status.IN_PROGRESS)
    assert row["status"] == Status.IN_PROGRESS
    assert row["version"] == case["version"] + 1
    assert await _counts() == (1, 1, 1)


@pytest.mark.parametrize(("named", "refusal"), [(False, Conflict), (True, PreconditionFailed)])
async def test_a_move_from_a_stale_reading_changes_nothing(
    named: bool, refusal: type[Exception]
) -> None:
    case = await _submitted()
    async with unit_of_work():
        await move(case, action=Action.CLAIM, actor=OFFICER, to_status=Status.SUBMITTED)
    before = await _counts()
    with pytest.raises(refusal):
        async with unit_of_work():
            await move(
                case,
                action=Action.ACCEPT,
                actor=OFFICER,
                to_status=Status.IN_PROGRESS,
                version_named=named,
            )
    assert await _counts() == before
    assert (await case_by_id(case["id"]))["status"] == Status.SUBMITTED


async def test_if_match_names_a_version_or_is_refused() -> None:
    assert version_in('W/"3"') == 3
    assert version_in("4") == 4
    assert version_in("*") is None
    with pytest.raises(Exception, match="if_match"):
        version_in('"x"')
    with pytest.raises(PreconditionFailed):
        require_version({"version": 2}, 1)


def test_a_step_goes_to_the_applicants_unit_at_its_level_or_the_implementing_org() -> None:
    home = "zz/gx/fengyang/c03/g07"
    implementing = {"zz/gx": "zz/gx/gongan"}
    assert assignee_for(org_level=Level.STREET, place_path=home, implementing={}) == (
        "zz/gx/fengyang"
    )
    assert assignee_for(org_level=Level.COMMUNITY, place_path=home, implementing=implementing) == (
        "zz/gx/fengyang/c03"
    )
    assert assignee_for(org_level=Level.DISTRICT, place_path=home, implementing=implementing) == (
        "zz/gx/gongan"
    )
    assert assignee_for(org_level=Level.DISTRICT, place_path=home, implementing={}) == "zz/gx"
    assert assignee_for(org_level=Level.COMMUNITY, place_path="zz/gx", implementing={}) == "zz/gx"
