"""A bundle application's bad input: a form that does not fit its bundle or its members'
schemas is a 422 listing every problem at its place in the form; licences without consent,
not the caller's or for no material are refused; a second submit, someone else's bundle, a
stale If-Match and a member submitted on its own are refused. Nothing changes."""

from __future__ import annotations

import copy
from typing import Any

from tests.conftest import Client, TokenForPhone, bearer
from tests.miniapps.gov_services.applying_support import APP, RESIDENT
from tests.miniapps.gov_services.bundle_support import (
    CARD,
    CERTIFICATE,
    HOUSEHOLD,
    SUBMIT,
    bundle_counts,
    give_photo,
    member_ids,
    publish_bundle,
    publish_members,
    start_bundle,
)

NEIGHBOUR = "13800000002"  # 王家属, signed in as a resident too


async def _started(client: Client, headers: dict[str, str]) -> dict[str, Any]:
    await publish_members()
    await publish_bundle()
    started = await start_bundle(client, headers)
    await give_photo(client, headers, member_ids(started)[CARD])
    return started


async def _refused(
    client: Client, headers: dict[str, str], bundle_id: int, body: Any, status: int, code: str
) -> dict[str, Any]:
    before = await bundle_counts()
    answer = await client.post(
        f"{APP}/bundle-applications/{bundle_id}/submit", json=body, headers=headers
    )
    assert (answer.status_code, answer.json().get("code")) == (status, code), answer.text
    assert await bundle_counts() == before
    refused: dict[str, Any] = answer.json()
    return refused


async def test_answers_that_do_not_fit_are_listed_at_their_places_in_the_form(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    headers = bearer(await token_for_phone(RESIDENT))
    started = await _started(client, headers)
    body = copy.deepcopy(SUBMIT)
    body["answers"]["shared"]["mother_id_card"] = "12345"  # fills two members: listed once
    body["answers"]["members"][CERTIFICATE]["birth_weight_g"] = 100
    body["materials"] = [x for x in body["materials"] if x["material_code"] != "parents_id_cards"]
    refused = await _refused(client, headers, started["id"], body, 422, "bundle_incomplete")
    fields = [e["field"] for e in refused["errors"]]
    assert sorted(fields) == sorted(
        [
            "/answers/shared/mother_id_card",
            f"/answers/members/{CERTIFICATE}/birth_weight_g",
            f"/members/{CERTIFICATE}/materials/parents_id_cards",
        ]
    )
    view = (await client.get(f"{APP}/bundle-applications/{started['id']}", headers=headers)).json()
    assert view["state"] == "draft"
    assert {m["application"]["status"] for m in view["members"]} == {"draft"}


async def test_a_form_naming_what_the_bundle_has_not_is_refused(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    headers = bearer(await token_for_phone(RESIDENT))
    started = await _started(client, headers)
    body = copy.deepcopy(SUBMIT)
    body["answers"]["shared"]["favourite_colour"] = "红"
    body["answers"]["members"][HOUSEHOLD]["child_name"] = "另一个名字"  # a shared field's
    body["answers"]["members"]["no_such_item"] = {}
    refused = await _refused(client, headers, started["id"], body, 422, "bundle_incomplete")
    assert {e["field"] for e in refused["errors"]} == {
        "/answers/shared/favourite_colour",
        f"/answers/members/{HOUSEHOLD}/child_name",
        "/answers/members/no_such_item",
    }


async def test_licences_are_given_with_consent_by_their_holder_for_a_material_asked_for(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    headers = bearer(await token_for_phone(RESIDENT))
    bundle_id = (await _started(client, headers))["id"]
    await _refused(
        client, headers, bundle_id, {**SUBMIT, "consent": False}, 403, "licence_consent_required"
    )
    others = [{"material_code": "parents_id_cards", "licence_ref": "demo:id_card:wang-jiashu"}]
    await _refused(
        client, headers, bundle_id, {**SUBMIT, "materials": others}, 403, "licence_not_yours"
    )
    unknown = [{"material_code": "no_such_material", "licence_type": "birth_certificate"}]
    await _refused(
        client, headers, bundle_id, {**SUBMIT, "materials": unknown}, 422, "material_unknown"
    )
    wrong = [{"material_code": "marriage_certificate", "licence_type": "birth_certificate"}]
    await _refused(
        client, headers, bundle_id, {**SUBMIT, "materials": wrong}, 422, "material_source_refused"
    )
    both = [
        {
            "material_code": "birth_certificate",
            "licence_type": "birth_certificate",
            "licence_ref": "demo:id_card:wang-jumin",
        }
    ]
    await _refused(
        client, headers, bundle_id, {**SUBMIT, "materials": both}, 422, "bundle_incomplete"
    )


async def test_a_bundle_is_submitted_once_by_its_applicant_at_the_version_they_read(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    headers = bearer(await token_for_phone(RESIDENT))
    started = await _started(client, headers)
    bundle_id = started["id"]
    neighbour = bearer(await token_for_phone(NEIGHBOUR))
    before = await bundle_counts()
    seen = await client.get(f"{APP}/bundle-applications/{bundle_id}", headers=neighbour)
    assert (seen.status_code, seen.json()["code"]) == (404, "bundle_application_not_found")
    await _refused(client, neighbour, bundle_id, SUBMIT, 404, "bundle_application_not_found")
    stale = {**headers, "If-Match": f'"{started["version"] + 1}"'}
    await _refused(client, stale, bundle_id, SUBMIT, 412, "bundle_application_changed")
    garbled = {**headers, "If-Match": "yesterday"}
    await _refused(client, garbled, bundle_id, SUBMIT, 400, "bundle_if_match_invalid")
    assert await bundle_counts() == before

    current = {**headers, "If-Match": f'"{started["version"]}"'}
    answer = await client.post(
        f"{APP}/bundle-applications/{bundle_id}/submit", json=SUBMIT, headers=current
    )
    assert answer.status_code == 200, answer.text
    await _refused(client, headers, bundle_id, SUBMIT, 409, "bundle_application_submitted")


async def test_a_member_is_not_submitted_without_its_bundle(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    headers = bearer(await token_for_phone(RESIDENT))
    started = await _started(client, headers)
    household = member_ids(started)[HOUSEHOLD]
    before = await bundle_counts()
    answer = await client.post(f"{APP}/applications/{household}/submit", headers=headers)
    assert (answer.status_code, answer.json()["code"]) == (409, "bundle_member_held")
    assert await bundle_counts() == before


async def test_a_submit_sent_again_with_its_idempotency_key_is_answered_as_before(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    plain = bearer(await token_for_phone(RESIDENT))
    bundle_id = (await _started(client, plain))["id"]
    headers = {**plain, "Idempotency-Key": "newborn-submit-1"}
    url = f"{APP}/bundle-applications/{bundle_id}/submit"
    first = await client.post(url, json=SUBMIT, headers=headers)
    assert first.status_code == 200, first.text
    before = await bundle_counts()
    again = await client.post(url, json=SUBMIT, headers=headers)
    assert (again.status_code, again.json()) == (200, first.json())
    assert await bundle_counts() == before
