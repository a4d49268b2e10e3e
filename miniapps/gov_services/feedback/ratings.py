"""Ratings (好差评): the applicant rates a case once (一事一评), after it is completed or refused;
a bad rating opens a rectification for the org that handled it. Per-item and per-org counts
are public and name nobody."""

from __future__ import annotations

from typing import Any

from piccolo.query.functions.aggregate import Count

from backend.sdk import (
    Claims,
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    Unprocessable,
    audit,
    require_unit,
    unit_of_work,
    utc_now,
    work_calendar,
)
from miniapps.gov_services.cases import case_by_id
from miniapps.gov_services.catalogue_schemas import VersionStatus
from miniapps.gov_services.errors import GovServicesCode
from miniapps.gov_services.feedback.rectifications import open_rectification, within_any
from miniapps.gov_services.feedback.schemas import (
    BAD_LEVELS,
    LEVEL_NAMES,
    LEVELS,
    LevelCount,
    RateIn,
    RatingSummary,
    RatingView,
)
from miniapps.gov_services.states import Status
from miniapps.gov_services.tables import ItemVersion, Rating

# A case is rated once it is closed with an answer: completed (办结) or refused. A withdrawn
# one was never answered.
RATED_WHEN = frozenset({Status.DELIVERED, Status.REJECTED})
SATISFIED_FROM = 3  # 基本满意 and better count as satisfied (满意率)


async def rate(*, actor: Claims, application_id: int, data: RateIn) -> RatingView:
    """Record the applicant's rating of their closed case; a 不满意 or 非常不满意 opens a
    rectification for the org that handled it, in the same transaction."""
    if data.level not in LEVELS:
        culprit = FieldError(field="level", message="1 to 5")
        raise Unprocessable(GovServicesCode.RATING_LEVEL_INVALID, errors=[culprit])
    case = await case_by_id(application_id)
    if case["applicant_id"] != actor.user_id:
        raise Forbidden(GovServicesCode.APPLICATION_NOT_YOURS)
    if case["status"] not in RATED_WHEN:
        raise Conflict(GovServicesCode.RATING_TOO_EARLY)
    # Outside the transaction: once a minute the calendar is read again, 8,000 rows that
    # need not hold the rating's transaction open.
    calendar = await work_calendar()
    async with unit_of_work():
        rating = await _insert_once(case, data)
        rectification_id = None
        if data.level in BAD_LEVELS:
            rectification_id = await open_rectification(
                rating, ref=case["ref_no"], calendar=calendar
            )
        detail = {"ref": case["ref_no"], "level": data.level}
        await audit(actor, "gov_services.rate", actor.user_id, detail)
    return RatingView(
        id=rating["id"],
        application_id=application_id,
        level=rating["level"],
        comment=rating["comment"],
        rated_at=rating["rated_at"],
        rectification_id=rectification_id,
    )


async def _insert_once(case: dict[str, Any], data: RateIn) -> dict[str, Any]:
    """The new rating; `rating_exists` if the case has one, also when two arrive at once
    (the second waits for the first to commit, then finds the key taken)."""
    rows = (
        await Rating.insert(
            Rating(
                application_id=case["id"],
                applicant_id=case["applicant_id"],
                item_id=case["item_id"],
                org=case["assignee_org"],
                level=data.level,
                comment=data.comment,
                rated_at=utc_now(),
            )
        )
        .on_conflict(target=Rating.application_id, action="DO NOTHING")
        .returning(*Rating.all_columns())
    )
    if not rows:
        raise Conflict(GovServicesCode.RATING_EXISTS)
    row: dict[str, Any] = rows[0]
    return row


async def item_summary(*, item_id: int) -> RatingSummary:
    """How an item's cases were rated; an item never published is not found, as a draft is
    seen by the catalogue's admins alone."""
    published = (ItemVersion.item_id == item_id) & (ItemVersion.status != VersionStatus.DRAFT)
    if not await ItemVersion.exists().where(published):
        raise NotFound(GovServicesCode.ITEM_NOT_FOUND)
    return await _summary(Rating.item_id == item_id)


async def org_summary(*, org: str) -> RatingSummary:
    """How the cases an org and the offices below it handled were rated."""
    await require_unit(org, field="org")
    return await _summary(within_any(Rating.org, [org]))


async def _summary(where: Any) -> RatingSummary:
    rows = (
        await Rating.select(Rating.level, Count(Rating.id, alias="count"))
        .where(where & Rating.excluded.eq(False))
        .group_by(Rating.level)
    )
    counts = {row["level"]: row["count"] for row in rows}
    total = sum(counts.values())
    satisfied = sum(n for level, n in counts.items() if level >= SATISFIED_FROM)
    return RatingSummary(
        total=total,
        levels=[
            LevelCount(level=level, name_zh=zh, name_en=en, count=counts.get(level, 0))
            for level, (zh, en) in LEVEL_NAMES.items()
        ],
        satisfaction_rate=round(satisfied / total, 4) if total else None,
    )
