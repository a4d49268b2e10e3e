"""bench/health_scan: POST /v1/miniapps/health_code/scans under load, against hello-world.

About 800 residents with enrolled phones show 100,000 codes, each their phone's proof of a
second no other code of theirs is for: the server takes a holder's proof of one second once
and answers it `replayed` after. Each round's share is signed just before it, for seconds
fresh for the whole round, so every scan checks its phone's proof and is logged valid. That
is checked, not assumed: once the server has stopped, the scan log must hold every scan wrk
counted, all valid, or the run fails (a refusal is much cheaper than a scan and would
flatter the figure). The load is wrk on loopback, in a second process. Rounds alternate
the routes, and the figure is the median of the rounds' ratios: this machine's speed drifts
within a run.

A second baseline, `POST /bench/proof`, decodes the same bodies and checks each code with
the offline verifier and does nothing else: the ceiling for a scan route that verifies the
phone's P-256 proof on every scan. The target is the scan route at 0.9 of it or better
(everything a scan adds on top of the verify costs at most 10%); the ratios of both to
hello-world are reported beside it.

It runs on PostgreSQL, as a city's checkpoints do: `DATABASE_URL` if given (a fresh one),
else a database of its own on the local server, dropped at the end. `--engine embedded`
measures the demo's SQLite file instead, where each holder's status read opens a connection
of its own and costs a scan far more (0.68 of the proof-only route against 0.90).

    python bench/health_scan/run.py [--rounds 7] [--seconds 2] [--connections 32]
                                    [--engine postgresql|embedded]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import stores  # noqa: E402
from common import (  # noqa: E402
    demo_environment,
    figure,
    in_database,
    report,
    server,
    wrk,
    wrk_load,
    yimen,
)

from miniapps.health_code.verifier import FRESHNESS  # noqa: E402

if TYPE_CHECKING:
    from miniapps.health_code.phone import HealthCodePhone

CODES = 100_000  # a 2 s round on PostgreSQL scans over 7,000 of its share
# One member of staff at one address scans every code of the run: the scan limits are sized
# above that load (about 16,000 a second), not lifted, so their cost stays in the figure.
SCAN_LIMITS = {
    "YIMEN_RATE_SCANS_PER_USER": "1000000/m",
    "YIMEN_RATE_SCANS_PER_ADDRESS": "1000000/m",
}
ALLOWANCE = 10  # seconds a round may take beyond its three wrk runs (signing, wrk's start)
MARGIN = 5  # seconds of freshness kept in hand at either end of a round
TARGET = 0.9  # the scan route's rate ÷ the proof-only route's


class Resident(NamedTuple):
    phone: HealthCodePhone
    credential: str


def residents_needed(rounds: int, seconds: int) -> int:
    """Enough residents for every code to be a first scan of its holder's proof of one
    second. A holder signs each second once, and the seconds a round's codes are signed
    for must all be fresh from its first scan to its last, so all rounds together can use
    little more than the freshness window both sides of now (plus the time the rounds take
    meanwhile): the codes are spread over residents instead."""
    usable = 2 * FRESHNESS - round_length(seconds) - 2 * MARGIN + (rounds - 1) * 3 * seconds
    per_round = math.ceil(CODES / rounds)
    return math.ceil(per_round / max(usable // rounds, 1))


def round_length(seconds: int) -> int:
    return 3 * seconds + ALLOWANCE


async def enrol(count: int) -> list[Resident]:
    """Residents with an enrolled phone and a credential each, in one transaction: a commit
    per resident would take most of a minute on SQLite."""
    from auth.keys import KeyRing
    from backend.directory.users.service import account_for_phone, set_home
    from backend.kernel.db import transaction
    from backend.kernel.settings import get_settings
    from backend.kernel.vault import vault_for
    from miniapps.health_code.codes import enrol_phone, issue_code
    from miniapps.health_code.phone import HealthCodePhone

    settings = get_settings()
    vault = vault_for(settings.secret)
    keys = KeyRing(settings, vault)
    await keys.load()
    residents = []
    async with transaction():
        for n in range(count):
            user = await account_for_phone(phone=f"139{n:08d}", vault=vault, name=f"居民{n}")
            await set_home(user_id=user, home_path="zz/gx/fengyang/c03/g07")
            phone = HealthCodePhone()
            await enrol_phone(user_id=user, public_key=phone.public_key, vault=vault)
            residents.append(
                Resident(phone, (await issue_code(user_id=user, keys=keys)).credential)
            )
    return residents


class ProofSeconds:
    """The seconds the phones sign for, handed out round by round: each once, since the
    server takes a holder's proof of one second once and answers it `replayed` after, and
    each fresh (within FRESHNESS of the clock) for the whole round."""

    def __init__(self, round_length: int) -> None:
        self._round_length = round_length
        self._next = 0

    def for_round(self, count: int) -> range:
        now = time.time()
        first = max(self._next, math.ceil(now) + self._round_length + MARGIN - FRESHNESS)
        if first + count - 1 > now + FRESHNESS - MARGIN:
            raise SystemExit("health_scan: too few residents to sign fresh, unused seconds")
        self._next = first + count
        return range(first, first + count)


def round_codes(residents: list[Resident], seconds: range) -> list[str]:
    """Every resident's proofs of these seconds, one resident's after another. ECDSA
    signatures are randomised, but that makes no new scan: only a new second does. The order
    matters to the figure: the checkpoint reads a holder's status version at most every few
    seconds, so this reads it about once per resident and round, where a real queue, each
    person scanned once, would read it on every scan."""
    return [r.phone.show(r.credential, at=t) for r in residents for t in seconds]


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


def measure(
    base: str, residents: list[Resident], token: str, args: argparse.Namespace
) -> tuple[list[tuple[float, float, float]], int, int]:
    """Each round's requests/s (hello, proof only, scan), the scans wrk counted answered and
    the codes signed."""
    proofs_each = math.ceil(CODES / args.rounds / len(residents))
    clock = ProofSeconds(round_length(args.seconds))
    load = {"seconds": args.seconds, "connections": args.connections}
    rounds, answered, codes = [], 0, 0
    wrk(base + "/bench/hello", seconds=2, connections=args.connections)
    for _ in range(args.rounds):
        # Signed just before its round, so its codes are fresh however slow the rounds.
        share = round_codes(residents, clock.for_round(proofs_each))
        codes += len(share)
        script = lua_script(share, token)
        hello = wrk(base + "/bench/hello", **load)
        proofs = wrk(base + "/bench/proof", **load, script=script)
        scans = wrk_load(base + "/v1/miniapps/health_code/scans", **load, script=script)
        if scans.requests > len(share):  # wrk started over: the rest were replays
            raise SystemExit(
                f"health_scan: a round made {scans.requests} scans of its {len(share)} codes;"
                " raise CODES"
            )
        answered += scans.requests
        rounds.append((hello, proofs, scans.requests_per_second))
    return rounds, answered, codes


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seconds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    stores.engine_option(parser)
    args = parser.parse_args()
    with stores.engine(args.engine):
        run(args)


def run(args: argparse.Namespace) -> None:
    env = {**demo_environment(), **SCAN_LIMITS}
    os.environ.update(env)
    residents = in_database(lambda: enrol(residents_needed(args.rounds, args.seconds)))
    token = yimen(env, "dev-token", "--role", "checkpoint_staff")
    scanned_before = in_database(last_scan_id)
    with server(Path(__file__).with_name("server.py"), env) as base:
        rounds, answered, codes = measure(base, residents, token, args)
    # The server has stopped, so every scan it answered is in the log.
    verdicts = in_database(lambda: verdicts_after(scanned_before))
    ratio = {"unit": "ratio", "better": "higher"}
    report(
        "health_scan",
        {
            "scan_to_proof_only": figure([s / p for _, p, s in rounds], **ratio, target=TARGET),
            "scan_to_hello": figure([s / h for h, _, s in rounds], **ratio),
            "proof_only_to_hello": figure([p / h for h, p, _ in rounds], **ratio),
        },
        {
            "engine": args.engine,
            "rounds_rps": [
                {"hello": round(h), "proof_only": round(p), "scan": round(s)} for h, p, s in rounds
            ],
            "distinct_codes": codes,
            "residents": len(residents),
            "scan_verdicts": verdicts,
        },
        # A refusal is much cheaper than a scan: a few would flatter the figure.
        void=premise_broken(verdicts, answered),
    )


if __name__ == "__main__":
    main()
