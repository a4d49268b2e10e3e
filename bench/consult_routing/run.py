"""bench/consult_routing: residents ask legal questions (法律咨询) at once in a district
with lawyers on duty, against the hello-world route on the same server in the same run.

100 residents of zz/gx (wrk's 100 connections, each question from the next resident), 50
lawyers listed at the district's centre and on duty for the whole run, each knowing two of
the eight categories (every category known by a dozen or so), the questions cycling
through the categories. Each ask routes its question in its own transaction, one of the
district at a time (`miniapps/legal_aid/routing.py`), and opens it.

- routed_ratio_to_hello: questions routed per second ÷ the hello-world route's requests
  per second, the median over rounds that alternate the two. Once the server has stopped,
  the questions must be at least as many as wrk counted (those in flight when it stopped
  are opened after) and each routed to a lawyer, or the run is void.
- load_spread: the most open questions a lawyer holds ÷ the fewest, after every round:
  1.0 is a perfect spread.

It needs a database with no consultations: the embedded SQLite default (a new file), or a
fresh PostgreSQL database in DATABASE_URL (`scripts/services.py fresh-database URL`).

    python bench/consult_routing/run.py [--rounds 5] [--seconds 2] [--connections 100]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import people  # noqa: E402
from common import demo_environment, figure, in_database, report, server, wrk, wrk_load  # noqa: E402

ASK = "/v1/miniapps/legal_aid/consultations"
DISTRICT, HOME = "zz/gx", "zz/gx/fengyang/c03/g07"
CATEGORIES = (
    "family",
    "labour",
    "contract",
    "property",
    "traffic",
    "criminal",
    "administrative",
    "other",
)
LAWYERS = 50
RATIO_TARGET, SPREAD_TARGET = 0.005, 1.25
QUESTION = "公司拖欠工资三个月了,应该怎么办?"


async def seed(residents: int) -> list[str]:
    """The district's centre and its lawyers on duty; the residents' access tokens."""
    from backend.kernel.db import fetch_rows

    asking = await people.accounts("consult-resident", residents, HOME)
    lawyers = await people.accounts("consult-lawyer", LAWYERS, DISTRICT)
    await people.give_role(lawyers, "lawyer", DISTRICT)
    now = dt.datetime.now(dt.UTC)
    [centre] = await fetch_rows(
        "INSERT INTO legal_aid_station (name, kind, org_path, district, created_by, created_at)"
        " VALUES ($1, $2, $3, $3, 0, $4) RETURNING id",
        "高新区法律援助中心",
        "centre",
        DISTRICT,
        now,
    )
    for n, user_id in enumerate(lawyers):
        knows = sorted({CATEGORIES[n % 8], CATEGORIES[(n * 3 + 1) % 8]})
        [lawyer] = await fetch_rows(
            "INSERT INTO legal_aid_lawyer (user_id, station_id, district, specialities,"
            " open_count, listed_by, listed_at) VALUES ($1, $2, $3, $4, 0, 0, $5) RETURNING id",
            user_id,
            centre["id"],
            DISTRICT,
            ",".join(knows),
            now,
        )
        await fetch_rows(
            "INSERT INTO legal_aid_shift (lawyer_id, district, starts_at, ends_at, set_by)"
            " VALUES ($1, $2, $3, $4, 0)",
            lawyer["id"],
            DISTRICT,
            now - dt.timedelta(hours=1),
            now + dt.timedelta(hours=6),
        )
    return await people.access_tokens(asking)


async def outcome() -> tuple[int, int, list[int]]:
    """Questions asked, those routed to a lawyer, and each lawyer's open questions."""
    from backend.kernel.db import fetch_rows

    asked = await fetch_rows(
        "SELECT count(*) AS n, count(lawyer_id) AS routed FROM legal_aid_consultation"
    )
    # The bench's lawyers, listed by nobody (the demo city's own lawyer is off duty).
    loads = await fetch_rows(
        "SELECT open_count FROM legal_aid_lawyer WHERE listed_by = 0 ORDER BY id"
    )
    return int(asked[0]["n"]), int(asked[0]["routed"]), [int(r["open_count"]) for r in loads]


def ask_script(tokens: list[str]) -> Path:
    """wrk's requests: each the next resident's, about the next category."""
    script = Path(tempfile.mkdtemp(prefix="yimen-bench-")) / "ask.lua"
    bodies = [json.dumps({"category": c, "question": QUESTION}) for c in CATEGORIES]
    script.write_text(
        f"local tokens = {{{', '.join(json.dumps(t) for t in tokens)}}}\n"
        f"local bodies = {{{', '.join(json.dumps(b, ensure_ascii=False) for b in bodies)}}}\n"
        "local i = 0\n"
        "request = function()\n"
        "  i = i + 1\n"
        "  local headers = {['Authorization'] = 'Bearer ' .. tokens[(i % #tokens) + 1],\n"
        "                   ['Content-Type'] = 'application/json'}\n"
        f"  return wrk.format('POST', '{ASK}', headers, bodies[(i % #bodies) + 1])\n"
        "end\n",
        encoding="utf-8",
    )
    return script


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=100)
    args = parser.parse_args()
    env = demo_environment()
    os.environ.update(env)
    script = ask_script(in_database(lambda: seed(args.connections)))
    load = {"seconds": args.seconds, "connections": args.connections}
    rounds, asked_by_wrk, spreads = [], 0, []
    with server(HERE.parent / "hello_server.py", env) as base:
        wrk(base + "/bench/hello", seconds=1, connections=args.connections)
        asked_by_wrk += wrk_load(
            base + "/", seconds=1, connections=args.connections, script=script
        ).requests
        for _ in range(args.rounds):
            hello = wrk(base + "/bench/hello", **load)
            asks = wrk_load(base + "/", **load, script=script)
            asked_by_wrk += asks.requests
            rounds.append((hello, asks.requests_per_second))
            loads = in_database(outcome)[2]
            spreads.append(max(loads) / max(1, min(loads)))
    asked, routed, loads = in_database(outcome)
    void = None
    # wrk stops counting with questions in flight: those are opened after it, not lost.
    if asked < asked_by_wrk or routed != asked:
        void = f"wrk counted {asked_by_wrk} questions; {asked} were opened, {routed} routed"
    report(
        "consult_routing",
        {
            "routed_ratio_to_hello": figure(
                [ask / hello for hello, ask in rounds],
                unit="ratio",
                better="higher",
                target=RATIO_TARGET,
            ),
            "load_spread": figure(spreads, unit="ratio", better="lower", target=SPREAD_TARGET),
        },
        {
            "rounds_rps": [{"hello": round(h), "ask": round(a)} for h, a in rounds],
            "questions": asked,
            "lawyers": LAWYERS,
            "open_per_lawyer": {"min": min(loads), "max": max(loads)},
        },
        void=void,
    )


if __name__ == "__main__":
    main()
