"""Releasing a bundle's waiting members: once per delivery, however often its event comes;
a member that still lacks something after its release is its applicant's draft to complete
and submit; a member whose prerequisite was refused waits no more than its applicant wants."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Litestar

from backend.kernel.contract import JobContext
from backend.kernel.events.delivery import decode
from backend.kernel.events.tables import OutboxEvent
from backend.kernel.services import services_of
from backend.kernel.vault import Vault
from miniapps.gov_services.bundle_release import follow_delivery
from miniapps.gov_services.tables import ApplicationStatus, BundleApplication
from tests.conftest import Client, TokenForPhone, bearer
from tests.miniapps.gov_services.applying_support import APP, RESIDENT
from tests.miniapps.gov_services.bundle_support import (
    CARD,
    CERTIFICATE,
    HOUSEHOLD,
    INSURANCE,
    SUBMIT,
    Office,
    bundle_counts,
    member_ids,
    moved_handled,
    publish_bundle,
    publish_members,
    status_of,
    submitted_bundle,
)

WAITING_ONES = (HOUSEHOLD, INSURANCE, CARD)


async def _delivered(
    client: Client, token_for_phone: TokenForPhone, vault: Vault, body: Any = None
) -> tuple[dict[str, str], dict[str, int]]:
    """The demo bundle submitted with `body`, and its certificate taken to 送达."""
    await publish_members()
    await publish_bundle()
    headers = bearer(await token_for_phone(RESIDENT))
    ids = member_ids(await submitted_bundle(client, headers, body))
    office = Office(vault)
    await office.accept(ids[CERTIFICATE], dt.datetime.now(dt.UTC))
    await office.decide(ids[CERTIFICATE])
    await office.deliver(ids[CERTIFICATE])
    await moved_handled()
    return headers, ids


async def test_a_delivery_told_again_releases_nothing_more(
    app: Litestar, client: Client, token_for_phone: TokenForPhone, vault: Vault
) -> None:
    _, ids = await _delivered(client, token_for_phone, vault)
    for code in WAITING_ONES:
        assert await status_of(ids[code]) == "submitted", code
    releases = await ApplicationStatus.count().where(ApplicationStatus.action == "release_waiting")
    assert releases == 3
    rows = await OutboxEvent.select().where(OutboxEvent.name == "gov_services.application_moved")
    events = [decode(row, services_of(app).registry) for row in rows]
    delivery = next(e for e in events if e.payload.action == "deliver")
    job = JobContext(app_id="gov_services", services=services_of(app))
    before = await bundle_counts()
    await follow_delivery(delivery, job)  # as a redelivery would, past the handled-marker
    await follow_delivery(delivery, job)
    assert await bundle_counts() == before
    assert await ApplicationStatus.count().where(ApplicationStatus.action == "release_waiting") == 3


async def test_a_member_released_without_what_it_needs_is_its_applicants_draft(
    client: Client, token_for_phone: TokenForPhone, vault: Vault
) -> None:
    # No licence awaited: the members waiting for the certificate were not promised it.
    body = {**SUBMIT, "materials": [x for x in SUBMIT["materials"] if "licence_type" not in x]}
    headers, ids = await _delivered(client, token_for_phone, vault, body)
    for code in WAITING_ONES:
        assert await status_of(ids[code]) == "draft", code
    bundle = await BundleApplication.select(BundleApplication.id).first()
    assert bundle is not None
    view = (await client.get(f"{APP}/bundle-applications/{bundle['id']}", headers=headers)).json()
    assert view["state"] == "needs_you"
    household = next(m["application"] for m in view["members"] if m["item_code"] == HOUSEHOLD)
    certificate = next(n for n in household["needs"] if n["code"] == "birth_certificate")
    assert certificate["given"] == 0
    assert len(certificate["licences"]) == 1
    given = await client.post(
        f"{APP}/applications/{ids[HOUSEHOLD]}/materials/licences",
        json={
            "material_code": "birth_certificate",
            "licence_ref": certificate["licences"][0],
            "consent": True,
        },
        headers=headers,
    )
    assert given.status_code == 201, given.text
    answer = await client.post(f"{APP}/applications/{ids[HOUSEHOLD]}/submit", headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "submitted"


async def test_a_member_whose_prerequisite_is_refused_is_left_to_its_applicant(
    client: Client, token_for_phone: TokenForPhone, vault: Vault
) -> None:
    await publish_members()
    await publish_bundle()
    headers = bearer(await token_for_phone(RESIDENT))
    view = await submitted_bundle(client, headers)
    ids = member_ids(view)
    office = Office(vault)
    await office.accept(ids[CERTIFICATE], dt.datetime.now(dt.UTC))
    await office.decide(ids[CERTIFICATE], outcome="rejected")
    await office.deliver(ids[CERTIFICATE])
    await moved_handled()
    for code in WAITING_ONES:
        assert await status_of(ids[code]) == "waiting", code
    progress = (await client.get(f"{APP}/bundle-applications/{view['id']}", headers=headers)).json()
    assert progress["state"] == "needs_you"
    answer = await client.post(
        f"{APP}/applications/{ids[HOUSEHOLD]}/withdraw",
        json={"reason": "出生医学证明未获签发"},
        headers=headers,
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "withdrawn"
