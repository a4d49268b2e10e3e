"""bench/open_api: a third-party app's server under load on the open API, each route against
the hello-world route on the same server in the same run.

- trade_ratio_to_hello: `POST .../open/session`, each request trading a launch code of its
  own (code2Session: the code spent, the user bound, the claims they consent to read),
  requests/s ÷ hello-world's.
- profile_ratio_to_hello: `GET .../open/users/{openid}/profile`, the openids of the app's
  users in turn, each consenting to their name and phone (unsealed from the vault on every
  read), requests/s ÷ hello-world's.

Each is the median over rounds that alternate the three routes. One app (released, on in
zz/gx, its token made beside it), its residents and their launch codes are seeded by the
bench; its rate limits are sized above the load, not lifted, so their cost stays in the
figures. Void unless every trade wrk counted spent a code and bound its user.

On PostgreSQL: DATABASE_URL (a fresh database: `scripts/services.py fresh-database URL`),
else a database of its own on the local server (bench/stores.py); `--engine embedded` for
the demo's SQLite.

    python bench/open_api/run.py [--rounds 5] [--seconds 2] [--connections 32]
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
import stores  # noqa: E402
from common import demo_environment, figure, in_database, report, server, wrk, wrk_load  # noqa: E402

OPEN = "/v1/miniapps/open_platform"
HOME, DISTRICT = "zz/gx/fengyang/c03/g07", "zz/gx"
APP_ID, TOKEN = "yx00000000000be4c4", "bench-open-api-token"
RESIDENTS = 500
# Each reads or writes five statements or so on its way, where the launcher reads a cache.
TRADE_TARGET, PROFILE_TARGET = 0.1, 0.15
# Sized above the load (a few thousand a second, all from one app and one address).
LIMITS = {
    "YIMEN_RATE_OPEN_API_PER_APP": "10000000/m",
    "YIMEN_RATE_PUBLIC_PER_ADDRESS": "10000000/m",
}
MANIFEST = {
    "id": "bench-metro",
    "names": {"zh-CN": "郑州地铁"},
    "icon": "iVBORw0KGgo=",  # never shown in this bench
    "entry_url": "https://h5.metro.example.com/app/index.html",
    "allowed_domains": ["h5.metro.example.com"],
    "permissions": ["profile.read"],
    "data": [
        {"field": "name", "purpose": "实名办理乘车码"},
        {"field": "phone", "purpose": "发送行程通知"},
    ],
    "target_roles": ["resident"],
}


async def seed(codes: int) -> list[str]:
    """The app, its token and its residents, each consenting to name and phone and known
    by their openid, as a launch before left them; `codes` launch codes of theirs in turn.
    The openids, in order."""
    from backend.directory.users.service import PHONE_PURPOSE
    from backend.kernel.db import fetch_rows, insert_rows
    from backend.kernel.settings import get_settings
    from backend.kernel.vault import vault_for
    from miniapps.open_platform.credentials import digest_of
    from miniapps.open_platform.launch import OPENID, pairwise
    from miniapps.open_platform.tables import Consent, LaunchCode, OpenIdentity

    vault = vault_for(get_settings().secret)
    now = dt.datetime.now(dt.UTC)
    residents = await people.accounts("open-api", RESIDENTS, HOME)
    for n, user_id in enumerate(residents):
        await fetch_rows(
            "UPDATE user_account SET name = $1, phone_sealed = $2 WHERE id = $3",
            f"乘客{n}",
            vault.seal(f"139{n:08d}", purpose=PHONE_PURPOSE),
            user_id,
        )
    version_id = await _released_app(now)
    openids = [pairwise(vault, OPENID, f"{APP_ID}:{user_id}") for user_id in residents]
    await insert_rows(
        OpenIdentity,
        [
            OpenIdentity.openid,
            OpenIdentity.app_id,
            OpenIdentity.user_id,
            OpenIdentity.district,
            OpenIdentity.version_id,
            OpenIdentity.bound_at,
            OpenIdentity.launched_at,
        ],
        [
            [o, APP_ID, u, DISTRICT, version_id, now, now]
            for o, u in zip(openids, residents, strict=True)
        ],
    )
    await insert_rows(
        Consent,
        [Consent.app_id, Consent.user_id, Consent.field, Consent.purpose, Consent.granted_at],
        [[APP_ID, u, f, "办理乘车码", now] for u in residents for f in ("name", "phone")],
    )
    expires = now + dt.timedelta(hours=1)  # the codes' five minutes, stretched for the run
    columns = [
        LaunchCode.digest,
        LaunchCode.app_id,
        LaunchCode.user_id,
        LaunchCode.district,
        LaunchCode.version_id,
        LaunchCode.issued_at,
        LaunchCode.expires_at,
    ]
    for start in range(0, codes, 5000):
        await insert_rows(
            LaunchCode,
            columns,
            [
                [
                    digest_of(_code(n)),
                    APP_ID,
                    residents[n % RESIDENTS],
                    DISTRICT,
                    version_id,
                    now,
                    expires,
                ]
                for n in range(start, min(codes, start + 5000))
            ],
        )
    return openids


async def _released_app(now: dt.datetime) -> int:
    """The app of a verified publisher, released and on in the district; its token."""
    from backend.kernel.db import fetch_rows
    from miniapps.open_platform.credentials import digest_of

    [publisher] = await fetch_rows(
        "INSERT INTO open_platform_publisher (name, credit_code, contact_email, owner_id,"
        " status, registered_at) VALUES ($1, $2, $3, 0, 'verified', $4) RETURNING id",
        "郑州地铁集团",
        "91410100MA44ABCD1F",
        "dev@metro.example.com",
        now,
    )
    [version] = await fetch_rows(
        "INSERT INTO open_platform_version (app_id, number, label, manifest, status,"
        " created_by, created_at) VALUES ($1, 1, '1.0.0', $2, 'approved', 0, $3) RETURNING id",
        APP_ID,
        json.dumps(MANIFEST, ensure_ascii=False),
        now,
    )
    await fetch_rows(
        "INSERT INTO open_platform_app (app_id, slug, publisher_id, created_by, created_at,"
        " released_version_id, gray_percent) VALUES ($1, $2, $3, 0, $4, $5, 0)",
        APP_ID,
        MANIFEST["id"],
        publisher["id"],
        now,
        version["id"],
    )
    [secret] = await fetch_rows(
        "INSERT INTO open_platform_secret (app_id, digest, issued_at) VALUES ($1, $2, $3)"
        " RETURNING id",
        APP_ID,
        digest_of("bench-secret"),
        now,
    )
    await fetch_rows(
        "INSERT INTO open_platform_token (app_id, secret_id, digest, issued_at, expires_at)"
        " VALUES ($1, $2, $3, $4, $5)",
        APP_ID,
        secret["id"],
        digest_of(TOKEN),
        now,
        now + dt.timedelta(hours=2),
    )
    await fetch_rows(
        "INSERT INTO open_platform_district (app_id, district, enabled, approved_asks,"
        " changed_by, changed_at) VALUES ($1, $2, $3, $4, 0, $5)",
        APP_ID,
        DISTRICT,
        True,
        "data.name,data.phone,profile.read",
        now,
    )
    return int(version["id"])


def _code(n: int) -> str:
    return f"bench-launch-code-{n:08d}"


async def outcome() -> tuple[int, int]:
    """Codes spent, and the app's users bound by a trade since the seed."""
    from backend.kernel.db import fetch_rows

    spent = await fetch_rows(
        "SELECT count(*) AS n FROM open_platform_launch WHERE used_at IS NOT NULL"
    )
    traded = await fetch_rows(
        "SELECT count(*) AS n FROM open_platform_identity WHERE launched_at > bound_at"
    )
    return int(spent[0]["n"]), int(traded[0]["n"])


