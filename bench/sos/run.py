"""bench/sos: elders press SOS at a steady rate, five contacts each; the latency from each
SOS's 201 to its first contact's push arriving at the FCM stand-in, against the grid's
urgent event dispatch (a resident's report to its handler's push) at the same rate, in the
same run.

Real parts throughout, the rig of bench/event_dispatch: PostgreSQL, Redis, one `yimen
serve`, one `yimen worker`, and the FCM stand-in in its own process. First the grid's
urgent reports at --rate for --seconds (after a warm-up not counted), then the SOS at the
same rate for as long. Each SOS is a different elder's (an elder has one open SOS at a
time), every elder in g07 with the same five contacts in order, whose phones are
registered. The community's cancel window is set to 0 s, so that the figure is the time
the platform takes (a window of w seconds rings w later, by design); the ring gap and the
escalation period are the defaults (60 s, 300 s), so the second contacts of the first
SOS are rung as the load ends. An SOS whose first push has not arrived 30 s after the load
is lost.

Target: the SOS's p99 below the grid dispatch's p99 of the same run (an SOS must never be
slower than a manhole report), and none lost.

    python bench/sos/run.py [--rate 50] [--seconds 30] [--warmup 3]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import statistics
import sys
import time
from contextlib import ExitStack
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
DISPATCH = ROOT / "bench" / "event_dispatch"
sys.path[:0] = [str(ROOT), str(ROOT / "bench"), str(DISPATCH)]

import people  # noqa: E402
from common import Figure, in_database, report, yimen  # noqa: E402
from load import Connection  # noqa: E402

APP = "/v1/miniapps/elderly_care"
ADMIN_PHONE = "13800000005"  # the c03 community admin, who sets the community's timing
HOME = "zz/gx/fengyang/c03/g07"
CONTACTS = 5
CONNECTIONS = 64
LAST_PUSH_WAIT = 30
WINDOW = 10  # seconds of each window the spread is taken over
ALARM_LINK = "yimen://miniapps/elderly_care/alarms/"


def _dispatch_run():  # type: ignore[no-untyped-def]
    """bench/event_dispatch/run.py, whose rig and load this bench shares."""
    spec = importlib.util.spec_from_file_location("event_dispatch_run", DISPATCH / "run.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def seed(elders: int) -> tuple[list[int], list[str], list[str]]:
    """The elders' ids and tokens, and the contacts' tokens, made by the database."""
    from backend.kernel.db import fetch_rows, transaction

    async with transaction():
        elder_users = await people.accounts("sos-elder", elders, HOME)
        contacts = await people.accounts("sos-contact", CONTACTS, HOME)
        await fetch_rows(
            "INSERT INTO elderly_care_elder (user_id, grid_path, living_alone, enrolled_by,"
            " enrolled_as, enrolled_at) SELECT id, home_path, TRUE, id, 'self', NOW()"
            " FROM user_account WHERE phone_lookup LIKE 'bench-sos-elder-%'"
        )
        await fetch_rows(
            "INSERT INTO elderly_care_family_binding (elder_id, member_id, relation, status,"
            " asked_at, decided_at, decided_by, contact_rank)"
            " SELECT e.id, c.id, '家人', 'accepted', NOW(), NOW(), e.user_id, c.rank"
            " FROM elderly_care_elder e CROSS JOIN (SELECT id, ROW_NUMBER() OVER (ORDER BY id)"
            " AS rank FROM user_account WHERE phone_lookup LIKE 'bench-sos-contact-%') c"
        )
        rows = await fetch_rows(
            "SELECT e.id FROM elderly_care_elder e JOIN user_account u ON u.id = e.user_id"
            " WHERE u.phone_lookup LIKE 'bench-sos-elder-%' ORDER BY u.id"
        )
    elder_ids = [int(row["id"]) for row in rows]
    return elder_ids, await people.access_tokens(elder_users), await people.access_tokens(contacts)


def prepare(base: str, admin: str, contact_tokens: list[str]) -> None:
    import httpx

    for n, token in enumerate(contact_tokens):
        answer = httpx.post(
            f"{base}/v1/devices",
            json={"address": f"bench-sos-contact-{n}", "platform": "android"},
            headers={"Authorization": f"Bearer {token}"},
        )
        answer.raise_for_status()
    timing = {
        "community": "zz/gx/fengyang/c03",
        "cancel_window_seconds": 0,
        "ring_gap_seconds": 60,
        "escalate_after_seconds": 300,
    }
    answer = httpx.put(
        f"{base}{APP}/sos-rules", json=timing, headers={"Authorization": f"Bearer {admin}"}
    )
    answer.raise_for_status()


def sos_request(base: str, elder_id: int, token: str) -> bytes:
    host = base.removeprefix("http://")
    return (
        f"POST {APP}/elders/{elder_id}/sos HTTP/1.1\r\nHost: {host}\r\n"
        f"Authorization: Bearer {token}\r\nContent-Length: 0\r\n\r\n"
    ).encode()


async def press(
    base: str, requests: list[bytes], *, rate: int, warmup: int
) -> tuple[dict[int, float], int, float]:
    """The SOS at `rate` per second on a fixed schedule, each on a free connection: when
    each counted one's 201 arrived (by alarm id), how many were refused, and how long the
    schedule took."""
    host, port = base.removeprefix("http://").split(":")
    idle: asyncio.Queue[Connection] = asyncio.Queue()
    for _ in range(CONNECTIONS):
        idle.put_nowait(Connection(*await asyncio.open_connection(host, int(port))))
    answered: dict[int, float] = {}
    refused = 0

    async def one(request: bytes, counted: bool) -> None:
        nonlocal refused
        connection = await idle.get()
        try:
            status, answer = await connection.post(request)
        finally:
            idle.put_nowait(connection)
        if status != 201:
            refused += 1
        elif counted:
            answered[int(json.loads(answer)["id"])] = time.time()

    start = time.perf_counter()
    tasks = []
    for n, request in enumerate(requests):
        await asyncio.sleep(max(0.0, start + n / rate - time.perf_counter()))
        tasks.append(asyncio.create_task(one(request, n >= rate * warmup)))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    while not idle.empty():
        idle.get_nowait().writer.close()
    return answered, refused, elapsed


async def first_rings(fcm: str, alarms: set[int], *, wait: float) -> dict[int, float]:
    """When each alarm's first push reached the stand-in, once every one has or `wait`
    seconds have passed."""
    import httpx

    deadline = time.monotonic() + wait
    firsts: dict[int, float] = {}
    async with httpx.AsyncClient() as http:
        while True:
            firsts = {}
            for link, at in (await http.get(f"{fcm}/_arrivals")).json():
                if link.startswith(ALARM_LINK):
                    alarm = int(link.removeprefix(ALARM_LINK))
                    firsts[alarm] = min(at, firsts.get(alarm, at))
            if alarms <= firsts.keys() or time.monotonic() > deadline:
                return firsts
            await asyncio.sleep(0.1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()
    dispatch = _dispatch_run()
    presses = args.rate * (args.seconds + args.warmup)
    with ExitStack() as stack, dispatch.rig(stack) as bench:
        grid = bench.step(args.rate, args.seconds, args.warmup)
        os.environ.update(bench.env)
        elder_ids, elder_tokens, contact_tokens = in_database(lambda: seed(presses))
        prepare(bench.base, yimen(bench.env, "dev-token", "--phone", ADMIN_PHONE), contact_tokens)
        requests = [
            sos_request(bench.base, e, t) for e, t in zip(elder_ids, elder_tokens, strict=True)
        ]
        answered, refused, elapsed = asyncio.run(
            press(bench.base, requests, rate=args.rate, warmup=args.warmup)
        )
        firsts = asyncio.run(first_rings(bench.fcm, set(answered), wait=LAST_PUSH_WAIT))
    sos_ms = sorted((firsts[a] - t) * 1000 for a, t in answered.items() if a in firsts)
    begun = min(answered.values(), default=0.0)
    windows: dict[int, list[float]] = {}
    for alarm, at in answered.items():
        if alarm in firsts:
            windows.setdefault(int((at - begun) // WINDOW), []).append((firsts[alarm] - at) * 1000)
    window_p99s = [dispatch.p99(windows[n]) for n in sorted(windows)]
    lost = sum(1 for alarm in answered if alarm not in firsts)
    grid_p99 = grid.p99()
    sos_p99 = dispatch.p99(sos_ms)
    kept_up = grid.kept_up and elapsed <= args.seconds + args.warmup + 1
    report(
        "sos",
        {
            "sos_p99_ms": Figure(
                sos_p99 if sos_p99 is not None else LAST_PUSH_WAIT * 1000.0,
                "ms",
                "lower",
                grid_p99,
                (min(window_p99s), max(window_p99s)) if window_p99s else None,
            ),
            "sos_lost": Figure(lost, "alarms", "lower", 0),
            "sos_p99_to_dispatch_p99": Figure(
                round(sos_p99 / grid_p99, 3) if sos_p99 and grid_p99 else 0.0, "ratio", "lower", 1.0
            ),
        },
        {
            "rate": args.rate,
            "seconds": args.seconds,
            "contacts": CONTACTS,
            "alarms": len(answered),
            "refused": refused,
            "sos_p99_ms_by_window": window_p99s,
            "sos_p50_ms": round(statistics.median(sos_ms), 1) if sos_ms else None,
            "dispatch_p50_ms": (round(statistics.median(grid.all_ms), 1) if grid.all_ms else None),
            "dispatch_p99_ms": grid_p99,
            "dispatch_lost": grid.lost,
            "kept_up": kept_up,
        },
        void=None if kept_up and not refused else "the API did not answer the load on schedule",
    )


if __name__ == "__main__":
    main()
