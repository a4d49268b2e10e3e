"""Rectifications (整改): a bad rating obliges the org that handled the case to act, reply and
visit the applicant (回访) within 15 working days. It closes only with both a reply and a
visit on record, by the officers or approvers of that org or of an org above it."""

from __future__ import annotations

from typing import Any

from backend.sdk import (
    Claims,
    Conflict,
    Forbidden,
    KernelCode,
    NotFound,
    Role,
    WorkCalendar,
    audit,
    decode_cursor,
    encode_cursor,
    unit_of_work,
    utc_now,
    work_calendar,
)
from miniapps.gov_services.dates import city_date, last_day, overdue_from
from miniapps.gov_services.errors import GovServicesCode
from miniapps.gov_services.feedback import notices
from miniapps.gov_services.feedback.schemas import (
    LEVEL_NAMES,
    RectificationPage,
    RectificationStatus,
    RectificationView,
    ReplyIn,
    RevisitIn,
)
from miniapps.gov_services.tables import Rating, Rectification

RECTIFICATION_WORKING_DAYS = 15
# Who acts on an org's ratings: its officers, and the approvers who answer for them.
STAFF = (Role.SERVICE_OFFICER, Role.SERVICE_APPROVER)

Row = dict[str, Any]


def within_any(column: Any, paths: list[str]) -> Any:
    """A `where` for rows whose org `column` lies at or below one of `paths` (org paths hold
    no LIKE wildcard); None for no paths."""
    where = None
    for path in paths:
        clause = (column == path) | column.like(path + "/%")
        where = clause if where is None else where | clause
    return where


async def open_rectification(rating: Row, *, ref: str, calendar: WorkCalendar) -> int:
    """Open the rectification a bad rating calls for and tell the org; inside the rating's
    unit of work. Its 15 working days count from the day after the rating (民法典 Art. 201)."""
    due = calendar.add_working_days(city_date(rating["rated_at"]), RECTIFICATION_WORKING_DAYS)
    rows = await Rectification.insert(
        Rectification(
            rating_id=rating["id"],
            application_id=rating["application_id"],
            org=rating["org"],
            status=RectificationStatus.OPEN,
            opened_at=rating["rated_at"],
            due_at=overdue_from(due.date),
            due_provisional=due.provisional,
        )
    ).returning(Rectification.id)
    rectification_id = int(rows[0]["id"])
    await notices.rectification_opened(
        rectification_id=rectification_id,
        org=rating["org"],
        ref=ref,
        level=LEVEL_NAMES[rating["level"]],
        due_date=due.date,
    )
    return rectification_id


async def recount_provisional() -> int:
    """Count again the deadlines of open rectifications that were counted by the weekday
    rule over a year whose notice had not come; run when a year is loaded. How many moved."""
    calendar = await work_calendar(fresh=True)
    rows = await Rectification.select(
        Rectification.id, Rectification.opened_at, Rectification.due_at
    ).where(
        (Rectification.status == RectificationStatus.OPEN) & Rectification.due_provisional.eq(True)
    )
    moved = 0
    for row in rows:
        due = calendar.add_working_days(city_date(row["opened_at"]), RECTIFICATION_WORKING_DAYS)
        due_at = overdue_from(due.date)
        changes: dict[Any, Any] = {
            Rectification.due_at: due_at,
            Rectification.due_provisional: due.provisional,
        }
        await Rectification.update(changes).where(Rectification.id == row["id"])
        moved += int(due_at != row["due_at"])
    return moved


async def list_rectifications(
    *, actor: Claims, status: RectificationStatus | None, cursor: str | None, limit: int
) -> RectificationPage:
    """The rectifications of the orgs the caller holds, oldest (so nearest due) first."""
    where = within_any(Rectification.org, actor.paths_for(*STAFF))
    if where is None:
        return RectificationPage(items=[], next_cursor=None)
    if status is not None:
        where &= Rectification.status == status
    if cursor is not None:
        where &= Rectification.id > decode_cursor(cursor)
    rows = await Rectification.select().where(where).order_by(Rectification.id).limit(limit + 1)
    ratings = await _ratings_of(rows[:limit])
    items = [_view(row, ratings[row["rating_id"]]) for row in rows[:limit]]
    more = len(rows) > limit
    return RectificationPage(items=items, next_cursor=encode_cursor(items[-1].id) if more else None)