HEADERS = f"{{['Authorization'] = 'Bearer {TOKEN}', ['Content-Type'] = 'application/json'}}"


def trade_script(first: int) -> Path:
    """wrk's trades from code number `first` on, each the next code: every wrk run starts
    its script afresh, so each run is given codes of its own."""
    script = Path(tempfile.mkdtemp(prefix="yimen-bench-")) / "trade.lua"
    script.write_text(
        f"local i = {first - 1}\n"
        "request = function()\n"
        "  i = i + 1\n"
        '  local body = string.format(\'{"code": "bench-launch-code-%08d"}\', i)\n'
        f"  return wrk.format('POST', '{OPEN}/open/session', {HEADERS}, body)\n"
        "end\n",
        encoding="utf-8",
    )
    return script


def profile_script(openids: list[str]) -> Path:
    """wrk's profile reads, each of the next openid."""
    script = Path(tempfile.mkdtemp(prefix="yimen-bench-")) / "profile.lua"
    script.write_text(
        f"local openids = {{{', '.join(json.dumps(o) for o in openids)}}}\n"
        "local i = 0\n"
        "request = function()\n"
        "  i = i + 1\n"
        f"  local path = '{OPEN}/open/users/' .. openids[(i % #openids) + 1] .. '/profile'\n"
        f"  return wrk.format('GET', path, {HEADERS})\n"
        "end\n",
        encoding="utf-8",
    )
    return script


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--codes", type=int, default=20_000, help="launch codes per wrk run")
    stores.engine_option(parser)
    args = parser.parse_args()
    with stores.engine(args.engine):
        run(args)


def run(args: argparse.Namespace) -> None:
    env = {**demo_environment(), **LIMITS}
    os.environ.update(env)
    runs = args.rounds + 1  # a warm-up, then the rounds
    profile = profile_script(in_database(lambda: seed(args.codes * runs)))
    trades = [trade_script(n * args.codes) for n in range(runs)]
    load = {"seconds": args.seconds, "connections": args.connections}
    rounds, traded_by_wrk = [], 0
    with server(HERE.parent / "hello_server.py", env) as base:
        wrk(base + "/bench/hello", seconds=1, connections=args.connections)
        warm = wrk_load(base + "/", seconds=1, connections=args.connections, script=trades[0])
        traded_by_wrk += warm.requests
        wrk(base + "/", seconds=1, connections=args.connections, script=profile)
        for trade in trades[1:]:
            hello = wrk(base + "/bench/hello", **load)
            traded = wrk_load(base + "/", **load, script=trade)
            traded_by_wrk += traded.requests
            reads = wrk(base + "/", **load, script=profile)
            rounds.append((hello, traded.requests_per_second, reads))
    spent, bound = in_database(outcome)
    void = None
    # wrk stops counting with trades in flight: those are spent after it, not lost.
    if spent < traded_by_wrk or bound == 0:
        void = f"wrk counted {traded_by_wrk} trades; {spent} codes were spent, {bound} bound"
    report(
        "open_api",
        {
            "trade_ratio_to_hello": figure(
                [t / h for h, t, _ in rounds], unit="ratio", better="higher", target=TRADE_TARGET
            ),
            "profile_ratio_to_hello": figure(
                [p / h for h, _, p in rounds], unit="ratio", better="higher", target=PROFILE_TARGET
            ),
        },
        {
            "rounds_rps": [
                {"hello": round(h), "trade": round(t), "profile": round(p)} for h, t, p in rounds
            ],
            "codes_spent": spent,
            "residents": RESIDENTS,
            "engine": args.engine,
        },
        void=void,
    )


if __name__ == "__main__":
    main()
