"""Appeals (申诉复核): staff of the org that handled a case ask that a rating they hold
malicious be set aside; a service approver over the org, never the one who asked, decides.
An upheld appeal takes the rating out of the aggregates and voids its rectification."""

from __future__ import annotations

import datetime as dt
from typing import Any

from backend.sdk import (
    Claims,
    Conflict,
    Forbidden,
    KernelCode,
    NotFound,
    Role,
    audit,
    decode_cursor,
    encode_cursor,
    unit_of_work,
    utc_now,
)
from miniapps.gov_services.cases import case_by_id
from miniapps.gov_services.errors import GovServicesCode
from miniapps.gov_services.feedback import notices
from miniapps.gov_services.feedback.rectifications import STAFF, within_any
from miniapps.gov_services.feedback.schemas import (
    AppealIn,
    AppealPage,
    AppealStatus,
    AppealView,
    DecisionIn,
    RectificationStatus,
)
from miniapps.gov_services.tables import Rating, RatingAppeal, Rectification

Row = dict[str, Any]


async def appeal(*, actor: Claims, rating_id: int, data: AppealIn) -> AppealView:
    """Ask that a rating be set aside; one appeal per rating (`appeal_exists` after)."""
    rating = await _rating(rating_id)
    if not actor.covers(rating["org"], *STAFF):
        raise Forbidden(KernelCode.SCOPE_NOT_ALLOWED)
    ref = (await case_by_id(rating["application_id"]))["ref_no"]
    async with unit_of_work():
        rows = (
            await RatingAppeal.insert(
                RatingAppeal(
                    rating_id=rating_id,
                    org=rating["org"],
                    reason=data.reason,
                    requested_by=actor.user_id,
                    requested_at=utc_now(),
                    status=AppealStatus.PENDING,
                )
            )
            .on_conflict(target=RatingAppeal.rating_id, action="DO NOTHING")
            .returning(*RatingAppeal.all_columns())
        )
        if not rows:
            raise Conflict(GovServicesCode.APPEAL_EXISTS)
        await audit(actor, "gov_services.rating_appeal", rating["applicant_id"], {"ref": ref})
        await notices.appeal_requested(appeal_id=rows[0]["id"], org=rating["org"], ref=ref)
    return _view(rows[0], rating)


async def list_appeals(
    *, actor: Claims, status: AppealStatus | None, cursor: str | None, limit: int
) -> AppealPage:
    """The appeals about the orgs the caller holds, oldest first."""
    where = within_any(RatingAppeal.org, actor.paths_for(*STAFF))
    if where is None:
        return AppealPage(items=[], next_cursor=None)
    if status is not None:
        where &= RatingAppeal.status == status
    if cursor is not None:
        where &= RatingAppeal.id > decode_cursor(cursor)
    rows = await RatingAppeal.select().where(where).order_by(RatingAppeal.id).limit(limit + 1)
    shown = rows[:limit]
    ratings = {r["id"]: r for r in await _ratings([row["rating_id"] for row in shown])}
    items = [_view(row, ratings[row["rating_id"]]) for row in shown]
    more = len(rows) > limit
    return AppealPage(items=items, next_cursor=encode_cursor(items[-1].id) if more else None)


async def decide(*, actor: Claims, appeal_id: int, data: DecisionIn) -> AppealView:
    """Uphold or dismiss a pending appeal. Upheld, the rating no longer counts and its open
    rectification is void; all in one transaction with the audit row and the notice."""
    found = await RatingAppeal.select().where(RatingAppeal.id == appeal_id).first()
    if found is None:
        raise NotFound(GovServicesCode.APPEAL_NOT_FOUND)
    if not actor.covers(found["org"], Role.SERVICE_APPROVER):
        raise Forbidden(KernelCode.SCOPE_NOT_ALLOWED)
    if found["requested_by"] == actor.user_id:
        raise Forbidden(GovServicesCode.APPEAL_OWN)
    rating = await _rating(found["rating_id"])
    ref = (await case_by_id(rating["application_id"]))["ref_no"]
    now = utc_now()
    async with unit_of_work():
        decided = (
            await RatingAppeal.update(
                {
                    RatingAppeal.status: AppealStatus.UPHELD
                    if data.uphold
                    else AppealStatus.DISMISSED,
                    RatingAppeal.decision_note: data.note,
                    RatingAppeal.decided_by: actor.user_id,
                    RatingAppeal.decided_at: now,
                }
            )
            .where((RatingAppeal.id == appeal_id) & (RatingAppeal.status == AppealStatus.PENDING))
            .returning(*RatingAppeal.all_columns())
        )
        if not decided:
            raise Conflict(GovServicesCode.APPEAL_DECIDED)
        if data.uphold:
            await _set_aside(rating["id"], actor=actor, now=now)
        detail = {"ref": ref, "upheld": data.uphold}
        await audit(actor, "gov_services.rating_appeal_decide", rating["applicant_id"], detail)
        await notices.appeal_decided(
            appeal_id=appeal_id, requested_by=found["requested_by"], ref=ref, upheld=data.uphold
        )
    return _view(decided[0], rating)


async def _set_aside(rating_id: int, *, actor: Claims, now: dt.datetime) -> None:
    """Take the rating out of the aggregates and void its rectification if still open."""
    await Rating.update({Rating.excluded: True}).where(Rating.id == rating_id)
    await Rectification.update(
        {
            Rectification.status: RectificationStatus.VOIDED,
            Rectification.closed_by: actor.user_id,
            Rectification.closed_at: now,
        }
    ).where(
        (Rectification.rating_id == rating_id) & (Rectification.status == RectificationStatus.OPEN)
    )


async def _rating(rating_id: int) -> Row:
    row = await Rating.select().where(Rating.id == rating_id).first()
    if row is None:
        raise NotFound(GovServicesCode.RATING_NOT_FOUND)
    return row


async def _ratings(ids: list[int]) -> list[Row]:
    return await Rating.select().where(Rating.id.is_in(ids)) if ids else []


def _view(row: Row, rating: Row) -> AppealView:
    return AppealView(
        id=row["id"],
        rating_id=row["rating_id"],
        org=row["org"],
        level=rating["level"],
        comment=rating["comment"],
        reason=row["reason"],
        requested_by=row["requested_by"],
        requested_at=row["requested_at"],
        status=AppealStatus(row["status"]),
        decision_note=row["decision_note"],
        decided_by=row["decided_by"],
        decided_at=row["decided_at"],
    )