async def reply(*, actor: Claims, rectification_id: int, data: ReplyIn) -> RectificationView:
    """Record the org's reply (what it did about the complaint); a later reply replaces it."""
    changes = {
        Rectification.reply: data.reply,
        Rectification.replied_by: actor.user_id,
        Rectification.replied_at: utc_now(),
    }
    return await _change(actor, rectification_id, changes, action="reply")


async def revisit(*, actor: Claims, rectification_id: int, data: RevisitIn) -> RectificationView:
    """Record the follow-up visit (回访) and whether the applicant was satisfied; a later
    visit replaces it."""
    changes = {
        Rectification.revisit_note: data.note,
        Rectification.revisit_satisfied: data.satisfied,
        Rectification.revisited_by: actor.user_id,
        Rectification.revisited_at: utc_now(),
    }
    return await _change(actor, rectification_id, changes, action="revisit")


async def close(*, actor: Claims, rectification_id: int) -> RectificationView:
    """Close it: only once it has a reply and a follow-up visit, else `rectification_incomplete`."""
    changes = {
        Rectification.status: RectificationStatus.CLOSED,
        Rectification.closed_by: actor.user_id,
        Rectification.closed_at: utc_now(),
    }
    complete = Rectification.reply.is_not_null() & Rectification.revisited_at.is_not_null()
    return await _change(actor, rectification_id, changes, action="close", provided=complete)


async def _change(
    actor: Claims,
    rectification_id: int,
    changes: dict[Any, Any],
    *,
    action: str,
    provided: Any = None,
) -> RectificationView:
    """Apply `changes` to an open rectification the caller may act on, `provided` it holds,
    with its audit row; in one statement, so two officers at once cannot both close it."""
    row = await _rectification(rectification_id)
    if not actor.covers(row["org"], *STAFF):
        raise Forbidden(KernelCode.SCOPE_NOT_ALLOWED)
    rating = (await _ratings_of([row]))[row["rating_id"]]
    where = (Rectification.id == rectification_id) & (
        Rectification.status == RectificationStatus.OPEN
    )
    async with unit_of_work():
        updated = (
            await Rectification.update(changes)
            .where(where if provided is None else where & provided)
            .returning(*Rectification.all_columns())
        )
        if not updated:
            raise Conflict(await _why_unchanged(rectification_id))
        detail = {"rectification": rectification_id, "application": row["application_id"]}
        await audit(actor, f"gov_services.rectification_{action}", rating["applicant_id"], detail)
    return _view(updated[0], rating)


async def _why_unchanged(rectification_id: int) -> GovServicesCode:
    """Why a change of an open rectification matched no row: it is no longer open, or it
    lacks the reply or visit that closing needs."""
    row = await _rectification(rectification_id)
    if row["status"] != RectificationStatus.OPEN:
        return GovServicesCode.RECTIFICATION_NOT_OPEN
    return GovServicesCode.RECTIFICATION_INCOMPLETE


async def _rectification(rectification_id: int) -> Row:
    row = await Rectification.select().where(Rectification.id == rectification_id).first()
    if row is None:
        raise NotFound(GovServicesCode.RECTIFICATION_NOT_FOUND)
    return row


async def _ratings_of(rows: list[Row]) -> dict[int, Row]:
    ids = [row["rating_id"] for row in rows]
    if not ids:
        return {}
    found = await Rating.select().where(Rating.id.is_in(ids))
    return {rating["id"]: rating for rating in found}


def _view(row: Row, rating: Row) -> RectificationView:
    return RectificationView(
        id=row["id"],
        rating_id=row["rating_id"],
        application_id=row["application_id"],
        org=row["org"],
        status=RectificationStatus(row["status"]),
        level=rating["level"],
        comment=rating["comment"],
        opened_at=row["opened_at"],
        due_date=last_day(row["due_at"]),
        due_provisional=row["due_provisional"],
        reply=row["reply"],
        replied_at=row["replied_at"],
        revisit_note=row["revisit_note"],
        revisit_satisfied=row["revisit_satisfied"],
        revisited_at=row["revisited_at"],
        closed_at=row["closed_at"],
    )
