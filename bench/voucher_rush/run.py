"""bench/voucher_rush: 2,000 residents claim a campaign of 1,000 consumption vouchers at
once (`POST .../voucher-campaigns/{id}/claims`), against the hello-world route.

Each round a platform admin opens a new campaign through the API (one tier of 1,000
vouchers, for residents of zz/gx, where all 2,000 live), and every resident's claim is
sent at once, in a shuffled order, on 64 keep-alive connections: first come, first served,
so 1,000 are issued and the other 1,000 find the vouchers gone. The load writes the
prepared requests from this process (bench/burst.py) and times each from its request
written to its answer read. Figures: claims answered per second over the whole rush
(`claims_per_s`, every claim until the last answer), and as a ratio to the hello-world
route's requests/s measured by wrk at the same connections just before it
(`claims_to_hello`); the 99th percentile of a claim's time (`claim_p99_ms`); the vouchers
each campaign issued (`issued_per_campaign`); each the median over the rounds, their lowest
and highest the spread. The rounds follow a smaller rush that is not counted, and an
ANALYZE.

The run is void unless, once the server has stopped, every campaign shows exactly its
1,000 issued (its tier's count and its voucher rows), one to each of 1,000 residents, a
voucher for every 201 the load counted, and every other answer was `vouchers_gone`: the
claim's conditional update holds the tier's row lock until the voucher is written, and
these are what it promises however many claim at once.

On PostgreSQL, as a city's claims are: `DATABASE_URL` if given (a fresh one), else a
database of its own on the local server, dropped at the end (bench/stores.py).
`--engine embedded` measures the demo's SQLite file instead.

    python bench/voucher_rush/run.py [--rounds 5] [--residents 2000] [--vouchers 1000]
        [--connections 64] [--seconds 2] [--engine postgresql|embedded]
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import http.client
import json
import os
import random
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlparse

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import burst  # noqa: E402
import people  # noqa: E402
import stores  # noqa: E402
from common import demo_environment, figure, in_database, report, server, wrk, yimen  # noqa: E402

APP = "/v1/miniapps/payment"
HOME = "zz/gx/fengyang/c03/g07"
DISTRICT = "zz/gx"


class Rush(NamedTuple):
    """One round: the hello-world route's rate, the campaign, and its claims' answers."""

    hello: float
    campaign: int
    claims: burst.Burst


def call(base: str, path: str, token: str, body: dict[str, Any], key: str) -> dict[str, Any]:
    """One POST as the app's admin console makes it; anything but a 2xx stops the run."""
    url = urlparse(base)
    connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=30)
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "Idempotency-Key": key,
    }
    try:
        connection.request("POST", path, json.dumps(body), headers)
        answer = connection.getresponse()
        text = answer.read().decode()
    finally:
        connection.close()
    if not 200 <= answer.status < 300:
        raise SystemExit(f"voucher_rush: POST {path} answered {answer.status}: {text}")
    found: dict[str, Any] = json.loads(text)
    return found


def open_campaign(base: str, admin: str, vouchers: int, n: int) -> tuple[int, int]:
    """A campaign opened through the API, its claims open now: its id and its tier's."""
    now = dt.datetime.now(dt.UTC)
    plan = {
        "name": f"高新区消费券第{n}期",
        "tiers": [{"face_value_fen": 2_000, "min_spend_fen": 10_000, "count": vouchers}],
        "districts": [DISTRICT],
        "merchant_categories": ["catering", "retail"],
        "claim_opens_at": (now - dt.timedelta(minutes=1)).isoformat(),
        "claim_closes_at": (now + dt.timedelta(days=1)).isoformat(),
        "spend_until": (now + dt.timedelta(days=7)).isoformat(),
    }
    opened = call(base, f"{APP}/voucher-campaigns", admin, plan, f"bench-campaign-{n}")
    return int(opened["id"]), int(opened["tiers"][0]["id"])


def claims(base: str, campaign: int, tier: int, tokens: Sequence[str]) -> list[bytes]:
    body = json.dumps({"tier_id": tier}).encode()
    path = f"{APP}/voucher-campaigns/{campaign}/claims"
    headers = [{"Authorization": f"Bearer {t}", "Content-Type": "application/json"} for t in tokens]
    return [burst.request(base, "POST", path, h, body) for h in headers]


def rush(base: str, admin: str, tokens: list[str], n: int, args: argparse.Namespace) -> Rush:
    hello = wrk(base + "/bench/hello", seconds=args.seconds, connections=args.connections)
    campaign, tier = open_campaign(base, admin, args.vouchers, n)
    random.shuffle(tokens)  # whoever comes first
    prepared = claims(base, campaign, tier, tokens)
    answered = burst.run(lambda: burst.send(base, prepared, connections=args.connections))
    return Rush(hello, campaign, answered)


