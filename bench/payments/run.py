"""bench/payments: merchants collect by scanning payer codes (`POST .../collect/payer-code`)
on PostgreSQL, against pgbench's TPC-B-like transactions on the same server.

10,000 payers, each with a funded wallet and an enrolled phone, pay 128 merchants small
sums (1 to 50 yuan: no PIN is asked), every payment with a code its payer's phone shows for
a step the server takes throughout the round, and an Idempotency-Key of its own, as a till
sends. A code is good once, so the load takes each (payer, step) once over the whole run,
one payer after another, and the merchants' tokens come in turn: the payments at once are
of different payers and to different merchants. The load writes the prepared requests on
keep-alive sockets from this process (bench/burst.py) and waits for every answer, where wrk
would leave the last ones uncounted: each must be a 201 of a paid payment, or the run is
void (a refusal is much cheaper than a payment).

The baseline is the database's own: `pgbench -b tpcb-like` (an account's, a teller's and a
branch's balance updated, one read and a history row inserted, in one transaction) on a
scratch database of `pgbench -i -s 10` on the same server, with as many clients as the load
has connections. Rounds alternate the two, the server let go idle between them (its notices
of the payments made), after a warm-up and an ANALYZE; the figure is the median of the
rounds' payments/s ÷ transactions/s. Target: at least 0.5.

Each round also sends the same requests to `POST /bench/payment-floor` (`server.py`): the
round trips to the database a payment makes, each a `SELECT 1`, and nothing else.
`floor_to_pgbench` is the most `payments_to_pgbench` could reach on this machine while a
payment keeps to that many statements, and `payments_to_floor` how near the payment comes.

Once the server has stopped, the ledger is held to its invariants: its entries sum to
zero, every account's balance is the sum of its entries, no wallet is below zero, every
wallet holds its top-up less what it paid, and there is a payment row for every 201 the
load counted, each paid. `invariant_violations` counts the checks that failed: target 0.

PostgreSQL only: `DATABASE_URL` if given (a fresh one; pgbench's scratch database is made
beside it on the same server), else a database of its own on the local server, dropped at
the end (bench/stores.py).

    python bench/payments/run.py [--rounds 5] [--seconds 3] [--connections 32]
        [--payers 10000] [--merchants 128] [--scale 10]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlparse

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench"), str(HERE)]

import burst  # noqa: E402
import payers  # noqa: E402
import people  # noqa: E402
import stores  # noqa: E402
from common import (  # noqa: E402
    Figure,
    demo_environment,
    figure,
    in_database,
    pinned,
    report,
    server,
)

ROUTE = "/v1/miniapps/payment/collect/payer-code"
FLOOR = "/bench/payment-floor"
# Every till scans from the one loopback address, each faster than a real till: the scan
# limits are sized above the load, not lifted, so their cost stays in.
SCAN_LIMITS = {
    "YIMEN_RATE_SCANS_PER_USER": "1000000/m",
    "YIMEN_RATE_SCANS_PER_ADDRESS": "1000000/m",
}
ALLOWANCE = 15  # seconds a round's codes stay good beyond its load: its last answers
TARGET = 0.5  # payments/s ÷ pgbench's transactions/s
SETTLE_MOST = 30  # seconds to wait for the server's notices of a round's payments


class Round(NamedTuple):
    tps: float
    payments: burst.Burst
    floor: burst.Burst


def pgbench_env(url: str) -> dict[str, str]:
    """libpq's variables for the database `url` names: pgbench takes no URL of its own."""
    parts = urlparse(url)
    given = {
        "PGHOST": parts.hostname,
        "PGPORT": str(parts.port or 5432),
        "PGUSER": parts.username,
        "PGPASSWORD": parts.password,
        "PGDATABASE": parts.path.lstrip("/"),
    }
    return {**os.environ, **{name: value for name, value in given.items() if value}}


def pgbench_init(url: str, scale: int) -> None:
    if shutil.which("pgbench") is None:
        raise SystemExit("pgbench is needed: Debian ships it with the server (postgresql)")
    subprocess.run(
        ["pgbench", "-i", "-q", "-s", str(scale)],
        env=pgbench_env(url),
        check=True,
        capture_output=True,
    )


