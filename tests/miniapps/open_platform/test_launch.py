"""The launch handshake: a user opens an app and gets a launch code; the app's server trades
it once, within five minutes, with its own token, for the user's pairwise ids and the
fields the user consents to at that moment. A code used twice, expired or another app's
is refused; an app never learns a field not consented to; two publishers never share an
id for the same user, while one publisher's apps share the unionid."""

from __future__ import annotations

import datetime as dt
from typing import Any

from backend.directory.users.tables import UserAccount
from miniapps.open_platform.tables import Consent, LaunchCode
from tests.conftest import Client, TokenForPhone
from tests.miniapps.open_platform.publishing import (
    APP,
    CREDIT_CODES,
    DEVELOPER,
    PLATFORM,
    RESIDENT,
    Person,
    approved,
    asks,
    manifest,
    new_developer,
    open_token,
    released_app,
    someone,
    switch,
    verified_publisher,
)

DISTRICT_GX = "13800000006"
ASKS_TWO = [
    {"field": "name", "purpose": "实名办理乘车码"},
    {"field": "phone", "purpose": "发送行程通知"},
]


class Opened:
    """A released app switched on in 高新区, and its server's open-API headers."""

    def __init__(self, registered: dict[str, Any], server: dict[str, str]) -> None:
        self.app_id: str = registered["app"]["app_id"]
        self.server = server


class Platform:
    """A verified publisher's developer, the platform's admin and 高新区's admin."""

    def __init__(self, client: Client, token_for_phone: TokenForPhone) -> None:
        self.client = client
        self.token_for_phone = token_for_phone

    async def start(self) -> Platform:
        self.developer = await someone(self.client, self.token_for_phone, DEVELOPER)
        self.admin = await someone(self.client, self.token_for_phone, PLATFORM)
        self.district = await someone(self.client, self.token_for_phone, DISTRICT_GX)
        await verified_publisher(self.client, self.developer, self.admin)
        return self

    async def opened(
        self, slug: str = "metro-card", developer: Person | None = None, **changes: Any
    ) -> Opened:
        registered = await released_app(
            self.client, developer or self.developer, self.admin, slug, **changes
        )
        app_id = registered["app"]["app_id"]
        switched = await switch(self.client, self.district, app_id, asks=asks(manifest(**changes)))
        assert switched.status_code == 200, switched.text
        return Opened(registered, await open_token(self.client, registered))


async def _launch(client: Client, user: Person, app_id: str, consent: list[str]) -> Any:
    return await client.post(
        f"{APP}/apps/{app_id}/launch", json={"consent": consent}, headers=user.headers
    )


async def _code(client: Client, user: Person, app_id: str, *consent: str) -> str:
    launched = await _launch(client, user, app_id, list(consent))
    assert launched.status_code == 200, launched.text
    return str(launched.json()["code"])


async def _trade(client: Client, app: Opened, code: str) -> Any:
    return await client.post(f"{APP}/open/session", json={"code": code}, headers=app.server)


async def _session(client: Client, app: Opened, user: Person, *consent: str) -> dict[str, Any]:
    traded = await _trade(client, app, await _code(client, user, app.app_id, *consent))
    assert traded.status_code == 200, traded.text
    session: dict[str, Any] = traded.json()
    return session


