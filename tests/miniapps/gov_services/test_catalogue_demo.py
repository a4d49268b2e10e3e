"""The demo catalogue is published by `yimen seed-demo`, every item of it, once however often
the seed runs."""

from __future__ import annotations

from backend.kernel.registry import Installed
from backend.kernel.roles import Role
from backend.kernel.vault import Vault
from backend.seed import seed_demo, seed_miniapp_demos
from miniapps.gov_services import MINIAPP
from miniapps.gov_services.catalogue import demo_catalogue
from miniapps.gov_services.document import document_sha256
from tests.conftest import Client, TokenFor, bearer
from tests.miniapps.gov_services.catalogue_support import API, row_counts
from tests.support import yimen


async def test_the_seed_publishes_every_demo_item_once(
    client: Client, token_for: TokenFor, vault: Vault
) -> None:
    await seed_demo(vault)
    installed = [Installed(package="yimen", manifest=MINIAPP)]
    assert await seed_miniapp_demos(installed) == ["gov_services"]
    seeded = await row_counts()
    await seed_miniapp_demos(installed)
    assert await row_counts() == seeded

    headers = bearer(await token_for(Role.RESIDENT))
    page = (await client.get(f"{API}/items", params={"limit": 100}, headers=headers)).json()
    demo = {entry.code: entry for entry in demo_catalogue()}
    assert sorted(item["code"] for item in page["items"]) == sorted(demo)
    for line in page["items"]:
        item = (await client.get(f"{API}/items/{line['id']}", headers=headers)).json()
        assert item["version"]["sha256"] == document_sha256(demo[item["code"]].document)
        assert item["version"]["version"] == 1


async def test_seed_demo_lists_the_apps_it_seeded() -> None:
    for _ in range(2):
        result = await yimen("seed-demo")
        assert result.returncode == 0, result.stderr
        assert "demo data of gov_services" in result.stdout
