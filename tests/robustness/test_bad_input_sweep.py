"""Every route of the app, walked with the bad inputs of issue #10 (findings 6 and 7) as an
admin, a resident and anonymously: each answer is a 4xx problem (never a 5xx), no table
gains or loses a row, a 400 names the parameter or body place that was bad in errors[], and a
401 challenges for a bearer token.
Routes come from `app.routes`, so a new route is swept as it lands."""

from __future__ import annotations

import httpx
import pytest
from litestar import Litestar

from backend.kernel.errors import PROBLEM_MEDIA_TYPE
from backend.kernel.roles import Role
from backend.kernel.settings import Settings
from tests.conftest import Client, TokenFor, bearer
from tests.robustness.bad_input import (
    Case,
    Endpoint,
    SweepCannotBuild,
    cases,
    endpoints,
    reads_body_by_hand,
)
from tests.support import all_tables

# Routes whose handler reads the raw body itself: the sweep cannot derive their fields from
# a type, so it sends them only garbage bodies besides their path and query cases.
RAW_BODY = {
    "POST /v1/miniapps/grid_events/events/{event_id:int}/photos": (
        "a JPEG or PNG as the body; image checks are in tests/miniapps/grid_events"
    ),
    "POST /v1/miniapps/grid_events/sensors/{device:str}/readings": (
        "a body signed by the device (HMAC over timestamp and bytes); tested with its secret"
    ),
    "POST /v1/miniapps/elderly_care/devices/{device:str}/readings": (
        "a body signed by the home device; refusals are in test_devices.py, with its secret"
    ),
    "POST /v1/miniapps/elderly_care/visits/{visit_id:int}/photos": (
        "a JPEG or PNG as the body, as grid events take it; tested in test_visit_photos.py"
    ),
    "POST /v1/miniapps/legal_aid/consultations/{consultation_id:int}/attachments": (
        "a JPEG or PNG as the body; tested in tests/miniapps/legal_aid/test_attachments.py"
    ),
    "POST /v1/miniapps/payment/channel/notify": (
        "a body signed by the bank channel (HMAC over timestamp and bytes); tested with its key"
    ),
    "POST /open311/v2/requests.json": (
        "the Open311 spec's form fields, read by hand; tested in test_open311.py"
    ),
    "POST /v1/miniapps/gov_services/applications/{application_id:int}/materials/files": (
        "a multipart form with a material's code and one file; tested in test_apply_materials.py"
    ),
}
# Methods and routes the sweep sends nothing to.
NOT_SWEPT = {
    "OPTIONS": "Litestar's automatic preflight answer on every path; it reads no input",
}
ROLES = ["platform_admin", "resident", "anonymous"]


def test_every_route_is_swept_or_listed(app: Litestar, settings: Settings) -> None:
    """A new route that reads its body by hand, or has a parameter the sweep cannot fill,
    fails here until it is listed above with a reason (or the sweep learns its type)."""
    problems = []
    names = set()
    for endpoint in endpoints(app.routes):
        names.add(endpoint.name)
        if endpoint.method in NOT_SWEPT or endpoint.name in NOT_SWEPT:
            continue
        raw = reads_body_by_hand(endpoint.handler)
        if raw != (endpoint.name in RAW_BODY):
            problems.append(f"{endpoint.name}: reads its body by hand: {raw}; listed: {not raw}")
        try:
            list(cases(endpoint, raw_body=raw, body_limit=settings.max_body_bytes))
        except SweepCannotBuild as err:
            problems.append(f"{endpoint.name}: {err}")
    listed = set(RAW_BODY) | {name for name in NOT_SWEPT if " " in name}
    problems += [f"{name}: listed but gone" for name in listed - names]
    assert not problems, "\n".join(problems)


async def _row_counts() -> dict[str, int]:
    names = [table._meta.tablename for table in all_tables()]
    columns = ", ".join(f'(SELECT count(*) FROM "{name}") AS "{name}"' for name in names)
    rows = await all_tables()[0].raw(f"SELECT {columns}")
    return {name: int(count) for name, count in rows[0].items()}


async def _send(
    client: Client, endpoint: Endpoint, case: Case, token: str | None
) -> httpx.Response:
    headers = bearer(token) if token else {}
    if case.content_type is not None:
        headers["Content-Type"] = case.content_type
    return await client.request(
        endpoint.method, case.path, params=case.params, content=case.content, headers=headers
    )


def _fault(response: httpx.Response, case: Case) -> str | None:
    status = response.status_code
    if status >= 500 or (case.refused and not 400 <= status < 500):
        return f"answered {status}: {response.text[:160]}"
    if status >= 400:
        if response.headers.get("content-type") != PROBLEM_MEDIA_TYPE:
            return f"{status} as {response.headers.get('content-type')}, not a problem"
        if not response.json().get("code"):
            return f"{status} problem without a code"
    if status == 401 and not response.headers.get("www-authenticate", "").startswith("Bearer "):
        return "401 without a WWW-Authenticate: Bearer challenge"
    if status == 400 and case.culprit is not None:
        named = [e.get("field") for e in response.json().get("errors") or []]
        if case.culprit not in named:
            return f"400 {response.json()['code']} names {named}, not {case.culprit!r}"
    return None


# Routes whose guard refuses every caller above: swept again as the role they serve, so that
# their parameters and bodies reach the handler, not only the guard. By id: (path prefix, role).
OWN_ROLE = {
    "gov_services_admin": ("/v1/miniapps/gov_services/admin/", Role.SERVICE_ADMIN),
    "gov_services_work": ("/v1/miniapps/gov_services/work", Role.SERVICE_OFFICER),
}


async def _sweep(
    app: Litestar, client: Client, token: str | None, settings: Settings, prefix: str = ""
) -> tuple[int, list[str]]:
    """(requests sent, faults found) over every route under `prefix`."""
    failures: list[str] = []
    sent = 0
    for endpoint in endpoints(app.routes):
        if endpoint.method in NOT_SWEPT or endpoint.name in NOT_SWEPT:
            continue
        if not endpoint.route.path.startswith(prefix):
            continue
        raw = reads_body_by_hand(endpoint.handler)
        for case in cases(endpoint, raw_body=raw, body_limit=settings.max_body_bytes):
            before = await _row_counts()
            response = await _send(client, endpoint, case, token)
            sent += 1
            fault = _fault(response, case)
            after = await _row_counts()
            changed = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
            if changed:
                fault = f"{fault or response.status_code}; rows changed {changed}"
            if fault:
                failures.append(f"{endpoint.name} | {case.label} | {fault}")
    return sent, failures


@pytest.mark.timeout(900)
@pytest.mark.parametrize("role", ROLES)
async def test_no_bad_input_is_a_server_error_or_a_change(
    app: Litestar, client: Client, token_for: TokenFor, settings: Settings, role: str
) -> None:
    token = None if role == "anonymous" else await token_for(Role(role))
    sent, failures = await _sweep(app, client, token, settings)
    assert sent > 500
    assert not failures, f"{len(failures)} of {sent} bad requests as {role}:\n" + "\n".join(
        failures
    )


@pytest.mark.timeout(300)
@pytest.mark.parametrize("routes", OWN_ROLE)
async def test_no_bad_input_to_routes_of_their_own_role(
    app: Litestar, client: Client, token_for: TokenFor, settings: Settings, routes: str
) -> None:
    prefix, role = OWN_ROLE[routes]
    sent, failures = await _sweep(app, client, await token_for(role), settings, prefix)
    assert sent > 50
    assert not failures, f"{len(failures)} of {sent} bad requests as {role}:\n" + "\n".join(
        failures
    )
