"""Rows for the open platform. A developer registers their publisher and its apps and
alone changes them; a platform admin verifies publishers and reviews versions, and reads
every app but changes none; to anyone else an app and its versions do not exist."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from miniapps.open_platform.credentials import digest_of
from miniapps.open_platform.tables import (
    AppSecret,
    AppVersion,
    Consent,
    DistrictSwitch,
    LaunchCode,
    OpenApp,
    OpenIdentity,
    OpenToken,
    Publisher,
    ReleaseEntry,
    UsageCount,
    WebhookAttempt,
    WebhookDelivery,
    WebhookKey,
)
from tests.authz.city import City
from tests.authz.matrix import (
    Caller,
    Req,
    RequestMaker,
    Row,
    Target,
    TargetMaker,
    each,
    no_request,
    per_caller,
)
from tests.miniapps.open_platform.publishing import CREDIT_CODES, manifest

APP = "/v1/miniapps/open_platform"
ONE_APP = f"{APP}/apps/{{app_id:str}}"
VERSION = f"{APP}/versions/{{version_id:int}}"
APP_ID = "yx00000000000000a1"
BOTH = (Caller.DEVELOPER, Caller.PLATFORM)
SECRET, TOKEN, CODE, OPENID = "s" * 43, "t" * 43, "c" * 32, "a" * 32
SIGNED_IN = tuple(c for c in Caller if c is not Caller.ANONYMOUS)
# Every account is a resident of its home: these callers' homes lie in 高新区 (zz/gx), the
# rest live in 金水区 or at the city's level, in no district.
HOMES_IN_GX = tuple(
    c
    for c in SIGNED_IN
    if c
    not in (
        Caller.PLATFORM,
        Caller.DEVELOPER,
        Caller.SERVICE_ADMIN,
        Caller.RESIDENT_JINSHUI,
        Caller.DISTRICT_JINSHUI,
        Caller.OFFICER_JINSHUI,
    )
)


NOTIFYING = manifest(
    permissions=["notify.send"],
    data=[{"field": "notifications", "purpose": "告知充值结果"}],
    templates=[
        {
            "id": "topped_up",
            "titles": {"zh-CN": "充值成功"},
            "bodies": {"zh-CN": "充值 {amount} 元"},
        }
    ],
)


async def _tidy(city: City) -> None:
    for table in (
        UsageCount,
        WebhookAttempt,
        WebhookDelivery,
        WebhookKey,
        OpenIdentity,
        LaunchCode,
        Consent,
        DistrictSwitch,
        ReleaseEntry,
        OpenToken,
        AppVersion,
        AppSecret,
        OpenApp,
        Publisher,
    ):
        await table.delete(force=True)


async def _publisher(city: City, status: str) -> int:
    await _tidy(city)
    [row] = await Publisher.insert(
        Publisher(
            name="郑州地铁集团",
            credit_code=CREDIT_CODES[0],
            contact_email="dev@metro.example.com",
            owner_id=city.ids[Caller.DEVELOPER],
            status=status,
            registered_at=dt.datetime.now(dt.UTC),
        )
    )
    return int(row["id"])


async def _nothing(city: City, caller: Caller) -> Target:
    await _tidy(city)
    return Target()


async def _pending(city: City, caller: Caller) -> Target:
    return Target(ids={"publisher_id": await _publisher(city, "pending")})


async def _verified(city: City, caller: Caller) -> Target:
    return Target(ids={"publisher_id": await _publisher(city, "verified")})


async def _version(city: City, status: str, made: dict[str, Any] | None = None) -> Target:
    """The developer's verified publisher's app with one version in `status` (its manifest
    `made`, or the usual one)."""
    publisher_id = await _publisher(city, "verified")
    now = dt.datetime.now(dt.UTC)
    await OpenApp.insert(
        OpenApp(
            app_id=APP_ID,
            slug="metro-card",
            publisher_id=publisher_id,
            created_by=city.ids[Caller.DEVELOPER],
            created_at=now,
        )
    )
    await AppSecret.insert(AppSecret(app_id=APP_ID, digest=digest_of(SECRET), issued_at=now))
    [version] = await AppVersion.insert(
        AppVersion(
            app_id=APP_ID,
            number=1,
            label="1.0.0",
            manifest=msgspec.json.encode(made or manifest()).decode(),
            status=status,
            created_by=city.ids[Caller.DEVELOPER],
            created_at=now,
            submitted_at=now if status == "in_review" else None,
        )
    )
    return Target(ids={"app_id": APP_ID, "version_id": version["id"]})


async def _approved(city: City, caller: Caller) -> Target:
    return await _version(city, "approved")


async def _delivered(city: City, caller: Caller) -> Target:
    """An approved app whose webhook was told of a revoked consent."""
    target = await _version(city, "approved")
    now = dt.datetime.now(dt.UTC)
    event_id = "0b6f3c1e-7d2a-4f55-9a51-2f4c9e8d1a00"
    body = {
        "id": event_id,
        "type": "consent.revoked",
        "app_id": APP_ID,
        "occurred_at": now.isoformat(),
        "data": {"openid": OPENID, "fields": ["name"]},
    }
    [delivery] = await WebhookDelivery.insert(
        WebhookDelivery(
            app_id=APP_ID,
            event_id=event_id,
            event="consent.revoked",
            url="https://api.metro.example.com/yimen/hooks",
            body=msgspec.json.encode(body).decode(),
            status="delivered",
            attempts=1,
            created_at=now,
            finished_at=now,
        )
    )
    return Target(ids={**target.ids, "delivery_id": delivery["id"]})


async def _graying(city: City, caller: Caller) -> Target:
    target = await _version(city, "approved")
    await OpenApp.update(
        {OpenApp.gray_version_id: target.ids["version_id"], OpenApp.gray_percent: 10}
    ).where(OpenApp.app_id == APP_ID)
    return target


async def _released_twice(city: City, caller: Caller) -> Target:
    """Version 1 released, then version 2: a rollback may return to version 1."""
    target = await _version(city, "approved")
    now = dt.datetime.now(dt.UTC)
    [second] = await AppVersion.insert(
        AppVersion(
            app_id=APP_ID,
            number=2,
            label="1.1.0",
            manifest=msgspec.json.encode(manifest()).decode(),
            status="approved",
            created_by=city.ids[Caller.DEVELOPER],
            created_at=now,
        )
    )
    for version_id in (target.ids["version_id"], second["id"]):
        await ReleaseEntry.insert(
            ReleaseEntry(
                app_id=APP_ID,
                version_id=version_id,
                kind="release",
                actor_id=city.ids[Caller.DEVELOPER],
                at=now,
            )
        )
    await OpenApp.update({OpenApp.released_version_id: second["id"]}).where(
        OpenApp.app_id == APP_ID
    )
    return target


async def _draft(city: City, caller: Caller) -> Target:
    return await _version(city, "draft")


async def _in_review(city: City, caller: Caller) -> Target:
    return await _version(city, "in_review")


async def _bearing(city: City, caller: Caller, *, expired: bool = False) -> Target:
    """The app of `_draft` with an open-API token, good or expired."""
    target = await _draft(city, caller)
    now = dt.datetime.now(dt.UTC)
    secret = await AppSecret.select(AppSecret.id).where(AppSecret.app_id == APP_ID).first()
    assert secret is not None
    await OpenToken.insert(
        OpenToken(
            app_id=APP_ID,
            secret_id=secret["id"],
            digest=digest_of(TOKEN),
            issued_at=now,
            expires_at=now + dt.timedelta(seconds=-1 if expired else 7200),
        )
    )
    return target


async def _good_token(city: City, caller: Caller) -> Target:
    return await _bearing(city, caller)


async def _expired_token(city: City, caller: Caller) -> Target:
    return await _bearing(city, caller, expired=True)


async def _released(city: City, caller: Caller, made: dict[str, Any] | None = None) -> Target:
    """The app of `_approved`, released to everyone."""
    target = await _version(city, "approved", made)
    await OpenApp.update({OpenApp.released_version_id: target.ids["version_id"]}).where(
        OpenApp.app_id == APP_ID
    )
    return target


async def _on_in_gx(city: City, caller: Caller, made: dict[str, Any] | None = None) -> Target:
    """The released app, switched on in 高新区 for what it asks."""
    target = await _released(city, caller, made)
    made = made or manifest()
    asks = [*made["permissions"], *(f"data.{a['field']}" for a in made["data"])]
    await DistrictSwitch.insert(
        DistrictSwitch(
            app_id=APP_ID,
            district="zz/gx",
            enabled=True,
            approved_asks=",".join(sorted(asks)),
            changed_by=city.ids[Caller.DISTRICT_GX],
            changed_at=dt.datetime.now(dt.UTC),
        )
    )
    return target


async def _launched(city: City, caller: Caller, made: dict[str, Any] | None = None) -> Target:
    """The app of `_on_in_gx` with a token, launched by the resident of g07."""
    target = await _on_in_gx(city, caller, made)
    now = dt.datetime.now(dt.UTC)
    secret = await AppSecret.select(AppSecret.id).where(AppSecret.app_id == APP_ID).first()
    assert secret is not None
    await OpenToken.insert(
        OpenToken(
            app_id=APP_ID,
            secret_id=secret["id"],
            digest=digest_of(TOKEN),
            issued_at=now,
            expires_at=now + dt.timedelta(hours=2),
        )
    )
    await LaunchCode.insert(
        LaunchCode(
            digest=digest_of(CODE),
            app_id=APP_ID,
            user_id=city.ids[Caller.RESIDENT],
            district="zz/gx",
            version_id=target.ids["version_id"],
            issued_at=now,
            expires_at=now + dt.timedelta(minutes=5),
        )
    )
    return target


async def _bound(city: City, caller: Caller, made: dict[str, Any] | None = None) -> Target:
    """The app of `_launched`, which knows the resident of g07 by `OPENID`."""
    target = await _launched(city, caller, made)
    now = dt.datetime.now(dt.UTC)
    await OpenIdentity.insert(
        OpenIdentity(
            openid=OPENID,
            app_id=APP_ID,
            user_id=city.ids[Caller.RESIDENT],
            district="zz/gx",
            version_id=target.ids["version_id"],
            bound_at=now,
            launched_at=now,
        )
    )
    return target


async def _notifying(city: City, caller: Caller) -> Target:
    """An app that sends notifications, bound to the resident of g07, who consents to them."""
    target = await _bound(city, caller, NOTIFYING)
    await Consent.insert(
        Consent(
            app_id=APP_ID,
            user_id=city.ids[Caller.RESIDENT],
            field="notifications",
            purpose="告知充值结果",
            granted_at=dt.datetime.now(dt.UTC),
        )
    )
    return target


async def _consent(city: City, user_id: int) -> Target:
    target = await _on_in_gx(city, Caller.RESIDENT)
    await Consent.insert(
        Consent(
            app_id=APP_ID,
            user_id=user_id,
            field="name",
            purpose="实名办理乘车码",
            granted_at=dt.datetime.now(dt.UTC),
        )
    )
    return target


@per_caller
async def _own_consent(city: City, caller: Caller) -> Target:
    """The caller's own consent to the app (the resident's, for an anonymous caller)."""
    return await _consent(city, city.ids.get(caller, city.ids[Caller.RESIDENT]))


async def _residents_consent(city: City, caller: Caller) -> Target:
    return await _consent(city, city.ids[Caller.RESIDENT])


async def _in_gx(city: City, target: Target, caller: Caller) -> Req:
    return Req(params={"district": "zz/gx"})


async def _switching(city: City, target: Target, caller: Caller) -> Req:
    return Req(
        path_params={"app_id": APP_ID},
        json={"district": "zz/gx", "enabled": True, "asks": ["data.name", "profile.read"]},
    )


async def _trading(city: City, target: Target, caller: Caller) -> Req:
    return Req(headers={"Authorization": f"Bearer {TOKEN}"}, json={"code": CODE})


async def _reading_profile(city: City, target: Target, caller: Caller) -> Req:
    return Req(path_params={"openid": OPENID}, headers={"Authorization": f"Bearer {TOKEN}"})


async def _notifying_user(city: City, target: Target, caller: Caller) -> Req:
    return Req(
        path_params={"openid": OPENID},
        headers={"Authorization": f"Bearer {TOKEN}"},
        json={"template": "topped_up", "values": {"amount": "50"}},
    )


async def _with_token(city: City, target: Target, caller: Caller) -> Req:
    return Req(headers={"Authorization": f"Bearer {TOKEN}"})


def _on(body: object = None, *names: str) -> RequestMaker:
    async def request(city: City, target: Target, caller: Caller) -> Req:
        return Req(path_params={n: target.ids[n] for n in names}, json=body)

    return request


async def _rolling_back(city: City, target: Target, caller: Caller) -> Req:
    return Req(path_params={"app_id": APP_ID}, json={"version_id": target.ids["version_id"]})


def _row(
    method: str,
    path: str,
    fixture: TargetMaker,
    expect: dict[Caller, int],
    request: RequestMaker,
    *,
    denied: int = 403,
) -> Row:
    return Row(method, path, {"-": fixture}, {"-": expect}, request, denied=denied, after=_tidy)


PUBLISHER = {
    "name": "郑州地铁集团",
    "credit_code": CREDIT_CODES[0],
    "contact_email": "dev@metro.example.com",
}
NEW_APP = {"label": "1.0.0", "manifest": manifest()}

ROWS = [
    _row("POST", f"{APP}/publishers", _nothing, {Caller.DEVELOPER: 201}, _on(PUBLISHER)),
    _row("GET", f"{APP}/publishers/mine", _pending, {Caller.DEVELOPER: 200}, no_request),
    _row("GET", f"{APP}/publishers/waiting", _pending, {Caller.PLATFORM: 200}, no_request),
    _row(
        "POST",
        f"{APP}/publishers/{{publisher_id:int}}/verification",
        _pending,
        {Caller.PLATFORM: 200},
        _on({"verified": True}, "publisher_id"),
    ),
    _row("POST", f"{APP}/apps", _verified, {Caller.DEVELOPER: 201}, _on(NEW_APP)),
    _row("GET", f"{APP}/apps/mine", _draft, {Caller.DEVELOPER: 200}, no_request),
    _row("GET", ONE_APP, _draft, each(BOTH, 200), _on(None, "app_id"), denied=404),
    _row(
        "POST",
        f"{ONE_APP}/secret",
        _draft,
        {Caller.DEVELOPER: 200, Caller.PLATFORM: 403},
        _on(None, "app_id"),
        denied=404,
    ),
    _row(
        "POST",
        f"{ONE_APP}/versions",
        _draft,
        {Caller.DEVELOPER: 201, Caller.PLATFORM: 403},
        _on(NEW_APP, "app_id"),
        denied=404,
    ),
    _row("GET", f"{ONE_APP}/versions", _draft, each(BOTH, 200), _on(None, "app_id"), denied=404),
    _row("GET", VERSION, _draft, each(BOTH, 200), _on(None, "version_id"), denied=404),
    _row(
        "POST",
        f"{VERSION}/submission",
        _draft,
        {Caller.DEVELOPER: 200, Caller.PLATFORM: 403},
        _on(None, "version_id"),
        denied=404,
    ),
    _row(
        "POST",
        f"{VERSION}/withdrawal",
        _draft,
        {Caller.DEVELOPER: 200, Caller.PLATFORM: 403},
        _on(None, "version_id"),
        denied=404,
    ),
    _row("GET", f"{APP}/reviews", _in_review, {Caller.PLATFORM: 200}, no_request),
    _row(
        "POST",
        f"{VERSION}/review",
        _in_review,
        {Caller.PLATFORM: 200},
        _on({"approved": True}, "version_id"),
    ),
    _row("GET", f"{ONE_APP}/release", _graying, each(BOTH, 200), _on(None, "app_id"), denied=404),
    _row(
        "POST",
        f"{VERSION}/gray",
        _approved,
        {Caller.DEVELOPER: 200, Caller.PLATFORM: 403},
        _on({"percent": 10}, "version_id"),
        denied=404,
    ),
    _row(
        "POST",
        f"{VERSION}/release",
        _approved,
        {Caller.DEVELOPER: 200, Caller.PLATFORM: 403},
        _on(None, "version_id"),
        denied=404,
    ),
    _row(
        "DELETE",
        f"{ONE_APP}/gray",
        _graying,
        {Caller.DEVELOPER: 200, Caller.PLATFORM: 403},
        _on(None, "app_id"),
        denied=404,
    ),
    _row(
        "POST",
        f"{ONE_APP}/rollback",
        _released_twice,
        {Caller.DEVELOPER: 200, Caller.PLATFORM: 403},
        _rolling_back,
        denied=404,
    ),
    # Its webhooks: the platform sees them, the publisher alone changes anything.
    _row(
        "POST",
        f"{ONE_APP}/webhook-key",
        _draft,
        {Caller.DEVELOPER: 200, Caller.PLATFORM: 403},
        _on(None, "app_id"),
        denied=404,
    ),
    _row(
        "GET",
        f"{ONE_APP}/webhook-deliveries",
        _delivered,
        each(BOTH, 200),
        _on(None, "app_id"),
        denied=404,
    ),
    _row(
        "GET",
        f"{ONE_APP}/webhook-deliveries/{{delivery_id:int}}",
        _delivered,
        each(BOTH, 200),
        _on(None, "app_id", "delivery_id"),
        denied=404,
    ),
    _row(
        "POST",
        f"{ONE_APP}/webhook-deliveries/{{delivery_id:int}}/redeliver",
        _delivered,
        {Caller.DEVELOPER: 201, Caller.PLATFORM: 403},
        _on(None, "app_id", "delivery_id"),
        denied=404,
    ),
    # Usage figures: an app's for its publisher and the platform, every app's for the platform.
    _row("GET", f"{ONE_APP}/usage", _released, each(BOTH, 200), _on(None, "app_id"), denied=404),
    _row("GET", f"{APP}/usage", _released, {Caller.PLATFORM: 200}, no_request),
    # An app's server, whoever else it is: its secret, or its token, decides.
    Row(
        "POST",
        f"{APP}/open/token",
        {"-": _draft},
        {"-": each(tuple(Caller), 200)},
        _on({"app_id": APP_ID, "secret": SECRET}),
        denied=401,
        anonymous=401,
        after=_tidy,
    ),
    Row(
        "GET",
        f"{APP}/open/app",
        {"good": _good_token, "expired": _expired_token},
        {"good": each(tuple(Caller), 200)},
        _with_token,
        denied=401,
        anonymous=401,
        reuse_targets=False,
        after=_tidy,
    ),
    # A district's admin, or the platform's, switches an app in the district.
    _row(
        "GET",
        f"{APP}/district-apps",
        _released,
        each((Caller.DISTRICT_GX, Caller.PLATFORM), 200),
        _in_gx,
    ),
    _row(
        "POST",
        f"{ONE_APP}/district",
        _released,
        each((Caller.DISTRICT_GX, Caller.PLATFORM), 200),
        _switching,
    ),
    # A user opens an app where they live or work, in a district that switched it on.
    _row("GET", f"{ONE_APP}/entry", _on_in_gx, each(HOMES_IN_GX, 200), _on(None, "app_id")),
    _row("POST", f"{ONE_APP}/launch", _on_in_gx, each(HOMES_IN_GX, 200), _on({}, "app_id")),
    # A version out is anyone's to see in the launcher: its icon too.
    _row(
        "GET",
        f"{ONE_APP}/versions/{{version_id:int}}/icon",
        _released,
        each(SIGNED_IN, 200),
        _on(None, "app_id", "version_id"),
    ),
    Row(
        "POST",
        f"{APP}/open/session",
        {"-": _launched},
        {"-": each(tuple(Caller), 200)},
        _trading,
        denied=401,
        anonymous=401,
        reuse_targets=False,
        after=_tidy,
    ),
    Row(
        "GET",
        f"{APP}/open/users/{{openid:str}}/profile",
        {"-": _bound},
        {"-": each(tuple(Caller), 200)},
        _reading_profile,
        denied=401,
        anonymous=401,
        after=_tidy,
    ),
    Row(
        "POST",
        f"{APP}/open/users/{{openid:str}}/notifications",
        {"-": _notifying},
        {"-": each(tuple(Caller), 200)},
        _notifying_user,
        denied=401,
        anonymous=401,
        after=_tidy,
    ),
    # A user's consents are theirs alone: another's is not there to revoke.
    _row("GET", "/v1/me/consents", _residents_consent, each(SIGNED_IN, 200), no_request),
    Row(
        "DELETE",
        "/v1/me/consents/{app_id:str}",
        {"own": _own_consent, "resident's": _residents_consent},
        {"own": each(SIGNED_IN, 200), "resident's": {Caller.RESIDENT: 200}},
        _on(None, "app_id"),
        denied=404,
        after=_tidy,
    ),
]