def pgbench(url: str, *, seconds: int, clients: int) -> float:
    """Transactions/s of pgbench's TPC-B-like script, as the load runs: on the load's core."""
    out = subprocess.run(
        [*pinned(1), "pgbench", "-b", "tpcb-like", f"-c{clients}", "-j2", f"-T{seconds}"],
        env=pgbench_env(url),
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", out)
    failed = re.search(r"number of failed transactions: (\d+)", out)
    if tps is None:
        raise SystemExit(f"cannot read pgbench's output:\n{out}")
    if failed is not None and int(failed.group(1)):
        raise SystemExit(f"pgbench's transactions failed:\n{out}")
    return float(tps.group(1))


def payment_requests(
    base: str,
    codes: Iterator[tuple[payers.Phone, str]],
    tokens: Sequence[str],
    serial: Iterator[int],
    route: str = ROUTE,
) -> Iterator[bytes]:
    """Each code as a merchant's request, the merchants in turn, 1 to 50 yuan each."""
    for (_, code), token in zip(codes, itertools.cycle(tokens), strict=False):
        n = next(serial)
        body = json.dumps({"code": code, "amount_fen": 100 + n * 7919 % 4_901}).encode()
        headers = {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Idempotency-Key": f"bench-pay-{n}",
        }
        yield burst.request(base, "POST", route, headers, body)


def pay(
    base: str, codes: payers.Codes, tokens: Sequence[str], serial: Iterator[int], **load: Any
) -> burst.Burst:
    requests = payment_requests(base, codes.for_round(load["seconds"] + ALLOWANCE), tokens, serial)
    paid = burst.run(lambda: burst.send(base, requests, **load))
    if codes.ran_out:
        raise SystemExit("payments: the payers' codes ran out within a round; raise --payers")
    return paid


def floor(base: str, tokens: Sequence[str], **load: Any) -> burst.Burst:
    """The same requests to the floor route (`server.py`): the round trips, nothing else."""
    phones = itertools.cycle([payers.Phone(0, "0" * 12, bytes(32))])
    codes = ((phone, "1" * 18) for phone in phones)
    requests = payment_requests(base, codes, tokens, itertools.count(), route=FLOOR)
    return burst.run(lambda: burst.send(base, requests, **load))


async def settle() -> float:
    """Wait until every event of the payments is delivered (at most SETTLE_MOST s), so that
    the next measurement finds the server idle; the seconds that took."""
    from backend.kernel.db import fetch_rows

    started = time.perf_counter()
    while time.perf_counter() - started < SETTLE_MOST:
        rows = await fetch_rows(
            "SELECT count(*) AS n FROM event_outbox WHERE dispatched_at IS NULL"
        )
        if not rows[0]["n"]:
            break
        await asyncio.sleep(0.2)
    return time.perf_counter() - started


async def analyze() -> None:
    """ANALYZE, as autovacuum does once enough rows have come: the tables the payments write
    start empty, and a plan the server made for an empty table (a sequential scan of it,
    kept by its prepared statement) would be read on every payment as the table grows,
    where a city's tables, never small, are read by their indexes."""
    from backend.kernel.db import fetch_rows

    await fetch_rows("ANALYZE")


async def last_payment() -> int:
    from backend.kernel.db import fetch_rows

    rows = await fetch_rows("SELECT COALESCE(MAX(id), 0) AS last FROM payment_payment")
    return int(rows[0]["last"])


async def invariants(after_payment: int) -> dict[str, int]:
    """What the ledger and the payments since `after_payment` hold, each to be checked."""
    from backend.kernel.db import fetch_rows
    from miniapps.payment.ledger import ledger_total, mismatched_accounts

    async def count(sql: str, *args: object) -> int:
        return int((await fetch_rows(sql, *args))[0]["n"])

    return {
        "ledger_total_fen": await ledger_total(),
        "mismatched_accounts": len(await mismatched_accounts()),
        "accounts_below_zero": await count(
            "SELECT count(*) AS n FROM payment_account WHERE NOT overdraw AND balance < 0"
        ),
        "wallets_not_top_up_less_paid": await count(
            "WITH topped AS (SELECT e.account_id, SUM(e.amount) AS fen FROM payment_entry e"
            " JOIN payment_transfer t ON t.id = e.transfer_id WHERE t.kind = 'top_up'"
            " GROUP BY e.account_id),"
            " paid AS (SELECT 'wallet:' || CAST(payer_id AS TEXT) AS holder,"
            " SUM(amount - subsidy) AS fen FROM payment_payment"
            " WHERE status = 'paid' GROUP BY payer_id)"
            " SELECT count(*) AS n FROM payment_account a"
            " LEFT JOIN topped ON topped.account_id = a.id"
            " LEFT JOIN paid ON paid.holder = a.holder WHERE a.holder LIKE 'wallet:%'"
            " AND a.balance <> COALESCE(topped.fen, 0) - COALESCE(paid.fen, 0)"
        ),
        "payments": await count(
            "SELECT count(*) AS n FROM payment_payment WHERE id > $1", after_payment
        ),
        "payments_not_paid": await count(
            "SELECT count(*) AS n FROM payment_payment WHERE id > $1 AND status <> 'paid'",
            after_payment,
        ),
    }


def violations(held: dict[str, int], created: int) -> list[str]:
    """The invariants `held` breaks, given the 201s the load counted."""
    broken = [
        name
        for name in (
            "ledger_total_fen",
            "mismatched_accounts",
            "accounts_below_zero",
            "wallets_not_top_up_less_paid",
            "payments_not_paid",
        )
        if held[name]
    ]
    if held["payments"] != created:
        broken.append(f"payments ({held['payments']}) != 201 answers ({created})")
    return broken


def refusals(answers: Sequence[burst.Answer]) -> Counter[str]:
    """The answers that were no payment made and paid, by status and problem code."""
    found: Counter[str] = Counter()
    for answer in answers:
        body = json.loads(answer.body) if answer.body else {}
        if answer.status != 201 or body.get("status") != "paid":
            found[f"{answer.status} {body.get('code') or body.get('status')}"] += 1
    return found


def void_because(refused: Counter[str], rounds: Sequence[Round]) -> str | None:
    """Why the run measured something else than it claims, if it did: a refusal is much
    cheaper than a payment, and a floor that failed did less than its round trips."""
    floor_failed = sum(1 for r in rounds for a in r.floor.answers if a.status != 201)
    if refused:
        return f"{sum(refused.values())} answers were no paid payment: {dict(refused)}"
    if floor_failed:
        return f"{floor_failed} answers of the floor route were no 201"
    return None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--payers", type=int, default=10_000)
    parser.add_argument("--merchants", type=int, default=128)
    parser.add_argument("--scale", type=int, default=10, help="pgbench -i's scale")
    args = parser.parse_args()
    burst.pin_load()
    with contextlib.ExitStack() as stack:
        os.environ["DATABASE_URL"] = stack.enter_context(stores.database_url())
        scratch = stores.scratch_database(os.environ["DATABASE_URL"], "yimen_bench_pgbench")
        run(args, stack.enter_context(scratch))


def run(args: argparse.Namespace, pgbench_url: str) -> None:
    env = {**demo_environment(), **SCAN_LIMITS}
    os.environ.update(env)
    started = time.perf_counter()
    pgbench_init(pgbench_url, args.scale)
    pgbench_init_s = time.perf_counter() - started

    async def seeded() -> tuple[list[payers.Phone], list[str], int]:
        phones, merchants = await payers.seed(args.payers, args.merchants)
        return phones, await people.access_tokens(merchants), await last_payment()

    started = time.perf_counter()
    phones, tokens, before = in_database(seeded)
    seed_s = time.perf_counter() - started
    codes, serial = payers.Codes(phones), itertools.count()
    load = {"connections": args.connections}
    rounds: list[Round] = []
    settled: list[float] = []
    with server(HERE / "server.py", env) as base:
        warm = pay(base, codes, tokens, serial, **load, seconds=1)
        settled.append(in_database(settle))
        in_database(analyze)
        pgbench(pgbench_url, seconds=1, clients=args.connections)
        for _ in range(args.rounds):
            tps = pgbench(pgbench_url, seconds=args.seconds, clients=args.connections)
            paid = pay(base, codes, tokens, serial, **load, seconds=args.seconds)
            settled.append(in_database(settle))
            rounds.append(Round(tps, paid, floor(base, tokens, **load, seconds=args.seconds)))
    # The server has stopped: every payment it answered is written.
    answers = warm.answers + [a for r in rounds for a in r.payments.answers]
    refused = refusals(answers)
    created = sum(1 for a in answers if a.status == 201)
    held = in_database(lambda: invariants(before))
    broken = violations(held, created)
    report(
        "payments",
        {
            "payments_to_pgbench": figure(
                [r.payments.rate() / r.tps for r in rounds],
                unit="ratio",
                better="higher",
                target=TARGET,
            ),
            "floor_to_pgbench": figure(
                [r.floor.rate() / r.tps for r in rounds], unit="ratio", better="higher"
            ),
            "payments_to_floor": figure(
                [r.payments.rate() / r.floor.rate() for r in rounds], unit="ratio", better="higher"
            ),
            "invariant_violations": Figure(len(broken), "checks", "lower", target=0),
        },
        {
            "rounds": [
                {
                    "pgbench_tps": round(r.tps),
                    "payments_per_s": round(r.payments.rate()),
                    "floor_per_s": round(r.floor.rate()),
                    "payments": len(r.payments.answers),
                    "p50_ms": round(r.payments.percentile_ms(50), 1),
                    "p99_ms": round(r.payments.percentile_ms(99), 1),
                }
                for r in rounds
            ],
            "connections": args.connections,
            "payers": len(phones),
            "merchants": len(tokens),
            "codes_taken": codes.used(),
            "answers": dict(Counter(str(a.status) for a in answers)),
            "invariants": held,
            "violations": broken,
            "settled_after_s": [round(s, 1) for s in settled],
            "seeded_in_s": round(seed_s, 1),
            "pgbench": {"scale": args.scale, "init_s": round(pgbench_init_s, 1), "threads": 2},
        },
        void=void_because(refused, rounds),
    )


if __name__ == "__main__":
    main()
