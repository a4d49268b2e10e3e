"""bench/gov_services: the service engine in one run, on one server (one worker process),
against baselines measured on that server in the same run.

- submit: `POST .../applications/{id}/submit` of a valid 居住证申领, every request a draft
  of its own (8 answers, two of them filled in from the id card; the id card and the
  property certificate given as licences with consent: the smallest valid application),
  each with its If-Match. Requests/s ÷ the hello-world route's, the median over rounds
  that alternate the two. Once the server has stopped, the drafts must show every submit
  wrk counted as a submitted application (status, 办件编号, one history row), or the run
  fails: a refusal is much cheaper than a submit and would flatter the figure.
- worklist: `GET .../work`, the first page, as the service officer of the district zz/gx
  with 100,000 open cases over 10 districts of 5 streets (10,000 in zz/gx): p95 ÷ the p95
  of `GET .../items/{id}/versions/{version}` (one row read by its primary key) at the
  same concurrency, the median over rounds that alternate the two.
- deadlines: due dates computed per second over 10,000 cases, in this process.

It needs a database with no applications yet: the embedded SQLite default (a new file), or
a fresh PostgreSQL database in DATABASE_URL (`scripts/services.py fresh-database URL`).

    python bench/gov_services/run.py [--rounds 7] [--seconds 2] [--connections 32]
        [--latency-connections 4] [--cases 100000]
"""

from __future__ import annotations

import argparse
import functools
import math
import os
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench"), str(HERE)]

import caseload  # noqa: E402
import deadlines  # noqa: E402
import drafts  # noqa: E402
from common import (  # noqa: E402
    SIZES,
    demo_environment,
    figure,
    in_database,
    report,
    server,
    wrk,
    wrk_latency,
    wrk_load,
    yimen,
)

WORK = f"{drafts.APP}/work"
MIN_DRAFTS = 1_000  # for each round of submits at least
# Open cases by size: as many as a city of a million has residents at the large setting.
CASES = dict(zip(SIZES, (100_000, 1_000_000), strict=True))
SUBMIT_TARGET, WORKLIST_TARGET = 0.2, 3


async def applications() -> int:
    from backend.kernel.db import fetch_rows

    rows = await fetch_rows("SELECT count(*) AS n FROM gov_services_application")
    return int(rows[0]["n"])


def submit_rounds(
    base: str, template: drafts.Template, token: str, args: argparse.Namespace
) -> tuple[list[tuple[float, float]], int, list[int], list[float]]:
    """Each round's requests/s (hello, submit), the submits wrk counted in them, the
    drafts they were given (the warm-up's apart) and the seconds after each round until
    the server was idle again."""
    load = {"seconds": args.seconds, "connections": args.connections}
    # No submit is quicker than the hello-world route: its rate bounds the warm-up's.
    hello = wrk(base + "/bench/hello", seconds=1, connections=args.connections)
    warm_drafts = max(MIN_DRAFTS, math.ceil(hello)) + 2 * args.connections
    warming = in_database(lambda: drafts.copy_drafts(template.id, warm_drafts))
    script = drafts.submit_script(warming, template.version, token)
    warm = wrk_load(base + "/", seconds=1, connections=args.connections, script=script)
    in_database(lambda: drafts.settle(warming))
    fastest = warm.requests_per_second
    rounds, counted, given, settling = [], 0, [], []
    for _ in range(args.rounds):
        # Three times the fastest rate yet, and the connections' last sends: a round that
        # ran out would submit a draft twice, and fail on the 409.
        needed = max(MIN_DRAFTS, math.ceil(3 * fastest * args.seconds)) + 2 * args.connections
        share = in_database(functools.partial(drafts.copy_drafts, template.id, needed))
        hello = wrk(base + "/bench/hello", **load)
        script = drafts.submit_script(share, template.version, token)
        submits = wrk_load(base + "/", **load, script=script)
        if submits.requests >= len(share):
            raise SystemExit(
                f"gov_services: a round made {submits.requests} submits of {len(share)} drafts"
            )
        fastest = max(fastest, submits.requests_per_second)
        counted += submits.requests
        given += share
        settling.append(in_database(functools.partial(drafts.settle, share)))
        rounds.append((hello, submits.requests_per_second))
    return rounds, counted, given, settling


