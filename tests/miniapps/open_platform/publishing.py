"""An outside organisation on the open platform, made through the API as its developer
and the platform's admin would: a verified publisher, an app's manifest, its icon."""

from __future__ import annotations

from typing import Any

from tests.conftest import Client, TokenForPhone, bearer
from tests.miniapps.open_platform.samples import CREDIT_CODES, icon, png

__all__ = ["CREDIT_CODES", "icon", "png"]
from tests.miniapps.payment.helpers import user_id_of

APP = "/v1/miniapps/open_platform"
DEVELOPER, PLATFORM, RESIDENT = "13800000014", "13800000007", "13800000001"


class Person:
    def __init__(self, token: str, user_id: int) -> None:
        self.token = token
        self.user_id = user_id
        self.headers = bearer(token)


async def someone(client: Client, token_for_phone: TokenForPhone, phone: str) -> Person:
    token = await token_for_phone(phone)
    return Person(token, await user_id_of(client, token))


def manifest(slug: str = "metro-card", **changes: Any) -> dict[str, Any]:
    """A manifest the platform accepts, with `changes` made to it."""
    made: dict[str, Any] = {
        "id": slug,
        "names": {"zh-CN": "郑州地铁", "en": "Zhengzhou Metro"},
        "icon": icon(),
        "entry_url": "https://h5.metro.example.com/app/index.html",
        "allowed_domains": ["h5.metro.example.com", "api.metro.example.com"],
        "permissions": ["profile.read"],
        "data": [{"field": "name", "purpose": "实名办理乘车码"}],
        "target_roles": ["resident"],
        "webhook": {
            "url": "https://api.metro.example.com/yimen/hooks",
            "events": ["consent.revoked"],
        },
    }
    made.update(changes)
    return made


async def verified_publisher(
    client: Client, developer: Person, platform: Person, credit_code: str = CREDIT_CODES[0]
) -> int:
    made = await client.post(
        f"{APP}/publishers",
        json={
            "name": "郑州地铁集团",
            "credit_code": credit_code,
            "contact_email": "dev@metro.example.com",
        },
        headers=developer.headers,
    )
    assert made.status_code == 201, made.text
    publisher_id = int(made.json()["id"])
    verified = await client.post(
        f"{APP}/publishers/{publisher_id}/verification",
        json={"verified": True},
        headers=platform.headers,
    )
    assert verified.status_code == 200, verified.text
    return publisher_id


async def registered_app(
    client: Client, developer: Person, slug: str = "metro-card", **changes: Any
) -> dict[str, Any]:
    made = await client.post(
        f"{APP}/apps",
        json={"label": "1.0.0", "manifest": manifest(slug, **changes)},
        headers=developer.headers,
    )
    assert made.status_code == 201, made.text
    registered: dict[str, Any] = made.json()
    return registered


async def new_developer(
    client: Client, token_for_phone: TokenForPhone, platform: Person, phone: str
) -> Person:
    """A second outside developer, provisioned by the platform's admin."""
    made = await client.post(
        "/v1/staff",
        json={
            "phone": phone,
            "name": f"开发者{phone[-2:]}",
            "role": "developer",
            "scope_path": "zz",
        },
        headers=platform.headers,
    )
    assert made.status_code == 201, made.text
    return await someone(client, token_for_phone, phone)


async def approved(client: Client, developer: Person, platform: Person, version_id: int) -> None:
    """Submit the version and have the platform approve it."""
    submitted = await client.post(
        f"{APP}/versions/{version_id}/submission", headers=developer.headers
    )
    assert submitted.status_code == 200, submitted.text
    reviewed = await client.post(
        f"{APP}/versions/{version_id}/review", json={"approved": True}, headers=platform.headers
    )
    assert reviewed.status_code == 200, reviewed.text


async def released_app(
    client: Client, developer: Person, platform: Person, slug: str = "metro-card", **changes: Any
) -> dict[str, Any]:
    """A new app of the developer's verified publisher, its first version approved and
    released: what `registered_app` answers."""
    registered = await registered_app(client, developer, slug, **changes)
    version_id = registered["version_id"]
    await approved(client, developer, platform, version_id)
    released = await client.post(f"{APP}/versions/{version_id}/release", headers=developer.headers)
    assert released.status_code == 200, released.text
    return registered


async def released_version(
    client: Client, developer: Person, platform: Person, app_id: str, label: str, **changes: Any
) -> int:
    """A new version of the app, with `changes` to its manifest, approved and released."""
    made = await client.post(
        f"{APP}/apps/{app_id}/versions",
        json={"label": label, "manifest": manifest(**changes)},
        headers=developer.headers,
    )
    assert made.status_code == 201, made.text
    version_id = int(made.json()["id"])
    await approved(client, developer, platform, version_id)
    released = await client.post(f"{APP}/versions/{version_id}/release", headers=developer.headers)
    assert released.status_code == 200, released.text
    return version_id


def asks(made: dict[str, Any]) -> list[str]:
    """What a manifest asks of a district: its permissions and its data fields."""
    return sorted([*made["permissions"], *(f"data.{ask['field']}" for ask in made["data"])])


ASKS = asks(manifest())


async def switch(
    client: Client,
    admin: Person,
    app_id: str,
    district: str = "zz/gx",
    *,
    on: bool = True,
    asks: list[str] = ASKS,
) -> Any:
    """Switch the app on in the district approving `asks`, or off."""
    return await client.post(
        f"{APP}/apps/{app_id}/district",
        json={"district": district, "enabled": on, "asks": asks},
        headers=admin.headers,
    )


async def open_token(client: Client, registered: dict[str, Any]) -> dict[str, str]:
    """The headers of the app's server calling the open API."""
    issued = await client.post(
        f"{APP}/open/token",
        json={"app_id": registered["app"]["app_id"], "secret": registered["credentials"]["secret"]},
    )
    assert issued.status_code == 200, issued.text
    return bearer(issued.json()["access_token"])
