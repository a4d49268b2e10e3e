"""What the catalogue's admins read: items in every state, an item's versions, the changes
between two versions, a version tried with sample data, and the document's JSON Schema."""

from __future__ import annotations

from jsonschema import Draft202012Validator

from tests.miniapps.gov_services.catalogue_support import Catalogue, document, row_counts


async def test_the_admin_list_shows_every_item_with_its_current_version_and_draft(
    catalogue: Catalogue,
) -> None:
    drafted = await catalogue.create(code="LI-001")
    published = await catalogue.published_item(code="LI-002")
    started = await catalogue.admin("POST", f"/items/{published['id']}/versions")
    page = (await catalogue.admin("GET", "/items", params={"limit": 1})).json()
    assert [i["id"] for i in page["items"]] == [drafted["item"]["id"]]
    page = (await catalogue.admin("GET", "/items", params={"cursor": page["next_cursor"]})).json()
    assert page["next_cursor"] is None
    listed = page["items"][0]
    assert listed["current_version_id"] == published["version"]["id"]
    assert listed["draft_version_id"] == started.json()["id"]
    found = (await catalogue.admin("GET", "/items", params={"q": "li-001"})).json()["items"]
    assert [(i["code"], i["current_version_id"]) for i in found] == [("LI-001", None)]


async def test_versions_are_listed_newest_first_and_diffed_by_pointer(catalogue: Catalogue) -> None:
    item = await catalogue.published_item()
    v1 = item["version"]["id"]
    v2 = (await catalogue.admin("POST", f"/items/{item['id']}/versions")).json()["id"]
    changed = document(promised_limit_wd=3, fee=500)
    await catalogue.admin("PATCH", f"/versions/{v2}", json={"document": changed})
    page = (await catalogue.admin("GET", f"/items/{item['id']}/versions")).json()
    assert [(v["id"], v["status"]) for v in page["items"]] == [(v2, "draft"), (v1, "published")]
    assert "document" not in page["items"][0]

    diff = await catalogue.admin("GET", f"/versions/{v2}/diff", params={"base": v1})
    assert diff.status_code == 200, diff.text
    assert {(c["pointer"], c.get("before"), c.get("after")) for c in diff.json()["changes"]} == {
        ("/promised_limit_wd", 5, 3),
        ("/fee", 0, 500),
    }
    other = await catalogue.published_item()
    foreign = await catalogue.admin(
        "GET", f"/versions/{v2}/diff", params={"base": other["version"]["id"]}
    )
    assert (foreign.status_code, foreign.json()["code"]) == (404, "item_version_not_found")
    unknown = await catalogue.admin("GET", "/items/999999/versions")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "item_not_found")


async def test_a_preview_says_what_a_resident_would_meet_and_stores_nothing(
    catalogue: Catalogue,
) -> None:
    item = await catalogue.published_item()
    path = f"/versions/{item['version']['id']}/preview"
    before = await row_counts()
    sample = {
        "answers": {"phone": "12", "delivery": "post", "stray": 1},
        "profile": {"age": 59},
        "licences": {"id_card": {"name": "王大爷"}},
    }
    response = await catalogue.admin("POST", path, json=sample, headers={"Accept-Language": "en"})
    assert response.status_code == 200, response.text
    seen = response.json()
    assert seen["visible_fields"] == ["name", "phone", "delivery", "address"]
    assert seen["answers_kept"] == {"name": "王大爷", "phone": "12", "delivery": "post"}
    assert {p["field"] for p in seen["answer_problems"]} == {"/answers/phone", "/answers/address"}
    assert (seen["eligible"], [f["field"] for f in seen["eligibility_failed"]]) == (
        False,
        ["age_60"],
    )
    assert seen["eligibility_failed"][0]["message"] == "Only for those aged 60 or over"
    assert [m["code"] for m in seen["required_materials"]] == ["id_card", "post_receipt"]

    pickup = {
        "answers": {"name": "王大爷", "phone": "13800000001", "delivery": "pickup"},
        "profile": {"age": 60},
    }
    seen = (await catalogue.admin("POST", path, json=pickup)).json()
    assert seen["visible_fields"] == ["name", "phone", "delivery"]
    assert (seen["answer_problems"], seen["eligible"]) == ([], True)
    assert [m["code"] for m in seen["required_materials"]] == ["id_card"]
    assert await row_counts() == before


async def test_a_draft_with_broken_schemas_cannot_be_previewed(catalogue: Catalogue) -> None:
    broken = document()
    broken["eligibility"][0]["predicate"] = {"type": "no-such-type"}
    draft = (await catalogue.create(document=broken))["draft"]
    response = await catalogue.admin("POST", f"/versions/{draft['id']}/preview", json={})
    assert (response.status_code, response.json()["code"]) == (422, "document_invalid")
    assert response.json()["errors"][0]["field"].startswith("/eligibility/0/predicate")


async def test_the_document_schema_checks_a_draft(catalogue: Catalogue) -> None:
    schema = (await catalogue.admin("GET", "/document-schema")).json()
    validator = Draft202012Validator(schema)
    assert validator.is_valid(document())
    assert not validator.is_valid({**document(), "retention_days": "long"})
