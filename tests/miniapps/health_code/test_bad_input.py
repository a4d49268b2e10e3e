"""Bad input on every health-code route is a 4xx problem with a stable code, and changes
nothing: times without a zone or past the calendar's end, org paths that name no unit of
the right level, NUL characters PostgreSQL cannot store, and CSV the reader cannot read."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import pytest
from litestar import Litestar

from backend.kernel.roles import Role
from miniapps.health_code.phone import HealthCodePhone
from miniapps.health_code.tables import (
    CheckIn,
    HealthStatus,
    HolderKey,
    Place,
    RiskLevel,
    Scan,
    StatusChange,
)
from tests.conftest import Client, TokenFor, bearer
from tests.miniapps.health_code.holders import enrolled
from tests.miniapps.health_code.problems import assert_problem
from tests.support import checkpoint_of

BASE = "/v1/miniapps/health_code"
C03 = "zz/gx/fengyang/c03"
ZONELESS = "2026-01-01T08:00:00"
BEFORE_YEAR_ONE = "0001-01-01T00:00:00+14:00"  # 31 December of year 0 in UTC
AFTER_YEAR_9999 = "9999-12-31T23:59:59-14:00"  # 1 January 10000 in UTC
KEY = HealthCodePhone().public_key


@dataclass(frozen=True)
class Case:
    method: str
    path: str  # {resident} and {place} are filled in
    role: Role
    status: int
    code: str
    json: Any = None
    params: dict[str, str] = field(default_factory=dict)


def _window(since: str = "2026-01-01T00:00:00Z", until: str = "2026-01-02T00:00:00Z") -> Any:
    return {"since": since, "until": until}


def _csv(*lines: str) -> dict[str, str]:
    return {"csv": "phone,colour,reason,source\n" + "".join(line + "\n" for line in lines)}


OFFICIAL, MERCHANT, STAFF = Role.HEALTH_OFFICIAL, Role.MERCHANT, Role.CHECKPOINT_STAFF
STATUS = "/statuses/{resident}"
VISITORS = "/places/{place}/visitors"
CONTACTS = "/contacts/{resident}"
CASES = {
    "validity without a zone": Case(
        "put",
        STATUS,
        OFFICIAL,
        400,
        "validation_failed",
        {"colour": "red", "valid_until": ZONELESS},
    ),
    "validity past year 9999": Case(
        "put",
        STATUS,
        OFFICIAL,
        422,
        "status_validity_too_far",
        {"colour": "red", "valid_until": AFTER_YEAR_9999},
    ),
    "validity over a year ahead": Case(
        "put",
        STATUS,
        OFFICIAL,
        422,
        "status_validity_too_far",
        {"colour": "red", "valid_until": "2999-01-01T00:00:00Z"},
    ),
    "NUL in a reason": Case(
        "put", STATUS, OFFICIAL, 400, "text_has_nul", {"colour": "red", "reason": "密\x00接"}
    ),
    "NUL in a bulk upload's reason": Case(
        "post", "/statuses/bulk", OFFICIAL, 400, "text_has_nul", _csv("13800000001,red,a\x00b,")
    ),
    "NUL in a source": Case(
        "put", STATUS, OFFICIAL, 400, "text_has_nul", {"colour": "red", "source": "\x00"}
    ),
    "NUL in a place name": Case(
        "post", "/places", MERCHANT, 400, "text_has_nul", {"name": "菜\x00场", "org_path": C03}
    ),
    "NUL in a place's org path": Case(
        "post", "/places", MERCHANT, 400, "text_has_nul", {"name": "菜场", "org_path": C03 + "\x00"}
    ),
    "a place's org path too deep": Case(
        "post",
        "/places",
        MERCHANT,
        422,
        "org_unknown",
        {"name": "菜场", "org_path": C03 + "/g07/a/b"},
    ),
    "since without a zone": Case(
        "get", VISITORS, MERCHANT, 400, "datetime_needs_timezone", params=_window(since=ZONELESS)
    ),
    "until without a zone": Case(
        "get", VISITORS, MERCHANT, 400, "datetime_needs_timezone", params=_window(until=ZONELESS)
    ),
    "visitors before year one": Case(
        "get",
        VISITORS,
        MERCHANT,
        422,
        "trace_window_invalid",
        params=_window(BEFORE_YEAR_ONE, "0001-01-02T00:00:00+14:00"),
    ),
    "visitors after year 9999": Case(
        "get",
        VISITORS,
        MERCHANT,
        422,
        "trace_window_invalid",
        params=_window("9999-12-30T23:59:59-14:00", AFTER_YEAR_9999),
    ),
    "contacts since without a zone": Case(
        "get", CONTACTS, OFFICIAL, 400, "datetime_needs_timezone", params=_window(since=ZONELESS)
    ),
    "contacts until without a zone": Case(
        "get", CONTACTS, OFFICIAL, 400, "datetime_needs_timezone", params=_window(until=ZONELESS)
    ),
    "contacts before year one": Case(
        "get",
        CONTACTS,
        OFFICIAL,
        422,
        "trace_window_invalid",
        params=_window(BEFORE_YEAR_ONE, "0001-01-02T00:00:00+14:00"),
    ),
    "risk level of a path too deep": Case(
        "put", f"/risk-levels/{C03}/g07/a/b", OFFICIAL, 404, "community_unknown", {"level": "high"}
    ),
    "risk level of a grid": Case(
        "put", f"/risk-levels/{C03}/g07", OFFICIAL, 404, "community_unknown", {"level": "high"}
    ),
    "risk level of an unknown community": Case(
        "put",
        "/risk-levels/zz/gx/fengyang/c99",
        OFFICIAL,
        404,
        "community_unknown",
        {"level": "high"},
    ),
    "risk level of an upper-case path": Case(
        "put",
        "/risk-levels/zz/gx/fengyang/C03",
        OFFICIAL,
        404,
        "community_unknown",
        {"level": "high"},
    ),
    "counts of a path too deep": Case(
        "get",
        "/risk-level-counts",
        Role.DISTRICT_ADMIN,
        404,
        "district_unknown",
        params={"district": "zz/gx/a/b/c/d/e"},
    ),
    "counts of a street": Case(
        "get",
        "/risk-level-counts",
        Role.DISTRICT_ADMIN,
        404,
        "district_unknown",
        params={"district": "zz/gx/fengyang"},
    ),
    "counts of a wildcard": Case(
        "get",
        "/risk-level-counts",
        Role.PLATFORM_ADMIN,
        404,
        "district_unknown",
        params={"district": "zz/%"},
    ),
    "counts of an unknown district": Case(
        "get",
        "/risk-level-counts",
        Role.PLATFORM_ADMIN,
        404,
        "district_unknown",
        params={"district": "zz/nowhere"},
    ),
    "NUL in a checkpoint's place": Case(
        "post", "/scans", STAFF, 400, "text_has_nul", {"text": "x", "place": "东\x00门"}
    ),
    "a phone key with a line break": Case(
        "post", "/phone", Role.RESIDENT, 422, "holder_key_invalid", {"public_key": KEY + "\n"}
    ),
    "an upload of nothing": Case(
        "post", "/statuses/bulk", OFFICIAL, 422, "bulk_status_invalid", {}
    ),
}


@pytest.fixture
async def ids(client: Client, token_for: TokenFor) -> dict[str, int]:
    me = await client.get("/v1/me", headers=bearer(await token_for(Role.RESIDENT)))
    place = await client.post(
        f"{BASE}/places",
        json={"name": "西岗菜市场", "org_path": C03},
        headers=bearer(await token_for(Role.MERCHANT)),
    )
    return {"resident": int(me.json()["user_id"]), "place": int(place.json()["id"])}


async def _counts(app: Litestar) -> list[int]:
    await checkpoint_of(app).flush()
    tables = (HealthStatus, StatusChange, HolderKey, Scan, Place, CheckIn, RiskLevel)
    return [await table.count() for table in tables]


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
async def test_bad_input_is_refused_and_changes_nothing(
    app: Litestar, client: Client, token_for: TokenFor, ids: dict[str, int], case: Case
) -> None:
    before = await _counts(app)
    response = await client.request(
        case.method,
        BASE + case.path.format(**ids),
        json=case.json,
        params=case.params,
        headers=bearer(await token_for(case.role)),
    )
    assert_problem(response, case.status, case.code)
    assert await _counts(app) == before


async def test_a_scan_with_a_nul_loses_no_other_scan(
    app: Litestar, client: Client, token_for: TokenFor
) -> None:
    """A NUL in the place would fail the whole batch of scans logged with it."""
    phone, credential = await enrolled(client, await token_for(Role.RESIDENT))
    staff = bearer(await token_for(STAFF))
    good = await client.post(
        f"{BASE}/scans", json={"text": phone.show(credential), "place": "东门"}, headers=staff
    )
    assert good.json()["valid"] is True
    bad = await client.post(
        f"{BASE}/scans",
        json={"text": phone.show(credential, at=time.time() + 1), "place": "\x00"},
        headers=staff,
    )
    assert_problem(bad, 400, "text_has_nul")
    await checkpoint_of(app).flush()
    assert await Scan.count() == 1


BULK_CASES = {
    "a field over 128 KiB": (
        _csv("13800000001,red,,", '13800000002,red,"' + "长" * 140_000 + '",'),
        2,
    ),
    "a bare carriage return": (_csv("13800000001,red,,", "13800000002,red,a\rb,"), 2),
    "a source over 64 characters": (_csv("13800000001,red,,", "13800000002,red,," + "s" * 65), 2),
    "a reason over 500 characters": (_csv("13800000001,red," + "r" * 501 + ","), 1),
    "a missing column": (_csv("13800000001,red,,", "13800000002"), 2),
}


@pytest.mark.parametrize(("upload", "row"), BULK_CASES.values(), ids=BULK_CASES.keys())
async def test_a_bad_csv_row_is_named_and_nothing_is_imported(
    client: Client, token_for: TokenFor, upload: dict[str, str], row: int
) -> None:
    response = await client.post(
        f"{BASE}/statuses/bulk", json=upload, headers=bearer(await token_for(OFFICIAL))
    )
    assert_problem(response, 422, "bulk_status_invalid")
    assert [e.get("row") for e in response.json()["errors"]] == [row]
    assert await HealthStatus.count() == 0
    assert await StatusChange.count() == 0
