"""Publishing a bundle (一件事): the demo's publishes and is frozen with its hash; an invalid
one is refused with every problem at its pointer (members that are no published item, a
`depends_on` naming no member or closing a cycle, shared fields that do not fit), and
nothing changes."""

from __future__ import annotations

from typing import Any

import msgspec

from backend.kernel.registry import Installed
from backend.kernel.vault import Vault
from backend.seed import seed_demo, seed_miniapp_demos
from miniapps.gov_services import MINIAPP
from miniapps.gov_services.bundle_model import BundleIn, bundle_sha256
from miniapps.gov_services.tables import BundleVersion
from tests.conftest import Client, TokenForPhone, bearer
from tests.miniapps.gov_services.applying_support import APP
from tests.miniapps.gov_services.bundle_support import (
    CARD,
    CERTIFICATE,
    HOUSEHOLD,
    INSURANCE,
    NEWBORN,
    bundle_counts,
    newborn_bundle,
    publish_members,
)

SERVICE_ADMIN = "13800000018"


def _body(bundle: BundleIn) -> dict[str, Any]:
    body: dict[str, Any] = msgspec.json.decode(msgspec.json.encode(bundle))
    return body


async def _admin(token_for_phone: TokenForPhone) -> dict[str, str]:
    return bearer(await token_for_phone(SERVICE_ADMIN))


async def _create(client: Client, headers: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    answer = await client.post(f"{APP}/admin/bundles", json=body, headers=headers)
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()
    return created


async def test_the_demo_bundle_publishes_and_is_then_frozen(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    await publish_members()
    headers = await _admin(token_for_phone)
    bundle = newborn_bundle()
    draft = await _create(client, headers, _body(bundle))
    assert (draft["status"], draft["version"]) == ("draft", 1)
    again = await client.post(f"{APP}/admin/bundles", json=_body(bundle), headers=headers)
    assert (again.status_code, again.json()["code"]) == (409, "bundle_draft_exists")

    published = await client.post(
        f"{APP}/admin/bundle-versions/{draft['id']}/publish", headers=headers
    )
    assert published.status_code == 200, published.text
    view = published.json()
    assert view["status"] == "published"
    assert view["sha256"] == bundle_sha256(bundle.code, bundle.name, bundle.definition)

    before = await bundle_counts()
    edit = {"name": "改名", "definition": _body(bundle)["definition"]}
    frozen = await client.put(
        f"{APP}/admin/bundle-versions/{draft['id']}", json=edit, headers=headers
    )
    assert (frozen.status_code, frozen.json()["code"]) == (409, "bundle_version_frozen")
    twice = await client.post(f"{APP}/admin/bundle-versions/{draft['id']}/publish", headers=headers)
    assert (twice.status_code, twice.json()["code"]) == (409, "bundle_version_frozen")
    assert await bundle_counts() == before

    # A change is a new version; publishing it retires the one before.
    second = await _create(client, headers, _body(bundle))
    assert second["version"] == 2
    published = await client.post(
        f"{APP}/admin/bundle-versions/{second['id']}/publish", headers=headers
    )
    assert published.status_code == 200, published.text
    statuses = await BundleVersion.select(BundleVersion.version, BundleVersion.status).order_by(
        BundleVersion.version
    )
    assert [(r["version"], r["status"]) for r in statuses] == [(1, "retired"), (2, "published")]


async def test_an_invalid_bundle_is_refused_with_every_problem_and_nothing_changes(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    await publish_members()
    headers = await _admin(token_for_phone)
    body = _body(newborn_bundle())
    definition = body["definition"]
    members = definition["members"]
    # 出生医学证明 waits for 出生登记, which waits for it: neither would ever start.
    members[0]["depends_on"] = [HOUSEHOLD]
    members[2]["depends_on"] = [CERTIFICATE, "no_such_member"]
    members.append({"item": "not_published_item", "depends_on": []})
    definition["shared"]["phone"][CARD] = "bank_name"  # an enum of banks, not a phone
    definition["shared"]["child_sex"][INSURANCE] = "no_such_field"
    draft = await _create(client, headers, body)
    before = await bundle_counts()

    answer = await client.post(
        f"{APP}/admin/bundle-versions/{draft['id']}/publish", headers=headers
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == "bundle_invalid"
    problems = {e["field"]: e["message"] for e in answer.json()["errors"]}
    assert set(problems) == {
        "/members/4/item",
        "/members/2/depends_on/1",
        "/members/0/depends_on",
        f"/shared/phone/{CARD}",
        f"/shared/child_sex/{INSURANCE}",
    }
    assert problems["/members/0/depends_on"] == (
        f"the members wait for each other: {CERTIFICATE} → {HOUSEHOLD} → {CERTIFICATE}"
    )
    assert await bundle_counts() == before
    row = (
        await BundleVersion.select(BundleVersion.status)
        .where(BundleVersion.id == draft["id"])
        .first()
    )
    assert row == {"status": "draft"}


async def test_a_cycle_through_three_members_is_found(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    await publish_members()
    headers = await _admin(token_for_phone)
    body = _body(newborn_bundle())
    members = body["definition"]["members"]
    members[0]["depends_on"] = [CARD]  # certificate → card → household → certificate
    members[3]["depends_on"] = [HOUSEHOLD]
    draft = await _create(client, headers, body)
    answer = await client.post(
        f"{APP}/admin/bundle-versions/{draft['id']}/publish", headers=headers
    )
    assert answer.status_code == 422, answer.text
    assert [e["field"] for e in answer.json()["errors"]] == ["/members/0/depends_on"]


async def test_only_a_published_bundle_is_offered(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    await publish_members()
    admin = await _admin(token_for_phone)
    await _create(client, admin, _body(newborn_bundle()))  # a draft only
    resident = bearer(await token_for_phone("13800000001"))
    before = await bundle_counts()
    for code in (NEWBORN, "no_such_bundle"):
        shown = await client.get(f"{APP}/bundles/{code}", headers=resident)
        assert (shown.status_code, shown.json()["code"]) == (404, "bundle_not_offered")
        started = await client.post(f"{APP}/bundles/{code}/applications", headers=resident)
        assert (started.status_code, started.json()["code"]) == (404, "bundle_not_offered")
    assert await bundle_counts() == before


async def test_the_demo_seed_publishes_the_newborn_bundle_once(vault: Vault) -> None:
    await seed_demo(vault)
    installed = [Installed(package="yimen", manifest=MINIAPP)]
    for _ in range(2):
        await seed_miniapp_demos(installed)
    bundle = newborn_bundle()
    rows = await BundleVersion.select(
        BundleVersion.code, BundleVersion.version, BundleVersion.status, BundleVersion.sha256
    )
    assert rows == [
        {
            "code": NEWBORN,
            "version": 1,
            "status": "published",
            "sha256": bundle_sha256(bundle.code, bundle.name, bundle.definition),
        }
    ]
