"""bench/health_scan: POST /v1/miniapps/health_code/scans under load, against hello-world.

Twenty residents with enrolled phones show 50,000 distinct codes; each round scans its own
share, so every scan checks its phone's proof and is logged, none is a replay. The load is
wrk on loopback, in a second process. Rounds alternate the routes, and the figure is the
median of the rounds' ratios: this machine's speed drifts within a run.

A second baseline, `POST /bench/proof`, decodes the same bodies and checks each code with
the offline verifier and does nothing else: its ratio is the ceiling for a scan route that
verifies the phone's P-256 proof on every scan.

    python bench/health_scan/run.py [--rounds 7] [--seconds 2] [--connections 32]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from common import demo_environment, server, wrk, wrk_load, yimen  # noqa: E402

T = TypeVar("T")

RESIDENTS = 20
PROOFS_EACH = 2500


async def make_codes() -> list[str]:
    from auth.keys import KeyRing
    from backend.db import close_database, current_engine, open_database
    from backend.settings import get_settings
    from backend.users.service import account_for_phone, set_home
    from backend.vault import vault_for
    from miniapps.health_code.service import enrol_phone, issue_code
    from tests.miniapps.health_code.phone import Phone

    settings = get_settings()
    vault = vault_for(settings.secret)
    await open_database(current_engine())
    keys = KeyRing(settings, vault)
    await keys.load()
    codes = []
    now = time.time()
    for n in range(RESIDENTS):
        user = await account_for_phone(phone=f"1390000{n:04d}", vault=vault, name=f"居民{n}")
        await set_home(user_id=user, home_path="zz/gx/fengyang/c03/g07")
        phone = Phone()
        await enrol_phone(user_id=user, public_key=phone.public_key, vault=vault)
        credential = (await issue_code(user_id=user, keys=keys)).credential
        # ECDSA signatures are randomised: every proof, even for one second, is a new code.
        # Signed 20-50 s ahead, they all stay fresh for the whole run.
        codes += [phone.show(credential, at=now + 20 + k * 0.012) for k in range(PROOFS_EACH)]
    await close_database(current_engine())
    return codes


def in_database(work: Callable[[], Awaitable[T]]) -> T:
    async def opened() -> T:
        from backend.db import close_database, current_engine, open_database

        await open_database(current_engine())
        try:
            return await work()
        finally:
            await close_database(current_engine())

    return asyncio.run(opened())


async def last_scan_id() -> int:
    from piccolo.query.functions.aggregate import Max

    from miniapps.health_code.tables import Scan

    row = await Scan.select(Max(Scan.id, alias="last")).first()
    return int(row["last"] or 0) if row else 0


async def verdicts_after(scan_id: int) -> dict[str, int]:
    """How the scan log answered the scans logged after `scan_id`, by reason ("valid")."""
    from piccolo.query.functions.aggregate import Count

    from miniapps.health_code.tables import Scan

    rows = (
        await Scan.select(Scan.reason, Count(alias="scans"))
        .where(Scan.id > scan_id)
        .group_by(Scan.reason)
    )
    return {row["reason"] or "valid": int(row["scans"]) for row in rows}


def premise_broken(verdicts: dict[str, int], answered: int) -> str | None:
    """Why the scans measured were not all genuine first scans, if they were not: every one
    must be logged valid (a refusal is far cheaper than a scan, so a few would flatter the
    figure), and none answered may be missing from the log."""
    refused = {reason: n for reason, n in verdicts.items() if reason != "valid"}
    if refused:
        return f"{sum(refused.values())} measured scans were refused ({refused})"
    logged = verdicts.get("valid", 0)
    if logged < answered:
        return f"wrk counted {answered} scans answered, the log holds {logged}"
    return None


def lua_script(codes: list[str], token: str) -> Path:
    bodies = [json.dumps({"text": code, "place": "东门"}) for code in codes]
    path = Path(tempfile.mkdtemp()) / "scans.lua"
    path.write_text(
        "local bodies = " + json.dumps(bodies).replace("[", "{").replace("]", "}") + "\n"
        "local i = 0\n"
        "request = function()\n"
        "  i = i % #bodies + 1\n"
        '  return wrk.format("POST", nil, {["Content-Type"] = "application/json", '
        f'["Authorization"] = "Bearer {token}"}}, bodies[i])\n'
        "end\n",
        encoding="utf-8",
    )
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seconds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    env = demo_environment()
    os.environ.update(env)
    codes = asyncio.run(make_codes())
    token = yimen(env, "dev-token", "--role", "checkpoint_staff")
    share = len(codes) // args.rounds
    scripts = [lua_script(codes[n * share : (n + 1) * share], token) for n in range(args.rounds)]
    load = {"seconds": args.seconds, "connections": args.connections}
    rounds = []
    scanned_before = in_database(last_scan_id)
    answered = 0
    with server(Path(__file__).with_name("server.py"), env) as base:
        wrk(base + "/bench/hello", seconds=2, connections=args.connections)
        for script in scripts:
            hello = wrk(base + "/bench/hello", **load)
            proofs = wrk(base + "/bench/proof", **load, script=script)
            scans = wrk_load(base + "/v1/miniapps/health_code/scans", **load, script=script)
            answered += scans.requests
            rounds.append((hello, proofs, scans.requests_per_second))
    # The server has stopped, so every scan it answered is in the log.
    verdicts = in_database(lambda: verdicts_after(scanned_before))
    print(
        json.dumps(
            {
                "ratio": round(statistics.median(s / h for h, _, s in rounds), 3),
                "proof_only_ratio": round(statistics.median(p / h for h, p, _ in rounds), 3),
                "rounds_rps": [
                    {"hello": round(h), "proof_only": round(p), "scan": round(s)}
                    for h, p, s in rounds
                ],
                "distinct_codes": len(codes),
                "scan_verdicts": verdicts,
                "target": 0.5,
            },
            indent=2,
        )
    )
    broken = premise_broken(verdicts, answered)
    if broken:
        raise SystemExit(f"health_scan: NOT A SCAN BENCHMARK: {broken}; the ratio is void")


if __name__ == "__main__":
    main()
