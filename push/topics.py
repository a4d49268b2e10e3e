"""FCM topics, one per org unit and one per locale, kept in our own table in step with FCM.

A notice to everyone in a unit (a grid, community, street or district) goes out as one FCM
send to that unit's topic, however many phones listen, instead of one request per device.
So a phone joins the topic of every unit its user belongs to, from the city down (as a
resident living there, or as a grid worker working there): the same people
`people_within` finds, whose inbox rows are written for the notice. It also joins the topic
of its locale, which lets a send speak each language through an FCM condition. The table
records what we want and when FCM was last told; a job tells FCM what changed.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from backend.directory.people import person, scopes_held
from backend.directory.users.profile import HomeSet
from backend.kernel.contract import Event, JobContext
from backend.kernel.db import fetch_rows, transaction
from backend.kernel.paths import ancestors
from backend.kernel.roles import Role
from push.schemas import AddressKind
from push.sending import PushRuntime
from push.tables import Device, TopicSubscription
from push.topic_names import locale_topic, unit_topic

BATCH = 1000


async def units_of(user_id: int) -> set[str]:
    """Every unit the person lives or works in as a grid worker, and every unit above those."""
    paths = set(await scopes_held(user_id, Role.GRID_WORKER))
    holder = await person(user_id)
    if holder is not None and holder.home_path:
        paths.add(holder.home_path)
    return {unit for path in paths for unit in ancestors(path)}


async def plan_topics(*, device_id: int) -> bool:
    """Record the topics a device should join and leave; True when anything changed. Run it
    in the transaction that changed the device, so two changes of one device plan in turn;
    then `request_sync` once that has committed."""
    device = await Device.select().where(Device.id == device_id).first()
    if device is None:
        return False
    wanted = set()
    if device["active"] and device["kind"] == AddressKind.TOKEN:
        wanted = {unit_topic(path) for path in await units_of(device["user_id"])}
        wanted.add(locale_topic(device["locale"]))
    rows = await TopicSubscription.select().where(TopicSubscription.device_id == device_id)
    held = {row["topic"]: row for row in rows}
    changed = False
    for topic in wanted - {t for t, r in held.items() if r["wanted"]}:
        changed = True
        if topic in held:
            await _want(held[topic]["id"], True)
        else:
            await TopicSubscription.insert(TopicSubscription(device_id=device_id, topic=topic))
    for topic, row in held.items():
        if row["wanted"] and topic not in wanted:
            changed = True
            await _want(row["id"], False)
    return changed


async def _want(row_id: int, wanted: bool) -> None:
    await TopicSubscription.update(
        {TopicSubscription.wanted: wanted, TopicSubscription.synced_at: None}
    ).where(TopicSubscription.id == row_id)


async def sync_topics(job: JobContext) -> int:
    """Tell FCM every join and leave not yet told; returns how many rows were synced."""
    sender = job.services.runtime(PushRuntime).sender
    pending = (
        await TopicSubscription.select(
            TopicSubscription.id,
            TopicSubscription.topic,
            TopicSubscription.wanted,
            TopicSubscription.device_id.join_on(Device.id).address.as_alias("address"),
        )
        .where(TopicSubscription.synced_at.is_null())
        .order_by(TopicSubscription.id)
        .limit(BATCH)
    )
    groups: dict[tuple[str, bool], list[dict[str, Any]]] = {}
    for row in pending:
        groups.setdefault((row["topic"], row["wanted"]), []).append(row)
    synced = 0
    for (topic, join), rows in groups.items():
        errors = await sender.change_topic([r["address"] for r in rows], topic, join=join)
        for row, error in zip(rows, errors, strict=True):
            synced += await _settle(row, join, error)
    return synced


async def _settle(row: dict[str, Any], join: bool, error: str | None) -> int:
    # Only while the row still wants what FCM was told: a device re-planned during the call
    # (a home changed, a phone handed over) keeps its row pending, and the next sync tells
    # FCM the newer wish, instead of the older one being recorded as FCM's state.
    same = (TopicSubscription.id == row["id"]) & (TopicSubscription.wanted == join)
    if error is not None:
        await TopicSubscription.update({TopicSubscription.error: error}).where(same)
        return 0
    if join:
        await TopicSubscription.update(
            {TopicSubscription.synced_at: dt.datetime.now(dt.UTC), TopicSubscription.error: None}
        ).where(same)
    else:
        await TopicSubscription.delete().where(same)
    return 1


# Active phones whose topics were never planned (registered before topics were kept, or
# restored from a backup without them), among the next phones by id from where the last
# sweep stopped. Every planned phone holds at least its locale's topic.
_SWEEP = (
    "SELECT d.id, NOT EXISTS"
    " (SELECT 1 FROM push_topic_subscription AS t WHERE t.device_id = d.id) AS unplanned"
    " FROM push_device AS d WHERE d.id > $1 AND d.active AND d.kind = $2"
    " ORDER BY d.id LIMIT $3"
)
SWEEP_BATCH = 10_000
# Planning is a few statements per phone: after an upgrade a run plans for at most this
# long (a few per cent of a worker), however many phones wait, and the next run goes on.
SWEEP_SECONDS = 2.0


async def plan_unplanned(job: JobContext) -> int:
    """Plan the topics of phones that never had them planned, so that a phone registered
    before an upgrade hears its district's alerts without waiting for its app to register
    again. A sweep over every active phone, a batch per run from where the last one stopped
    and for at most SWEEP_SECONDS, starting over at the end: no run reads the whole table
    or holds the worker long. Returns how many it planned."""
    push = job.services.runtime(PushRuntime)
    rows = await fetch_rows(_SWEEP, push.topic_sweep_from, AddressKind.TOKEN.value, SWEEP_BATCH)
    resume_after = rows[-1]["id"] if len(rows) == SWEEP_BATCH else 0
    deadline = time.monotonic() + SWEEP_SECONDS
    planned, changed = 0, False
    for row in rows:
        if not row["unplanned"]:
            continue
        async with transaction():
            changed = await plan_topics(device_id=row["id"]) or changed
        planned += 1
        if time.monotonic() >= deadline and row is not rows[-1]:
            resume_after = row["id"]
            break
    push.topic_sweep_from = resume_after
    if changed:
        await push.request_sync()
    return planned


async def follow_home(event: Event, job: JobContext) -> None:
    """Handler of directory.home_set: the person's phones join their new home grid's topic
    (and leave the old one's), each planned in its own transaction as a registration is."""
    home: HomeSet = event.payload
    devices = await Device.select(Device.id).where(
        (Device.user_id == home.user_id) & Device.active.eq(True)
    )
    changed = False
    for device in devices:
        async with transaction():
            changed = await plan_topics(device_id=device["id"]) or changed
    if changed:
        await job.services.runtime(PushRuntime).request_sync()