def latency_rounds(
    base: str, officer: str, single_row: str, args: argparse.Namespace
) -> list[tuple[Any, Any]]:
    """Each round's (worklist, single-row read) latencies."""
    auth = {"Authorization": f"Bearer {officer}"}
    load = {"seconds": args.seconds, "connections": args.latency_connections, "headers": auth}
    for path in (WORK, single_row):
        wrk_latency(base + path, **{**load, "seconds": 1})
    return [
        (wrk_latency(base + WORK, **load), wrk_latency(base + single_row, **load))
        for _ in range(args.rounds)
    ]


def first_page(base: str, officer: str) -> dict[str, Any]:
    """The worklist's first page as the load reads it: full, of the officer's district, in
    due order."""
    page = drafts.call(base, "GET", WORK, officer)
    items = page["items"]
    due = [item["due_at"] for item in items]
    orgs = [item["assignee_org"] for item in items]
    if len(items) != 20 or None in due or due != sorted(due):
        raise SystemExit(f"gov_services: the worklist's first page is not as expected: {page}")
    if not all(org == "zz/gx" or org.startswith("zz/gx/") for org in orgs):
        raise SystemExit("gov_services: the worklist shows cases outside the officer's district")
    return {"items": len(items), "next_cursor": page["next_cursor"] is not None}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seconds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--latency-connections", type=int, default=4)
    parser.add_argument("--size", choices=SIZES, default="small")
    parser.add_argument("--cases", type=int, help="open cases (default: by --size)")
    args = parser.parse_args()
    args.cases = args.cases or CASES[args.size]
    load_before = os.getloadavg()
    env = demo_environment()
    os.environ.update(env)
    if in_database(applications):
        raise SystemExit("gov_services: needs a database with no applications yet")
    # In this process, before the server runs.
    rates = in_database(lambda: deadlines.deadline_rates(5))
    seeded = in_database(lambda: caseload.seed_cases(args.cases))
    item_id, version_id = in_database(caseload.published_version)
    single_row = f"{drafts.APP}/items/{item_id}/versions/{version_id}"
    resident = yimen(env, "dev-token", "--phone", drafts.RESIDENT)
    officer = yimen(env, "dev-token", "--phone", caseload.OFFICER)
    with server(ROOT / "bench" / "hello_server.py", env) as base:
        template = drafts.make_template(base, resident)
        page = first_page(base, officer)
        submits, counted, given, settling = submit_rounds(base, template, resident, args)
        latencies = latency_rounds(base, officer, single_row, args)
    # The server has stopped: every submit it answered is in the database.
    outcome = in_database(lambda: drafts.submitted_of(given))
    ratio = {"unit": "ratio", "digits": 3}
    report(
        "gov_services",
        {
            "submit_to_hello": figure(
                [s / h for h, s in submits], **ratio, better="higher", target=SUBMIT_TARGET
            ),
            "worklist_p95_to_single_row": figure(
                [w.p95 / r.p95 for w, r in latencies],
                **ratio,
                better="lower",
                target=WORKLIST_TARGET,
            ),
            **{
                f"deadlines_{name}_per_s": figure(values, unit="per s", better="higher", digits=0)
                for name, values in rates.pop("rounds").items()
            },
        },
        {
            "database": "postgresql" if env.get("DATABASE_URL") else "sqlite",
            "load_average": {"before": load_before, "after": os.getloadavg()},
            "submit": {
                "rounds_rps": [{"hello": round(h), "submit": round(s)} for h, s in submits],
                "answers": len(template.answers),
                "materials": sorted(drafts.LICENCES),
                "counted_2xx": counted,
                "settled_after_s": [round(seconds, 1) for seconds in settling],
                **outcome._asdict(),
            },
            "worklist": {
                "rounds_p95_ms": [
                    {"worklist": round(w.p95, 2), "single_row": round(r.p95, 2)}
                    for w, r in latencies
                ],
                "rounds_p50_ms": [
                    {"worklist": round(w.p50, 2), "single_row": round(r.p50, 2)}
                    for w, r in latencies
                ],
                "single_row_route": f"GET {drafts.APP}/items/{{item}}/versions/{{version}}",
                "connections": args.latency_connections,
                "open_cases": seeded.cases,
                "in_officer_district": seeded.in_officer_district,
                "due_soon_or_overdue": seeded.watched,
                "seeded_in_s": seeded.seconds,
                "first_page": page,
            },
            "deadlines": rates,
        },
        void=(
            f"wrk counted {counted} submits, the drafts show {outcome.with_history} submitted"
            if outcome.with_history < counted or outcome.with_history != outcome.submitted
            else None
        ),
    )


if __name__ == "__main__":
    main()
