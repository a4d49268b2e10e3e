"""Consultations (法律咨询): a resident asks, an on-duty lawyer of their district answers in
a thread, and the resident rates the answer, which closes it. Seen by its asker, its lawyer
(or, while it waits in a pool, the lawyers of that station), the station's head and the
district's admins; to anyone else it does not exist. Every read by staff is audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from backend.sdk import (
    ROW_ID_MAX,
    Audience,
    Claims,
    Conflict,
    Forbidden,
    GroupCommit,
    NotFound,
    Unprocessable,
    audit,
    decode_cursor,
    district_of,
    encode_cursor,
    fetch_rows,
    notify,
    people,
    person,
    unit_of_work,
    work_calendar,
)
from miniapps.legal_aid.directory import SUPERVISORS, lawyer_in
from miniapps.legal_aid.errors import LegalProblem
from miniapps.legal_aid.hours import add_working_hours
from miniapps.legal_aid.notices import NEW_QUESTION, NEW_REPLY, PART, consultation_link
from miniapps.legal_aid.routing import route
from miniapps.legal_aid.runtime import LegalRuntime
from miniapps.legal_aid.schemas import (
    ConsultationPage,
    ConsultationView,
    ConsultIn,
    ConsultMessageView,
    ConsultRatingIn,
    ConsultReplyIn,
    ConsultStatus,
    Speciality,
    StationKind,
)

READ = "legal_aid.consultation_read"


class Asking(msgspec.Struct, frozen=True, kw_only=True):
    """A question to route and open, with its deadline counted already."""

    asker_id: int
    district: str
    category: Speciality
    question: str
    asked_at: dt.datetime
    due: dt.datetime


async def ask(*, actor: Claims, asked: ConsultIn, legal: LegalRuntime) -> ConsultationView:
    """Route the question and open it; its lawyer, or its pool's head, is told."""
    me = await person(actor.user_id)
    district = district_of(me.home_path) if me and me.home_path else None
    if district is None:
        raise Unprocessable(LegalProblem.NO_DISTRICT)
    now = legal.clock()
    due = add_working_hours(await work_calendar(), now, legal.answer_hours)
    opened = await _ASKS.write(
        Asking(
            asker_id=actor.user_id,
            district=district,
            category=asked.category,
            question=asked.question,
            asked_at=now,
            due=due,
        )
    )
    return (await _views([opened]))[0]  # new: no thread, no attachments yet


async def open_all(asks: Sequence[Asking]) -> list[Mapping[str, Any]]:
    """The questions asked at the same moment, routed one after another in one transaction:
    each sees the loads the last one left."""
    opened = []
    async with unit_of_work():
        for asking in asks:
            opened.append(await _open(asking))
    return opened


async def _open(asking: Asking) -> Mapping[str, Any]:
    routed = await route(
        asking.district, asking.category, asking.asked_at, asker_id=asking.asker_id
    )
    rows = await fetch_rows(
        "INSERT INTO legal_aid_consultation (asker_id, district, category, question,"
        " station_id, lawyer_id, status, asked_at, answer_due_at, escalated)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0) RETURNING *",
        asking.asker_id,
        asking.district,
        asking.category.value,
        asking.question,
        routed.station_id,
        routed.lawyer_id,
        ConsultStatus.WAITING.value,
        asking.asked_at,
        asking.due,
    )
    consultation_id = int(rows[0]["id"])
    told = routed.lawyer_id or await _head_of(routed.station_id)
    if told is not None:
        await notify(
            audience=Audience.users(told),
            template=NEW_QUESTION,
            data={"category": asking.category.value},
            source=PART,
            deep_link=consultation_link(consultation_id),
        )
    return rows[0]


# Under load a question waits at most for the transaction ahead of it, and the district's
# routing lock is taken once per transaction, not once per question.
_ASKS: GroupCommit[Asking, Mapping[str, Any]] = GroupCommit("legal_aid.ask", open_all)


async def _head_of(station_id: int | None) -> int | None:
    if station_id is None:
        return None
    rows = await fetch_rows("SELECT head_id FROM legal_aid_station WHERE id = $1", station_id)
    return rows[0]["head_id"] if rows else None


async def seen_by(actor: Claims, consultation_id: int) -> Mapping[str, Any]:
    """The consultation, for those who may see it; a read by staff is audited."""
    rows = await fetch_rows("SELECT * FROM legal_aid_consultation WHERE id = $1", consultation_id)
    if not rows:
        raise NotFound(LegalProblem.CONSULTATION_NOT_FOUND)
    row = rows[0]
    if int(row["asker_id"]) == actor.user_id:
        return row
    if not await _staff_sees(actor, row):
        raise NotFound(LegalProblem.CONSULTATION_NOT_FOUND)
    await audit(actor, READ, int(row["asker_id"]), {"id": row["id"]})
    return row