async def analyze() -> None:
    """ANALYZE, as autovacuum does once enough rows have come: the voucher tables start
    empty, and a plan the server made for an empty table (a sequential scan, kept by its
    prepared statement) would be read on every claim as the table grows."""
    from backend.kernel.db import fetch_rows

    await fetch_rows("ANALYZE")


async def issued(campaign: int) -> dict[str, int]:
    """What the database holds of a campaign: its tier's count of vouchers issued, its
    voucher rows, and the residents holding them."""
    from backend.kernel.db import fetch_rows

    tier = await fetch_rows(
        "SELECT SUM(issued) AS n FROM payment_voucher_tier WHERE campaign_id = $1", campaign
    )
    rows = await fetch_rows(
        "SELECT count(*) AS n, count(DISTINCT user_id) AS holders FROM payment_voucher"
        " WHERE campaign_id = $1",
        campaign,
    )
    return {
        "tier_issued": int(tier[0]["n"] or 0),
        "vouchers": int(rows[0]["n"]),
        "holders": int(rows[0]["holders"]),
    }


def answers_of(claims: burst.Burst) -> Counter[str]:
    """The claims' answers by status and, for a refusal, its problem code."""
    found: Counter[str] = Counter()
    for answer in claims.answers:
        code = json.loads(answer.body).get("code") if answer.status != 201 else None
        found[f"{answer.status} {code}" if code else str(answer.status)] += 1
    return found


def broken(rushes: Sequence[Rush], held: Sequence[dict[str, int]], vouchers: int) -> str | None:
    """Why a rush did not issue exactly its vouchers, one each, if one did not."""
    for n, (one, found) in enumerate(zip(rushes, held, strict=True)):
        answers = answers_of(one.claims)
        wrong = {k: v for k, v in answers.items() if k not in ("201", "409 vouchers_gone")}
        if wrong:
            return f"round {n}: claims answered other than 201 or vouchers_gone: {wrong}"
        if not (answers["201"] == found["vouchers"] == found["tier_issued"] == vouchers):
            return f"round {n}: {answers['201']} claims answered 201 of {vouchers}: {found}"
        if found["holders"] != found["vouchers"]:
            return f"round {n}: {found['vouchers']} vouchers held by {found['holders']}"
    return None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--residents", type=int, default=2_000)
    parser.add_argument("--vouchers", type=int, default=1_000)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--seconds", type=int, default=2, help="of each hello-world round")
    stores.engine_option(parser)
    args = parser.parse_args()
    burst.pin_load()
    with stores.engine(args.engine):
        run(args)


def run(args: argparse.Namespace) -> None:
    env = demo_environment()
    os.environ.update(env)

    async def residents() -> list[str]:
        return await people.access_tokens(await people.accounts("rush", args.residents, HOME))

    tokens = in_database(residents)
    admin = yimen(env, "dev-token", "--role", "platform_admin")
    rushes: list[Rush] = []
    with server(ROOT / "bench" / "hello_server.py", env) as base:
        # Not counted: connections, prepared statements and caches filling.
        warm = argparse.Namespace(**{**vars(args), "vouchers": max(args.vouchers // 10, 1)})
        warm_rush = rush(base, admin, tokens[: args.residents // 10], 0, warm)
        in_database(analyze)
        for n in range(1, args.rounds + 1):
            rushes.append(rush(base, admin, tokens, n, args))
    # The server has stopped: every claim it answered is written.
    held = [in_database(functools.partial(issued, r.campaign)) for r in (warm_rush, *rushes)]
    report(
        "voucher_rush",
        {
            "claims_to_hello": figure(
                [r.claims.rate() / r.hello for r in rushes], unit="ratio", better="higher"
            ),
            "claims_per_s": figure(
                [r.claims.rate() for r in rushes], unit="per s", better="higher", digits=0
            ),
            "claim_p99_ms": figure(
                [r.claims.percentile_ms(99) for r in rushes], unit="ms", better="lower", digits=1
            ),
            # Exactly the count, or the run is void; past it is the failure a rush risks.
            "issued_per_campaign": figure(
                [found["vouchers"] for found in held[1:]],
                unit="vouchers",
                better="lower",
                target=args.vouchers,
                digits=0,
            ),
        },
        {
            "engine": args.engine,
            "residents": args.residents,
            "vouchers": args.vouchers,
            "connections": args.connections,
            "rounds": [
                {
                    "hello_rps": round(r.hello),
                    "claims_per_s": round(r.claims.rate()),
                    "rush_s": round(r.claims.seconds, 2),
                    "p50_ms": round(r.claims.percentile_ms(50), 1),
                    "p99_ms": round(r.claims.percentile_ms(99), 1),
                    "answers": dict(answers_of(r.claims)),
                    "issued": found,
                }
                for r, found in zip(rushes, held[1:], strict=True)
            ],
        },
        void=broken([warm_rush], held[:1], warm.vouchers)
        or broken(rushes, held[1:], args.vouchers),
    )


if __name__ == "__main__":
    main()
