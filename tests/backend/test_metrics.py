"""`GET /metrics`: the Prometheus text format, route templates for labels, the token in
prod, and what the parts count (codes sent and refused, scans, pushes, jobs)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import msgspec
import pytest
from litestar import Litestar
from prometheus_client.parser import text_string_to_metric_families

from backend.app import create_app
from backend.directory.users.service import account_for_phone
from backend.kernel.audience import Audience
from backend.kernel.roles import Role
from backend.kernel.settings import Mode, Settings
from backend.kernel.vault import Vault
from miniapps.health_code.verifier import Reason
from push.tables import Device
from tests.conftest import Client, TokenFor, bearer
from tests.miniapps.health_code.holders import enrolled
from tests.push.helpers import tell
from tests.support import RecordingSms, eventually, running

TOKEN = "m" * 40
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(client: Client, headers: dict[str, str] | None = None) -> Samples:
    """Every sample of /metrics, read by the Prometheus client's own text parser."""
    response = await client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def requests_of(samples: Samples, route: str, status: int, method: str = "GET") -> float:
    labels = {"method": method, "route": route, "status": str(status)}
    return value(samples, "yimen_http_requests_total", **labels)


async def test_it_parses_and_reads_the_outbox_and_the_queue(client: Client) -> None:
    samples = await scrape(client)
    assert value(samples, "yimen_outbox_backlog") == 0
    assert value(samples, "yimen_outbox_oldest_age_seconds") == 0
    depth = {labels for name, labels in samples if name == "yimen_job_queue_depth"}
    assert depth == {frozenset({("queue", "in_process")})}


async def test_the_route_label_is_the_template_never_the_path(client: Client) -> None:
    before = await scrape(client)
    for user_id in (101, 102, 103):
        assert (await client.get(f"/v1/users/{user_id}")).status_code == 401
    assert (await client.get("/no/such/path-4711")).status_code == 404
    after = await scrape(client)
    template = "/v1/users/{user_id}"
    assert requests_of(after, template, 401) - requests_of(before, template, 401) == 3
    assert requests_of(after, "<unmatched>", 404) - requests_of(before, "<unmatched>", 404) == 1
    routes = {dict(labels).get("route") for name, labels in after}
    assert not [r for r in routes if r and ("101" in r or "4711" in r)]
    count = ("yimen_http_request_duration_seconds_count", {"method": "GET", "route": template})
    assert value(after, count[0], **count[1]) - value(before, count[0], **count[1]) == 3


async def test_an_unknown_method_is_one_label_value(client: Client) -> None:
    before = await scrape(client)
    await client.request("BREW", "/healthz")
    await client.request("SPILL", "/healthz")
    after = await scrape(client)
    methods = {dict(labels).get("method") for name, labels in after}
    assert "BREW" not in methods
    assert "SPILL" not in methods
    other = sum(
        v - before.get(k, 0.0)
        for k, v in after.items()
        if k[0] == "yimen_http_requests_total" and ("method", "other") in k[1]
    )
    assert other == 2


@pytest.fixture
def prod(settings: Settings) -> Settings:
    return msgspec.structs.replace(settings, mode=Mode.PROD, metrics_token=TOKEN)


@pytest.fixture
async def prod_client(prod: Settings) -> AsyncIterator[Client]:
    async with running(create_app(prod)) as http:
        yield http


async def test_in_prod_a_scrape_without_the_token_is_401(prod_client: Client) -> None:
    refused: tuple[dict[str, str | bytes], ...] = (
        {},
        {"Authorization": "Bearer " + "x" * 40},
        {"Authorization": "Bearer " + TOKEN[:-1]},
        {"Authorization": "Basic " + TOKEN},
        {"Authorization": f"Bearer 令牌{TOKEN}".encode()},
    )
    for headers in refused:
        response = await prod_client.get("/metrics", headers=headers)
        assert response.status_code == 401, headers
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "metrics_token_invalid"
        assert response.headers["www-authenticate"].startswith("Bearer")
    await scrape(prod_client, {"Authorization": f"Bearer {TOKEN}"})


async def test_in_prod_without_a_token_there_are_no_metrics(prod: Settings) -> None:
    app: Litestar = create_app(msgspec.structs.replace(prod, metrics_token=""))
    async with running(app) as http:
        response = await http.get("/metrics")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


async def test_codes_sent_and_refused_are_counted(client: Client, sms: RecordingSms) -> None:
    before = await scrape(client)
    phone = {"phone": "13912345678"}
    assert (await client.post("/v1/auth/otp", json=phone)).status_code == 202
    assert (await client.post("/v1/auth/otp", json=phone)).status_code == 429
    await sms.last_code(phone["phone"])  # the send job has settled the first code
    after = await scrape(client)
    for outcome in ("sent", "refused"):
        name = "yimen_otp_codes_total"
        assert value(after, name, outcome=outcome) - value(before, name, outcome=outcome) == 1


async def test_scans_are_counted_by_verdict(client: Client, token_for: TokenFor) -> None:
    phone, credential = await enrolled(client, await token_for(Role.RESIDENT))
    staff = bearer(await token_for(Role.CHECKPOINT_STAFF))
    before = await scrape(client)
    path = "/v1/miniapps/health_code/scans"
    text = phone.show(credential)
    for body in ({"text": text}, {"text": text}, {"text": "not a code"}):
        await client.post(path, json={**body, "place": "东门"}, headers=staff)
    after = await scrape(client)
    for verdict in ("valid", Reason.REPLAYED, Reason.BAD_FORMAT):
        name = "yimen_scans_total"
        assert value(after, name, verdict=verdict) - value(before, name, verdict=verdict) == 1


async def test_pushes_and_jobs_are_counted(client: Client, vault: Vault) -> None:
    user_id = await account_for_phone(phone="13900001111", vault=vault)
    await Device.insert(Device(user_id=user_id, kind="token", address="t-1", platform="android"))
    before = await scrape(client)
    await tell(Audience.users(user_id), urgent=False)
    sent = {"provider": "inbox", "status": "logged"}

    async def counted() -> bool:
        now = await scrape(client)
        name = "yimen_push_deliveries_total"
        return value(now, name, **sent) - value(before, name, **sent) == 1

    await eventually(counted, what="the delivery counted")
    after = await scrape(client)
    ok = {"job": "events.deliver", "outcome": "ok"}
    assert value(after, "yimen_jobs_total", **ok) > value(before, "yimen_jobs_total", **ok)