async def _staff_sees(actor: Claims, row: Mapping[str, Any]) -> bool:
    """The district's supervisors; and, while they hold the lawyer role there, its lawyer,
    the lawyers of the pool it waits in, its station's head and the heads of the district's
    centres (told when it waits too long)."""
    district = str(row["district"])
    if actor.covers(district, *SUPERVISORS):
        return True
    if not lawyer_in(actor, district):
        return False
    if row["lawyer_id"] is not None and int(row["lawyer_id"]) == actor.user_id:
        return True
    heads = await fetch_rows(
        "SELECT id FROM legal_aid_station WHERE head_id = $1 AND (id = $2 OR"
        " (district = $3 AND kind = $4))",
        actor.user_id,
        row["station_id"] or 0,
        district,
        StationKind.CENTRE.value,
    )
    if heads:
        return True
    in_pool = row["lawyer_id"] is None and row["station_id"] is not None
    return in_pool and await _listed_at(actor.user_id, int(row["station_id"]))


async def _listed_at(user_id: int, station_id: int) -> bool:
    return bool(
        await fetch_rows(
            "SELECT id FROM legal_aid_lawyer WHERE user_id = $1 AND station_id = $2",
            user_id,
            station_id,
        )
    )


async def reply(
    *, actor: Claims, consultation_id: int, said: ConsultReplyIn, legal: LegalRuntime
) -> None:
    """A message in the thread, by the asker or the lawyer; the first by the lawyer answers
    the question. The other side is told."""
    row = await seen_by(actor, consultation_id)
    by_lawyer = row["lawyer_id"] is not None and int(row["lawyer_id"]) == actor.user_id
    if not by_lawyer and int(row["asker_id"]) != actor.user_id:
        raise Forbidden(LegalProblem.NOT_YOUR_CONSULTATION)
    now = legal.clock()
    async with unit_of_work():
        still = await _still_open(consultation_id, answered_at=now if by_lawyer else None)
        if not still:
            raise Conflict(LegalProblem.CONSULTATION_CLOSED)
        await fetch_rows(
            "INSERT INTO legal_aid_message (consultation_id, author_id, by_lawyer, text, at)"
            " VALUES ($1, $2, $3, $4, $5)",
            consultation_id,
            actor.user_id,
            by_lawyer,
            said.text,
            now,
        )
        other = int(row["asker_id"]) if by_lawyer else row["lawyer_id"]
        if other is not None:
            await notify(
                audience=Audience.users(int(other)),
                template=NEW_REPLY if by_lawyer else NEW_QUESTION,
                data={"category": str(row["category"])},
                source=PART,
                deep_link=consultation_link(consultation_id),
            )


async def _still_open(consultation_id: int, *, answered_at: dt.datetime | None) -> bool:
    """Whether it is open, its row then locked to the end of the transaction; a lawyer's
    first message marks it answered."""
    if answered_at is None:
        rows = await fetch_rows(
            "UPDATE legal_aid_consultation SET status = status WHERE id = $1 AND status <> $2"
            " RETURNING id",
            consultation_id,
            ConsultStatus.CLOSED.value,
        )
    else:
        rows = await fetch_rows(
            "UPDATE legal_aid_consultation SET status = $3,"
            " answered_at = COALESCE(answered_at, $4) WHERE id = $1 AND status <> $2"
            " RETURNING id",
            consultation_id,
            ConsultStatus.CLOSED.value,
            ConsultStatus.ANSWERED.value,
            answered_at,
        )
    return bool(rows)


async def take_from_pool(*, actor: Claims, consultation_id: int) -> None:
    """A lawyer of the station takes a question waiting in its pool."""
    await seen_by(actor, consultation_id)
    async with unit_of_work():
        taken = await fetch_rows(
            "UPDATE legal_aid_consultation SET lawyer_id = $2 WHERE id = $1"
            " AND lawyer_id IS NULL AND asker_id <> $2 AND status <> $3 AND station_id IN"
            " (SELECT station_id FROM legal_aid_lawyer WHERE user_id = $2) RETURNING id",
            consultation_id,
            actor.user_id,
            ConsultStatus.CLOSED.value,
        )
        if not taken:
            raise Conflict(LegalProblem.NOT_IN_POOL)
        await fetch_rows(
            "UPDATE legal_aid_lawyer SET open_count = open_count + 1 WHERE user_id = $1",
            actor.user_id,
        )