async def test_a_launch_code_trades_once_for_the_user_and_the_fields_consented(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    platform = await Platform(client, token_for_phone).start()
    app = await platform.opened()
    resident = await someone(client, token_for_phone, RESIDENT)
    entry = await client.get(f"{APP}/apps/{app.app_id}/entry", headers=resident.headers)
    assert entry.json()["entry_url"] == "https://h5.metro.example.com/app/index.html"
    assert entry.json()["fields"] == [
        {"field": "name", "purpose": "实名办理乘车码", "consented": False}
    ]
    launched = await _launch(client, resident, app.app_id, ["name"])
    assert launched.status_code == 200, launched.text
    assert launched.json()["expires_in"] == 300

    traded = await _trade(client, app, launched.json()["code"])
    assert traded.status_code == 200, traded.text
    session = traded.json()
    assert "district" not in session  # where they live is theirs to consent to, as a claim
    assert session["claims"] == {"name": "王居民"}
    assert len(session["openid"]) == 32
    assert session["openid"] != session["unionid"]

    again = await _trade(client, app, launched.json()["code"])
    assert again.status_code == 422
    assert again.json()["code"] == "open_code_refused"
    # The consent stands: the next launch needs none, and its trade names the same user.
    assert (await _session(client, app, resident))["openid"] == session["openid"]


async def test_an_expired_code_or_another_apps_is_refused(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    platform = await Platform(client, token_for_phone).start()
    app = await platform.opened()
    other = await platform.opened("metro-two")
    resident = await someone(client, token_for_phone, RESIDENT)

    code = await _code(client, resident, app.app_id)
    stolen = await _trade(client, other, code)
    assert stolen.status_code == 422
    assert stolen.json()["code"] == "open_code_refused"
    assert (await _trade(client, app, code)).status_code == 200  # not spent by the other app

    late = await _code(client, resident, app.app_id)
    await LaunchCode.update(
        {LaunchCode.expires_at: dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)}
    ).where(LaunchCode.used_at.is_null())
    assert (await _trade(client, app, late)).json()["code"] == "open_code_refused"
    unknown = await _trade(client, app, "x" * 32)
    assert unknown.json()["code"] == "open_code_refused"


async def test_an_app_learns_only_the_fields_consented_and_stops_when_revoked(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    platform = await Platform(client, token_for_phone).start()
    app = await platform.opened(data=ASKS_TWO)
    resident = await someone(client, token_for_phone, RESIDENT)
    assert (await _session(client, app, resident))["claims"] == {}
    assert (await _session(client, app, resident, "name"))["claims"] == {"name": "王居民"}
    both = await _session(client, app, resident, "phone")
    assert both["claims"] == {"name": "王居民", "phone": RESIDENT}

    mine = await client.get("/v1/me/consents", headers=resident.headers)
    assert [(c["app_name"], c["field"], c["purpose"]) for c in mine.json()["items"]] == [
        ("郑州地铁", "phone", "发送行程通知"),
        ("郑州地铁", "name", "实名办理乘车码"),
    ]
    # A code taken before the revocation reads nothing revoked: reads ask at that moment.
    code = await _code(client, resident, app.app_id)
    revoked = await client.delete(
        f"/v1/me/consents/{app.app_id}", params={"field": "phone"}, headers=resident.headers
    )
    assert revoked.status_code == 200, revoked.text
    assert [c["field"] for c in revoked.json()["items"]] == ["name"]
    assert (await _trade(client, app, code)).json()["claims"] == {"name": "王居民"}

    assert (await client.delete(f"/v1/me/consents/{app.app_id}", headers=resident.headers)).json()[
        "items"
    ] == []
    assert (await _session(client, app, resident))["claims"] == {}
    # No consent stands, but the launch bound the user again: revoking all unbinds them.
    unbound = await client.delete(f"/v1/me/consents/{app.app_id}", headers=resident.headers)
    assert unbound.status_code == 200, unbound.text
    gone = await client.delete(f"/v1/me/consents/{app.app_id}", headers=resident.headers)
    assert gone.status_code == 404
    assert gone.json()["code"] == "open_consent_not_found"


async def test_consent_to_a_field_not_asked_for_is_refused_and_writes_nothing(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    platform = await Platform(client, token_for_phone).start()
    app = await platform.opened()
    resident = await someone(client, token_for_phone, RESIDENT)
    refused = await _launch(client, resident, app.app_id, ["name", "id_card"])
    assert refused.status_code == 422
    assert refused.json()["code"] == "open_field_not_asked"
    assert refused.json()["errors"] == [{"field": "consent", "message": "id_card is not asked for"}]
    assert await Consent.count() == 0
    assert await LaunchCode.count() == 0


async def test_ids_are_pairwise_per_app_and_shared_per_publisher_only(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    platform = await Platform(client, token_for_phone).start()
    metro = await platform.opened()
    bus = await platform.opened("metro-bus")
    outsider = await new_developer(client, token_for_phone, platform.admin, "13800000099")
    await verified_publisher(client, outsider, platform.admin, CREDIT_CODES[1])
    clinic = await platform.opened("clinic", developer=outsider)
    resident = await someone(client, token_for_phone, RESIDENT)
    neighbour = await someone(client, token_for_phone, "13800000002")

    on_metro = await _session(client, metro, resident)
    on_bus = await _session(client, bus, resident)
    at_clinic = await _session(client, clinic, resident)
    assert on_metro["unionid"] == on_bus["unionid"]
    assert on_metro["openid"] != on_bus["openid"]
    assert at_clinic["unionid"] != on_metro["unionid"]
    assert at_clinic["openid"] not in (on_metro["openid"], on_bus["openid"])
    assert (await _session(client, metro, neighbour))["openid"] != on_metro["openid"]


async def test_an_app_opens_only_in_a_district_of_the_callers(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    platform = await Platform(client, token_for_phone).start()
    app = await platform.opened()
    resident = await someone(client, token_for_phone, RESIDENT)
    elsewhere = await client.post(
        f"{APP}/apps/{app.app_id}/launch",
        json={"district": "zz/jinshui"},
        headers=resident.headers,
    )
    assert elsewhere.status_code == 403
    assert elsewhere.json()["code"] == "open_not_your_district"
    # The developer lives at the city's level, in no district.
    nowhere = await _launch(client, platform.developer, app.app_id, [])
    assert nowhere.json()["code"] == "open_not_your_district"
    # An app targets roles: a merchants' app is not there for a resident.
    shops = await platform.opened("shop-tools", target_roles=["merchant"])
    unseen = await client.get(f"{APP}/apps/{shops.app_id}/entry", headers=resident.headers)
    assert unseen.status_code == 404
    assert await LaunchCode.count() == 0


async def _profile(client: Client, app: Opened, openid: str) -> Any:
    return await client.get(f"{APP}/open/users/{openid}/profile", headers=app.server)


async def test_the_app_reads_the_consented_profile_until_the_user_revokes(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    platform = await Platform(client, token_for_phone).start()
    app = await platform.opened(data=ASKS_TWO)
    other = await platform.opened("metro-two")
    resident = await someone(client, token_for_phone, RESIDENT)
    openid = (await _session(client, app, resident, "name", "phone"))["openid"]

    read = await _profile(client, app, openid)
    assert read.status_code == 200, read.text
    assert read.json() == {"openid": openid, "claims": {"name": "王居民", "phone": RESIDENT}}
    revoked = await client.delete(
        f"/v1/me/consents/{app.app_id}", params={"field": "phone"}, headers=resident.headers
    )
    assert revoked.status_code == 200
    assert (await _profile(client, app, openid)).json()["claims"] == {"name": "王居民"}

    # Another app does not know the user by this openid, nor by any it has not seen.
    for unknown in (openid, "0" * 32):
        refused = await _profile(client, other, unknown)
        assert refused.status_code == 404
        assert refused.json()["code"] == "open_user_not_found"

    await switch(client, platform.district, app.app_id, on=False)
    off = await _profile(client, app, openid)
    assert off.status_code == 403
    assert off.json()["code"] == "open_app_off_in_district"


async def test_an_app_not_asking_to_read_profiles_reads_none(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    platform = await Platform(client, token_for_phone).start()
    app = await platform.opened(permissions=[], data=[])
    resident = await someone(client, token_for_phone, RESIDENT)
    openid = (await _session(client, app, resident))["openid"]
    refused = await _profile(client, app, openid)
    assert refused.status_code == 403
    assert refused.json()["code"] == "open_permission_missing"


async def test_the_profile_is_read_as_the_version_the_user_launched(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    """A version asking for the phone too, in gray release to the resident's grid: the app
    reads the phone they consented to under it, though the released version asks none."""
    platform = await Platform(client, token_for_phone).start()
    app = await platform.opened()
    made = await client.post(
        f"{APP}/apps/{app.app_id}/versions",
        json={"label": "1.1.0", "manifest": manifest(data=ASKS_TWO)},
        headers=platform.developer.headers,
    )
    version_id = made.json()["id"]
    await approved(client, platform.developer, platform.admin, version_id)
    grayed = await client.post(
        f"{APP}/versions/{version_id}/gray",
        json={"districts": ["zz/gx/fengyang/c03/g07"]},
        headers=platform.developer.headers,
    )
    assert grayed.status_code == 200, grayed.text
    approving = asks(manifest(data=ASKS_TWO))
    assert (await switch(client, platform.district, app.app_id, asks=approving)).status_code == 200
    resident = await someone(client, token_for_phone, RESIDENT)
    session = await _session(client, app, resident, "name", "phone")
    assert session["version_id"] == version_id
    read = await _profile(client, app, session["openid"])
    assert read.status_code == 200, read.text
    assert read.json()["claims"] == {"name": "王居民", "phone": RESIDENT}


async def test_a_switched_off_account_is_nobody_to_an_app(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    platform = await Platform(client, token_for_phone).start()
    app = await platform.opened()
    resident = await someone(client, token_for_phone, RESIDENT)
    openid = (await _session(client, app, resident, "name"))["openid"]
    await UserAccount.update({UserAccount.active: False}).where(UserAccount.id == resident.user_id)
    refused = await _profile(client, app, openid)
    assert refused.status_code == 404
    assert refused.json()["code"] == "open_user_not_found"
