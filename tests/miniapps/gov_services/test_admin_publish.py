"""A published version is frozen: a change is a new draft, published in its turn, and the
version before stays readable for the applications pinned to it."""

from __future__ import annotations

from backend.kernel.roles import Role
from miniapps.gov_services.document import document_sha256, parse_document
from tests.miniapps.gov_services.catalogue_support import Catalogue, document, row_counts


async def test_publishing_freezes_a_version_and_a_new_draft_takes_over(
    catalogue: Catalogue,
) -> None:
    created = await catalogue.create()
    item_id, v1 = created["item"]["id"], created["draft"]
    assert (v1["version"], v1["status"], v1["sha256"]) == (1, "draft", "")
    assert (await catalogue.resident(f"/items/{item_id}")).status_code == 404

    published = await catalogue.publish(v1["id"])
    assert published["status"] == "published"
    assert published["published_at"] == published["valid_from"]
    assert published["sha256"] == document_sha256(parse_document(published["document"]))

    before = await row_counts()
    edit = await catalogue.admin("PATCH", f"/versions/{v1['id']}", json={"document": document()})
    assert edit.status_code == 409
    assert (edit.json()["code"], edit.json()["version_status"]) == (
        "item_version_frozen",
        "published",
    )
    again = await catalogue.admin("POST", f"/versions/{v1['id']}/publish")
    assert again.json()["code"] == "item_version_frozen"
    assert await row_counts() == before

    started = await catalogue.admin("POST", f"/items/{item_id}/versions")
    assert started.status_code == 201, started.text
    v2 = started.json()
    assert (v2["version"], v2["status"], v2["document"]) == (2, "draft", published["document"])
    changed = document(promised_limit_wd=7)
    edit = await catalogue.admin("PATCH", f"/versions/{v2['id']}", json={"document": changed})
    assert edit.status_code == 200, edit.text
    assert edit.json()["document"]["promised_limit_wd"] == 7
    await catalogue.publish(v2["id"])

    current = (await catalogue.resident(f"/items/{item_id}")).json()
    assert (current["version"]["id"], current["version"]["version"]) == (v2["id"], 2)
    assert current["version"]["document"]["promised_limit_wd"] == 7
    pinned = await catalogue.resident(f"/items/{item_id}/versions/{v1['id']}")
    assert pinned.status_code == 200
    assert pinned.json()["document"] == published["document"]
    assert pinned.json()["valid_to"] == current["version"]["valid_from"]
    assert pinned.json()["status"] == "published"


async def test_an_edit_from_a_stale_revision_is_refused(catalogue: Catalogue) -> None:
    draft = (await catalogue.create())["draft"]
    path = f"/versions/{draft['id']}"
    read = await catalogue.admin("GET", path)
    assert read.headers["etag"] == '"0"'
    first = await catalogue.admin(
        "PATCH", path, json={"document": document(fee=100)}, headers={"If-Match": '"0"'}
    )
    assert (first.status_code, first.headers["etag"]) == (200, '"1"')
    before = await row_counts()
    stale = await catalogue.admin(
        "PATCH", path, json={"document": document(fee=200)}, headers={"If-Match": '"0"'}
    )
    assert (stale.status_code, stale.json()["code"]) == (412, "item_version_changed")
    publish = await catalogue.admin("POST", f"{path}/publish", headers={"If-Match": '"0"'})
    assert publish.status_code == 412
    bad = await catalogue.admin("POST", f"{path}/publish", headers={"If-Match": "soon"})
    assert (bad.status_code, bad.json()["code"]) == (400, "item_if_match_invalid")
    assert await row_counts() == before
    assert (await catalogue.admin("GET", path)).json()["document"]["fee"] == 100


async def test_publishing_an_invalid_document_lists_every_problem(catalogue: Catalogue) -> None:
    broken = document(promised_limit_wd=30, legal_limit_wd=20)
    broken["steps"][1]["role"] = "mayor"
    broken["steps"][2]["kind"] = "review"
    broken["form"]["ui"]["rules"][0]["field"] = "spouse"
    draft = (await catalogue.create(document=broken))["draft"]
    before = await row_counts()
    response = await catalogue.admin("POST", f"/versions/{draft['id']}/publish")
    assert response.status_code == 422
    assert response.json()["code"] == "document_invalid"
    named = {error["field"] for error in response.json()["errors"]}
    assert {
        "/promised_limit_wd",
        "/steps/1/role",
        "/steps/2/kind",
        "/form/ui/rules/0/field",
    } <= named
    assert await row_counts() == before
    assert (await catalogue.admin("GET", f"/versions/{draft['id']}")).json()["status"] == "draft"