async def rate(
    *, actor: Claims, consultation_id: int, rating: ConsultRatingIn, legal: LegalRuntime
) -> None:
    """The asker rates the answer, once; it closes the consultation and frees its lawyer."""
    row = await seen_by(actor, consultation_id)
    if int(row["asker_id"]) != actor.user_id:
        raise Forbidden(LegalProblem.NOT_YOUR_CONSULTATION)
    if row["answered_at"] is None:
        raise Conflict(LegalProblem.NOT_ANSWERED)
    async with unit_of_work():
        closed = await fetch_rows(
            "UPDATE legal_aid_consultation SET rating = $2, rating_comment = $3, status = $4,"
            " closed_at = $5 WHERE id = $1 AND rating IS NULL RETURNING lawyer_id",
            consultation_id,
            rating.stars,
            rating.comment,
            ConsultStatus.CLOSED.value,
            legal.clock(),
        )
        if not closed:
            raise Conflict(LegalProblem.RATED)
        await fetch_rows(
            "UPDATE legal_aid_lawyer SET open_count = open_count - 1"
            " WHERE user_id = $1 AND open_count > 0",
            closed[0]["lawyer_id"],
        )


async def view_of(row: Mapping[str, Any]) -> ConsultationView:
    """The consultation with its thread and its attachments' ids."""
    messages = await fetch_rows(
        "SELECT id, by_lawyer, text, at FROM legal_aid_message WHERE consultation_id = $1"
        " ORDER BY id",
        row["id"],
    )
    attached = await fetch_rows(
        "SELECT id FROM legal_aid_attachment WHERE consultation_id = $1 ORDER BY id", row["id"]
    )
    view = (await _views([row], {int(row["id"]): messages}))[0]
    return msgspec.structs.replace(view, attachments=[int(a["id"]) for a in attached])


async def _views(
    rows: list[Mapping[str, Any]], threads: Mapping[int, Any] | None = None
) -> list[ConsultationView]:
    named = await people({int(r["lawyer_id"]) for r in rows if r["lawyer_id"] is not None})
    threads = threads or {}
    return [
        ConsultationView(
            id=int(r["id"]),
            asker_id=int(r["asker_id"]),
            district=str(r["district"]),
            category=Speciality(r["category"]),
            question=str(r["question"]),
            status=ConsultStatus(r["status"]),
            station_id=r["station_id"],
            lawyer_id=r["lawyer_id"],
            lawyer_name=named[int(r["lawyer_id"])].name
            if r["lawyer_id"] is not None and int(r["lawyer_id"]) in named
            else None,
            asked_at=r["asked_at"],
            answer_due_at=r["answer_due_at"],
            answered_at=r["answered_at"],
            escalated=int(r["escalated"]),
            rating=r["rating"],
            messages=[
                ConsultMessageView(
                    id=int(m["id"]), by_lawyer=bool(m["by_lawyer"]), text=str(m["text"]), at=m["at"]
                )
                for m in threads.get(int(r["id"]), [])
            ],
        )
        for r in rows
    ]


async def mine(*, actor: Claims, cursor: str | None, limit: int) -> ConsultationPage:
    """The caller's own questions, newest first."""
    before = decode_cursor(cursor) if cursor else ROW_ID_MAX
    rows = await fetch_rows(
        "SELECT * FROM legal_aid_consultation WHERE asker_id = $1 AND id < $2"
        " ORDER BY id DESC LIMIT $3",
        actor.user_id,
        before,
        limit + 1,
    )
    return await _page(list(rows), limit)


async def queue(*, actor: Claims, cursor: str | None, limit: int) -> ConsultationPage:
    """A lawyer's open questions and those waiting in their station's pool, newest first,
    of the districts where they hold the lawyer role; each read is audited."""
    before = decode_cursor(cursor) if cursor else ROW_ID_MAX
    listed = await fetch_rows(
        "SELECT district FROM legal_aid_lawyer WHERE user_id = $1", actor.user_id
    )
    if not listed or not lawyer_in(actor, str(listed[0]["district"])):
        return ConsultationPage(items=[], next_cursor=None)
    rows = await fetch_rows(
        "SELECT * FROM legal_aid_consultation WHERE status <> $2 AND id < $3 AND ("
        "lawyer_id = $1 OR (lawyer_id IS NULL AND station_id IN"
        " (SELECT station_id FROM legal_aid_lawyer WHERE user_id = $1)))"
        " ORDER BY id DESC LIMIT $4",
        actor.user_id,
        ConsultStatus.CLOSED.value,
        before,
        limit + 1,
    )
    page = await _page(list(rows), limit)
    async with unit_of_work():  # the page's audit entries in one statement
        for item in page.items:
            await audit(actor, READ, item.asker_id, {"id": item.id})
    return page


async def _page(rows: list[Mapping[str, Any]], limit: int) -> ConsultationPage:
    items = await _views(rows[:limit])
    more = len(rows) > limit
    return ConsultationPage(items=items, next_cursor=encode_cursor(items[-1].id) if more else None)
