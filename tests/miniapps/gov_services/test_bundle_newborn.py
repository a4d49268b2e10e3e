"""新生儿出生一件事 (issue test 11): one submit creates the four members' applications, the
certificate's submitted and the other three waiting; 出生登记 stays blocked through 受理 and
决定 of 出生医学证明 and starts once it is issued (送达), with the new certificate's number
and the licence itself; the bundle's progress says what its members' rows say."""

from __future__ import annotations

import datetime as dt
from typing import Any

from backend.kernel.db import json_value
from backend.kernel.vault import Vault
from backend.kernel.workdays import work_calendar
from miniapps.gov_services.dates import city_date
from miniapps.gov_services.tables import Application, IssuedLicence, MaterialItem
from tests.conftest import Client, TokenForPhone, bearer
from tests.miniapps.gov_services.applying_support import APP, RESIDENT
from tests.miniapps.gov_services.bundle_support import (
    CARD,
    CERTIFICATE,
    FORM,
    HOUSEHOLD,
    INSURANCE,
    MEMBERS,
    SUBMIT,
    Office,
    bundle_counts,
    give_photo,
    member_ids,
    moved_handled,
    publish_bundle,
    publish_members,
    start_bundle,
    status_of,
)

WAITING_ONES = (HOUSEHOLD, INSURANCE, CARD)


async def _progress(client: Client, headers: dict[str, str], bundle_id: int) -> dict[str, Any]:
    answer = await client.get(f"{APP}/bundle-applications/{bundle_id}", headers=headers)
    assert answer.status_code == 200, answer.text
    view: dict[str, Any] = answer.json()
    return view


async def _matches_rows(view: dict[str, Any]) -> None:
    """Each member the progress shows is its application's row as it stands."""
    for member in view["members"]:
        row = (
            await Application.select().where(Application.id == member["application"]["id"]).first()
        )
        assert row is not None
        assert member["application"]["status"] == row["status"], member["item_code"]
        assert member["application"]["current_step"] == row["current_step"]


async def test_one_submit_four_members_and_the_household_waits_for_the_certificate(
    client: Client, token_for_phone: TokenForPhone, vault: Vault
) -> None:
    versions = await publish_members()
    await publish_bundle()
    headers = bearer(await token_for_phone(RESIDENT))
    started = await start_bundle(client, headers)
    ids = member_ids(started)
    assert started["state"] == "draft"
    assert [m["item_code"] for m in started["members"]] == list(MEMBERS)
    assert started["answers"]["shared"]["household_register_no"] == "4101020032815"  # prefilled
    await give_photo(client, headers, ids[CARD])

    before = await bundle_counts()
    answer = await client.post(
        f"{APP}/bundle-applications/{started['id']}/submit", json=SUBMIT, headers=headers
    )
    assert answer.status_code == 200, answer.text
    view = answer.json()
    after = await bundle_counts()
    # One submit: every member moves once (one history, one event each), one 办件编号
    # (the certificate's); the waiting ones get theirs when they start.
    assert after["statuses"] - before["statuses"] == 4
    assert after["refs"] - before["refs"] == 1
    assert after["bundles_submitted"] - before["bundles_submitted"] == 1
    assert after["applications"] == before["applications"]
    statuses = {m["item_code"]: m["application"]["status"] for m in view["members"]}
    assert statuses == {CERTIFICATE: "submitted", **dict.fromkeys(WAITING_ONES, "waiting")}
    assert {m["item_code"]: m["waiting_for"] for m in view["members"]} == {
        CERTIFICATE: [],
        **{code: [CERTIFICATE] for code in WAITING_ONES},
    }
    assert view["state"] == "in_progress"
    assert view["due_date"] is None  # no member accepted yet
    rows = {
        code: await Application.select().where(Application.id == ids[code]).first()
        for code in MEMBERS
    }
    for code, row in rows.items():
        assert row is not None
        assert (row["bundle_id"], row["item_version_id"]) == (view["id"], versions[code])
    # The shared answers, given once, are in each member under its own field's name.
    assert json_value(rows[INSURANCE]["answers"])["insured_name"] == FORM["shared"]["child_name"]
    assert json_value(rows[CARD]["answers"])["holder_name"] == FORM["shared"]["child_name"]
    assert (
        json_value(rows[HOUSEHOLD]["answers"])["mother_id_card"] == FORM["shared"]["mother_id_card"]
    )
    await moved_handled()

    office = Office(vault)
    accepted_at = dt.datetime.now(dt.UTC)
    await office.accept(ids[CERTIFICATE], accepted_at)
    await moved_handled()
    progress = await _progress(client, headers, view["id"])
    expected_due = (await work_calendar()).add_working_days(city_date(accepted_at), 5)
    assert progress["due_date"] == expected_due.date.isoformat()
    await office.decide(ids[CERTIFICATE])
    await moved_handled()
    for code in WAITING_ONES:  # decided is not done: the certificate is not issued yet
        assert await status_of(ids[code]) == "waiting", code
    assert await IssuedLicence.count() == 0

    await office.deliver(ids[CERTIFICATE])
    await moved_handled()
    for code in WAITING_ONES:
        assert await status_of(ids[code]) == "submitted", code
    certificate = await Application.select().where(Application.id == ids[CERTIFICATE]).first()
    issued = await IssuedLicence.select().first()
    assert certificate is not None
    assert issued is not None
    number = f"R{certificate['ref_no']}"
    assert json_value(issued["fields"])["cert_no"] == number
    household = await Application.select().where(Application.id == ids[HOUSEHOLD]).first()
    assert household is not None
    assert json_value(household["answers"])["birth_cert_no"] == number
    assert json_value(household["prefilled"])["birth_cert_no"] == issued["licence_ref"]
    given = await MaterialItem.select(MaterialItem.material_code, MaterialItem.licence_ref).where(
        MaterialItem.application_id == ids[HOUSEHOLD]
    )
    assert {"material_code": "birth_certificate", "licence_ref": issued["licence_ref"]} in given

    progress = await _progress(client, headers, view["id"])
    await _matches_rows(progress)
    assert progress["state"] == "in_progress"
    assert all(m["waiting_for"] == [] for m in progress["members"])
    assert progress["due_date"] == expected_due.date.isoformat()