async def test_a_document_of_the_wrong_shape_is_refused_with_every_place(
    catalogue: Catalogue,
) -> None:
    before = await row_counts()
    wrong = document(retention_days="long", fee=-1)
    del wrong["steps"]
    response = await catalogue.admin("POST", "/items", json={**_body(), "document": wrong})
    assert (response.status_code, response.json()["code"]) == (422, "document_invalid")
    named = {error["field"] for error in response.json()["errors"]}
    assert {"/retention_days", "/fee", "/steps"} <= named
    assert await row_counts() == before


async def test_an_items_code_is_its_own(catalogue: Catalogue) -> None:
    await catalogue.create(code="11410100MB0001")
    before = await row_counts()
    response = await catalogue.admin("POST", "/items", json={**_body(), "code": "11410100MB0001"})
    assert (response.status_code, response.json()["code"]) == (409, "item_code_taken")
    assert await row_counts() == before


async def test_an_item_has_one_draft_at_a_time(catalogue: Catalogue) -> None:
    created = await catalogue.create()
    item_id = created["item"]["id"]
    before = await row_counts()
    response = await catalogue.admin("POST", f"/items/{item_id}/versions")
    assert (response.status_code, response.json()["code"]) == (409, "item_draft_exists")
    assert await row_counts() == before


async def test_only_the_catalogue_admin_writes_it(catalogue: Catalogue) -> None:
    draft = (await catalogue.create())["draft"]
    before = await row_counts()
    for role in (Role.RESIDENT, Role.PLATFORM_ADMIN, Role.SERVICE_OFFICER):
        publish = await catalogue.admin("POST", f"/versions/{draft['id']}/publish", role=role)
        assert publish.status_code == 403, (role, publish.text)
        create = await catalogue.admin("POST", "/items", json=_body(), role=role)
        assert create.status_code == 403, (role, create.text)
    assert await row_counts() == before


async def test_retiring_takes_an_item_off_the_catalogue_but_keeps_its_versions(
    catalogue: Catalogue,
) -> None:
    item = await catalogue.published_item()
    started = await catalogue.admin("POST", f"/items/{item['id']}/versions")
    retired = await catalogue.admin("POST", f"/items/{item['id']}/retire")
    assert retired.status_code == 200, retired.text
    assert (retired.json()["current_version_id"], retired.json()["draft_version_id"]) == (
        None,
        None,
    )
    assert (await catalogue.resident(f"/items/{item['id']}")).json()["code"] == "item_not_found"
    pinned = await catalogue.resident(f"/items/{item['id']}/versions/{item['version']['id']}")
    assert (pinned.status_code, pinned.json()["status"]) == (200, "retired")
    assert pinned.json()["valid_to"] is not None
    dropped = await catalogue.admin("GET", f"/versions/{started.json()['id']}")
    assert dropped.json()["status"] == "retired"
    assert (
        await catalogue.resident(f"/items/{item['id']}/versions/{started.json()['id']}")
    ).status_code == 404
    before = await row_counts()
    again = await catalogue.admin("POST", f"/items/{item['id']}/retire")
    assert (again.status_code, again.json()["code"]) == (409, "item_retired")
    version_again = await catalogue.admin("POST", f"/versions/{item['version']['id']}/retire")
    assert (version_again.status_code, version_again.json()["code"]) == (409, "item_retired")
    assert await row_counts() == before


async def test_a_retired_item_comes_back_with_a_new_version(catalogue: Catalogue) -> None:
    item = await catalogue.published_item()
    retired = await catalogue.admin("POST", f"/versions/{item['version']['id']}/retire")
    assert retired.status_code == 200, retired.text
    assert (await catalogue.resident(f"/items/{item['id']}")).status_code == 404
    started = await catalogue.admin("POST", f"/items/{item['id']}/versions")
    await catalogue.publish(started.json()["id"])
    current = (await catalogue.resident(f"/items/{item['id']}")).json()["version"]
    assert (current["version"], current["status"]) == (2, "published")


def _body() -> dict[str, object]:
    from tests.miniapps.gov_services.catalogue_support import item_body

    return item_body()


async def test_a_create_repeated_with_its_key_creates_one_item(catalogue: Catalogue) -> None:
    body, key = _body(), {"Idempotency-Key": "create-elder-card"}
    first = await catalogue.admin("POST", "/items", json=body, headers=key)
    counts = await row_counts()
    again = await catalogue.admin("POST", "/items", json=body, headers=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert await row_counts() == counts
