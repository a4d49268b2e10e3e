"""Topic sends: a notice to everyone in an org unit as one FCM message per language.

FCM copies a topic message to every device in the topic, so a district alert costs one
request per language however many phones listen. One language: the unit's topic. More: a
condition per language over the unit's topic and that language's topic, and for the
default language (which every other locale falls back to) a condition excluding the rest;
FCM allows five topics in a condition, so at most four languages besides the default get
their own text. Each row is claimed, sent and recorded as a device delivery is: sent at
most once whatever reruns the job, retried with backoff, unconfirmed after its lease.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from backend.kernel.clock import utc_now
from backend.kernel.db import insert_rows, is_postgres, json_value
from backend.kernel.retry import backoff
from backend.kernel.templates import render
from push.fanout import Status
from push.senders import Outcome, PushMessage, Sender, SendResult
from push.tables import TopicSend
from push.topic_names import locale_topic, unit_topic

DEFAULT_LOCALE = "zh-CN"  # what `render` falls back to
TOPICS_PER_CONDITION = 5  # FCM's limit
MAX_ATTEMPTS = 5


def targets(area: str, locales: list[str]) -> list[tuple[str, bool, str]]:
    """(topic or condition, whether a condition, language) for each message of a notice to
    everyone in `area` whose template speaks `locales`."""
    unit = unit_topic(area)
    others = sorted(set(locales) - {DEFAULT_LOCALE})[: TOPICS_PER_CONDITION - 1]
    if not others:
        return [(unit, False, DEFAULT_LOCALE)]
    spoken = [(f"'{unit}' in topics && '{locale_topic(o)}' in topics", True, o) for o in others]
    rest = " && ".join(f"!('{locale_topic(o)}' in topics)" for o in others)
    return [*spoken, (f"'{unit}' in topics && {rest}", True, DEFAULT_LOCALE)]


async def write_topic_sends(notification: dict[str, Any], area: str) -> int:
    """The notice's topic sends, pending; returns how many."""
    now = utc_now()
    rows = [
        (notification["id"], target, condition, locale, Status.PENDING, 0, now, now)
        for target, condition, locale in targets(area, list(json_value(notification["titles"])))
    ]
    await insert_rows(TopicSend, _COLUMNS, rows)
    return len(rows)


_COLUMNS = (
    TopicSend.notification_id,
    TopicSend.target,
    TopicSend.condition,
    TopicSend.locale,
    TopicSend.status,
    TopicSend.attempts,
    TopicSend.next_attempt_at,
    TopicSend.updated_at,
)


async def send_topics(sender: Sender, notification: dict[str, Any]) -> dict[str, int]:
    """Send every due topic send of a notification; the tally of what became of them."""
    tally: dict[str, int] = {}
    while rows := await _claim(notification["id"]):
        results = await sender.send([_message(notification, row) for row in rows])
        for outcome, count in (await _record(rows, results)).items():
            tally[outcome] = tally.get(outcome, 0) + count
    return tally


async def _claim(notification_id: int) -> list[dict[str, Any]]:
    """One statement, so atomic on its own: two senders never claim the same row."""
    lock = "FOR UPDATE SKIP LOCKED" if is_postgres() else ""
    # Only constants are formatted into the SQL; values are bound parameters.
    rows: list[dict[str, Any]] = await TopicSend.raw(
        "UPDATE push_topic_send SET status = {}, claimed_at = {}, attempts = attempts + 1 "  # noqa: S608
        "WHERE id IN (SELECT id FROM push_topic_send WHERE notification_id = {} "
        f"AND status = {{}} AND next_attempt_at <= {{}} ORDER BY id LIMIT 10 {lock}) "
        "RETURNING id, target, condition, locale, attempts",
        Status.SENDING,
        utc_now(),
        notification_id,
        Status.PENDING,
        utc_now(),
    )
    return rows


def _message(notification: dict[str, Any], row: dict[str, Any]) -> PushMessage:
    titles, bodies, data = (json_value(notification[k]) for k in ("titles", "bodies", "data"))
    payload = {**data, "notification_id": str(notification["id"])}
    if notification["deep_link"]:
        payload["deep_link"] = notification["deep_link"]
    return PushMessage(
        address=row["target"],
        kind="condition" if row["condition"] else "topic",
        platform="",
        title=render(titles, row["locale"], data),
        body=render(bodies, row["locale"], data),
        data=payload,
        urgent=notification["urgent"],
        collapse_key=notification["collapse_key"],
        ttl=notification["ttl"],
    )


async def _record(rows: list[dict[str, Any]], results: list[SendResult]) -> dict[str, int]:
    tally: dict[str, int] = {}
    now = utc_now()
    for row, result in zip(rows, results, strict=True):
        values: dict[Any, Any] = {TopicSend.error: result.error, TopicSend.updated_at: now}
        if result.outcome in (Outcome.SENT, Outcome.LOGGED):
            status = result.outcome.value
        elif result.outcome is Outcome.RETRY and row["attempts"] < MAX_ATTEMPTS:
            status = "retry"
            delay = max(backoff(row["attempts"]), result.retry_after or 0.0)
            values[TopicSend.next_attempt_at] = now + dt.timedelta(seconds=delay)
            values[TopicSend.claimed_at] = None
        else:
            status = Status.FAILED
        values[TopicSend.status] = Status.PENDING if status == "retry" else status
        await TopicSend.update(values).where(TopicSend.id == row["id"])
        tally[status] = tally.get(status, 0) + 1
    return tally


async def next_due(notification_id: int) -> dt.datetime | None:
    row = (
        await TopicSend.select(TopicSend.next_attempt_at)
        .where(
            (TopicSend.notification_id == notification_id) & (TopicSend.status == Status.PENDING)
        )
        .order_by(TopicSend.next_attempt_at)
        .first()
    )
    return None if row is None else row["next_attempt_at"]


async def expire_claims(now: dt.datetime, lease: dt.timedelta) -> list[int]:
    """Claims past their lease become unconfirmed (FCM may have them: never resent); returns
    the notifications with topic sends due and not being sent."""
    await TopicSend.update({TopicSend.status: Status.UNCONFIRMED, TopicSend.updated_at: now}).where(
        (TopicSend.status == Status.SENDING) & (TopicSend.claimed_at < now - lease)
    )
    due = (
        await TopicSend.select(TopicSend.notification_id)
        .where(
            (TopicSend.status == Status.PENDING)
            & (TopicSend.next_attempt_at < now - dt.timedelta(seconds=5))
        )
        .distinct()
        .limit(100)
    )
    return [row["notification_id"] for row in due]
