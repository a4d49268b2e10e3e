"""Seed a fresh Yimen demo city for the peer benchmark, then check that the role-scoped read
really is scoped. Standard library only. Prints one JSON line on stdout.

Env: YIMEN_URL (e.g. http://127.0.0.1:8093), and tokens minted with `yimen dev-token`:
TOKEN_RESIDENT (13800000001, home grid g07), TOKEN_WORKER (13800000003, grid g07),
TOKEN_WORKER_G08 (13800000004, grid g08), TOKEN_COMMUNITY (13800000005, community c03),
TOKEN_DISTRICT (13800000006, district zz/gx).

Like Parse's 20/12/8 tiles, the resident reports 40 events at distinct places: 20 inside
grid g07, 12 inside grid g08 (both in community c03) and 8 inside grid c04/g01. The g07
worker's `GET /events?limit=20` is the measured read: exactly the 20 events of its grid.
"""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.error
import urllib.request

BASE = os.environ["YIMEN_URL"].rstrip("/")
if not BASE.startswith(("http://", "https://")):  # urlopen would also open file: URLs
    raise SystemExit(f"YIMEN_URL must be an http(s) URL, not {BASE!r}")
EVENTS = "/v1/miniapps/grid_events/events"
CATEGORY = "street_vending"  # non-urgent, no required attributes, not auto-dispatched

# South-west corners of the demo grids' 0.01° squares (backend/seed.py).
GRIDS = {
    "zz/gx/fengyang/c03/g07": ((113.55, 34.80), 20),
    "zz/gx/fengyang/c03/g08": ((113.56, 34.80), 12),
    "zz/gx/fengyang/c04/g01": ((113.57, 34.80), 8),
}


def call(method: str, path: str, token: str, body: object | None = None) -> tuple[int, object]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(BASE + path, data=data, method=method)  # noqa: S310
    request.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


def must(method: str, path: str, token: str, body: object | None = None) -> object:
    status, answer = call(method, path, token, body)
    if status >= 300:
        raise SystemExit(f"{method} {path} -> {status} {answer}")
    return answer


def main() -> None:
    resident = os.environ["TOKEN_RESIDENT"]
    catalogue = must("GET", "/v1/miniapps/grid_events/categories?limit=100", resident)
    categories = [c["code"] for c in catalogue["items"]]  # type: ignore[index]
    if CATEGORY not in categories:
        raise SystemExit(f"no {CATEGORY} category in {categories}")
    placed: dict[str, int] = {}
    n = 0
    for grid, ((lon0, lat0), count) in GRIDS.items():
        for k in range(count):
            # 0.001° apart (about 90-110 m here): farther than the 50 m duplicate radius.
            lon = lon0 + 0.001 + 0.001 * (k % 8)
            lat = lat0 + 0.001 + 0.001 * (k // 8)
            n += 1
            event = must(
                "POST",
                EVENTS,
                resident,
                {
                    "category": CATEGORY,
                    "description": f"占道经营 #{n}: 流动摊贩占用人行道",
                    "lat": round(lat, 6),
                    "lon": round(lon, 6),
                    "address": f"科学大道 {100 + n} 号",
                },
            )
            if event["grid_path"] != grid or event["duplicate_of"] is not None:  # type: ignore[index]
                raise SystemExit(f"report {n} landed in {event}, expected a new event in {grid}")
            placed[grid] = placed.get(grid, 0) + 1

    def seen(token: str) -> int:
        return len(must("GET", f"{EVENTS}?limit=100", token)["items"])  # type: ignore[index]

    events_seen = {
        "grid_worker_g07": seen(os.environ["TOKEN_WORKER"]),
        "grid_worker_g08": seen(os.environ["TOKEN_WORKER_G08"]),
        "community_admin_c03": seen(os.environ["TOKEN_COMMUNITY"]),
        "district_admin_gx": seen(os.environ["TOKEN_DISTRICT"]),
        "resident_own_reports": seen(resident),
    }
    expected = {
        "grid_worker_g07": 20,
        "grid_worker_g08": 12,
        "community_admin_c03": 32,
        "district_admin_gx": 40,
        "resident_own_reports": 40,
    }
    if events_seen != expected:
        raise SystemExit(f"scoping is off: saw {events_seen}, expected {expected}")
    read = must("GET", f"{EVENTS}?limit=20", os.environ["TOKEN_WORKER"])["items"]  # type: ignore[index]
    if len(read) != 20 or {e["grid_path"] for e in read} != {"zz/gx/fengyang/c03/g07"}:  # type: ignore[arg-type,index]
        raise SystemExit("the g07 worker's read is not the 20 events of g07")
    anonymous = urllib.request.Request(BASE + EVENTS)  # noqa: S310
    try:
        urllib.request.urlopen(anonymous, timeout=10)  # noqa: S310
        anonymous_status = 200
    except urllib.error.HTTPError as err:
        anonymous_status = err.code
    if anonymous_status < 400:
        raise SystemExit("an anonymous read of events was allowed")
    # The community admin hears of each report in c03 through the inbox (in-process jobs).
    inbox = 0
    for _ in range(50):
        inbox = len(must("GET", "/v1/inbox?limit=50", os.environ["TOKEN_COMMUNITY"])["items"])  # type: ignore[index]
        if inbox >= 32:
            break
        time.sleep(0.2)
    launcher = must("GET", "/v1/launcher", resident)
    tiles = sum(len(s["tiles"]) for s in launcher["sections"])  # type: ignore[index]
    print(
        json.dumps(
            {
                "events_placed": placed,
                "events_seen": events_seen,
                "anonymous_status": anonymous_status,
                "community_inbox_items": inbox,
                "resident_launcher_tiles": tiles,
                "resident_launcher_sections": len(launcher["sections"]),  # type: ignore[index]
            }
        )
    )


if __name__ == "__main__":
    sys.exit(main())
