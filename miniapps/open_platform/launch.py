"""The launch handshake: the app's page asks the host for a launch code, good once for five
minutes and bound to app, user, district and version; the app's server trades it with its
token for the user's pairwise ids and the fields the user consented to, nothing else."""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from collections.abc import Mapping
from typing import Any

import msgspec

from backend.sdk import (
    Claims,
    Enablement,
    FieldError,
    Forbidden,
    NotFound,
    Role,
    Unprocessable,
    Vault,
    active_among,
    all_or_nothing,
    district_of,
    fetch_rows,
    personal_details,
    utc_now,
)
from miniapps.open_platform.consents import consent_to, standing_fields
from miniapps.open_platform.credentials import digest_of
from miniapps.open_platform.districts import allows, switch_of
from miniapps.open_platform.errors import OpenProblem
from miniapps.open_platform.release import version_for
from miniapps.open_platform.schemas import (
    PROFILE_FIELDS,
    AppEntry,
    AppManifest,
    AskedField,
    ConsentedClaims,
    DataField,
    Launched,
    LaunchIn,
    OpenProfile,
    OpenSession,
    Permission,
)
from miniapps.open_platform.usage import count_launch

CODE_LIFETIME = dt.timedelta(minutes=5)
KEPT = dt.timedelta(days=1)  # how long a spent code's row stays, for the record
OPENID = "open_platform.openid"
UNIONID = "open_platform.unionid"
PLATFORM_ID = "open_platform"  # this mini-app's id, as the city's switches name it


class Opened(msgspec.Struct, frozen=True, kw_only=True):
    """An app as one user opens it in one district: the version they get."""

    app_id: str
    version_id: int
    manifest: AppManifest
    district: str


async def opened(
    actor: Claims, app_id: str, district: str | None, enablement: Enablement
) -> Opened:
    """The app as the caller opens it in a district of theirs, in the version they get
    there; an app not out to them does not exist for them, and one off in the district is
    refused."""
    app = await _app_or_none(app_id)
    out = {} if app is None else await _out_now(app)
    roles = frozenset[Role]().union(*(m.target_roles for m in out.values()))
    if app is None or not out or not actor.has_role(*roles):
        raise NotFound(OpenProblem.APP_NOT_FOUND)
    where = _district(actor, roles, district)
    there = [path for path in actor.paths_for(*roles) if district_of(path) == where]
    version_id = version_for(app, actor.user_id, there)
    manifest = out.get(version_id) if version_id is not None else None
    if version_id is None or manifest is None or not actor.has_role(*manifest.target_roles):
        raise NotFound(OpenProblem.APP_NOT_FOUND)
    if not enablement.serves(PLATFORM_ID, where) or not allows(
        await switch_of(app_id, where), manifest
    ):
        raise Forbidden(OpenProblem.OFF_IN_DISTRICT)
    return Opened(app_id=app_id, version_id=version_id, manifest=manifest, district=where)


async def icon_out(app_id: str, version_id: int) -> bytes:
    """The PNG icon of a version out now (released or in gray release), which anyone
    signed in may see; any other version's does not exist for them."""
    rows = await fetch_rows(
        "SELECT v.manifest FROM open_platform_version v JOIN open_platform_app a"
        " ON a.app_id = v.app_id WHERE v.id = $1 AND v.app_id = $2"
        " AND (a.released_version_id = v.id OR a.gray_version_id = v.id)",
        version_id,
        app_id,
    )
    if not rows:
        raise NotFound(OpenProblem.VERSION_NOT_FOUND)
    manifest = msgspec.json.decode(rows[0]["manifest"], type=AppManifest)
    return base64.b64decode(manifest.icon)


async def entry(
    actor: Claims, app_id: str, district: str | None, enablement: Enablement
) -> AppEntry:
    app = await opened(actor, app_id, district, enablement)
    consented = await standing_fields(app_id, actor.user_id)
    return AppEntry(
        app_id=app_id,
        version_id=app.version_id,
        names=app.manifest.names,
        entry_url=app.manifest.entry_url,
        fields=[
            AskedField(field=ask.field, purpose=ask.purpose, consented=ask.field in consented)
            for ask in app.manifest.data
        ],
    )


async def launch(actor: Claims, app_id: str, asked: LaunchIn, enablement: Enablement) -> Launched:
    """A launch code for the caller's opening of the app, after recording the consents
    given with it."""
    app = await opened(actor, app_id, asked.district, enablement)
    purposes = {ask.field: ask.purpose for ask in app.manifest.data}
    not_asked = sorted(asked.consent - purposes.keys())
    if not_asked:
        raise Unprocessable(
            OpenProblem.FIELD_NOT_ASKED,
            errors=[FieldError("consent", f"{field} is not asked for") for field in not_asked],
        )
    code = secrets.token_urlsafe(24)
    now = utc_now()
    async with all_or_nothing():
        await consent_to(app_id, actor.user_id, {f: purposes[f] for f in asked.consent})
        await fetch_rows(
            "DELETE FROM open_platform_launch WHERE user_id = $1 AND expires_at < $2",
            actor.user_id,
            now - KEPT,
        )
        await fetch_rows(
            "INSERT INTO open_platform_launch (digest, app_id, user_id, district, version_id,"
            " issued_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            digest_of(code),
            app_id,
            actor.user_id,
            app.district,
            app.version_id,
            now,
            now + CODE_LIFETIME,
        )
        await count_launch(app_id, app.district, actor.user_id, now)
    return Launched(
        code=code,
        expires_in=int(CODE_LIFETIME.total_seconds()),
        entry_url=app.manifest.entry_url,
    )


async def trade(app_id: str, code: str, vault: Vault, enablement: Enablement) -> OpenSession:
    """Who launched the calling app with `code`: spent by this, and refused alike when
    unknown, spent, expired or another app's. The app must still be on in the district,
    and the open platform too."""
    now = utc_now()
    spent = await fetch_rows(
        "UPDATE open_platform_launch SET used_at = $1 WHERE digest = $2 AND app_id = $3"
        " AND used_at IS NULL AND expires_at > $1 RETURNING user_id, district, version_id",
        now,
        digest_of(code),
        app_id,
    )
    if not spent:
        raise Unprocessable(OpenProblem.CODE_REFUSED)
    user_id, district = int(spent[0]["user_id"]), str(spent[0]["district"])
    version_id = int(spent[0]["version_id"])
    [launched] = await fetch_rows(_LAUNCHED, app_id, version_id, district)
    manifest = msgspec.json.decode(launched["manifest"], type=AppManifest)
    if not enablement.serves(PLATFORM_ID, district) or not allows(launched, manifest):
        raise Forbidden(OpenProblem.OFF_IN_DISTRICT)
    publisher_id = launched["publisher_id"]
    openid = pairwise(vault, OPENID, f"{app_id}:{user_id}")
    await _bind(openid, app_id, user_id, district, version_id, now)
    return OpenSession(
        openid=openid,
        unionid=pairwise(vault, UNIONID, f"{publisher_id}:{user_id}"),
        version_id=version_id,
        claims=await consented_claims(app_id, user_id, district, manifest, vault),
    )


# What a trade needs besides the code: the manifest of the version launched, the switch of
# the district it was launched in, and the publisher; read together.
_LAUNCHED = (
    "SELECT a.publisher_id, v.manifest, d.enabled, d.approved_asks FROM open_platform_app a"
    " JOIN open_platform_version v ON v.id = $2 AND v.app_id = a.app_id"
    " LEFT JOIN open_platform_district d ON d.app_id = a.app_id AND d.district = $3"
    " WHERE a.app_id = $1"
)


async def _bind(
    openid: str, app_id: str, user_id: int, district: str, version_id: int, now: dt.datetime
) -> None:
    """Remember whom `openid` names for the app, and where and with which version they
    last launched it."""
    await fetch_rows(
        "INSERT INTO open_platform_identity (openid, app_id, user_id, district, version_id,"
        " bound_at, launched_at) VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (openid)"
        " DO UPDATE SET district = excluded.district, version_id = excluded.version_id,"
        " launched_at = excluded.launched_at",
        openid,
        app_id,
        user_id,
        district,
        version_id,
        now,
    )


class Reached(msgspec.Struct, frozen=True, kw_only=True):
    """A user an app's server names by openid: where they last launched the app, and the
    version of it they have."""

    user_id: int
    district: str
    manifest: AppManifest


async def profile(app_id: str, openid: str, vault: Vault, enablement: Enablement) -> OpenProfile:
    """The fields the user behind `openid` consents to the calling app reading now."""
    user = await reached(app_id, openid, enablement, Permission.PROFILE)
    claims = await consented_claims(app_id, user.user_id, user.district, user.manifest, vault)
    return OpenProfile(openid=openid, claims=claims)


async def reached(
    app_id: str, openid: str, enablement: Enablement, permission: Permission
) -> Reached:
    """The user behind `openid` for the calling app, if the version they have asks for
    `permission` and the app is on where they last launched it; an openid of another app,
    or of nobody who launched this one, names nobody."""
    rows = await fetch_rows(_REACHED, openid, app_id)
    user_id = int(rows[0]["user_id"]) if rows else 0
    if not rows or not await active_among([user_id]):
        raise NotFound(OpenProblem.USER_NOT_FOUND)
    district, manifest_json = str(rows[0]["district"]), rows[0]["manifest"]
    if manifest_json is None or not enablement.serves(PLATFORM_ID, district):
        raise Forbidden(OpenProblem.OFF_IN_DISTRICT)
    manifest = msgspec.json.decode(manifest_json, type=AppManifest)
    if permission not in manifest.permissions:
        raise Forbidden(OpenProblem.PERMISSION_MISSING, permission=permission)
    if not allows(rows[0], manifest):
        raise Forbidden(OpenProblem.OFF_IN_DISTRICT)
    return Reached(user_id=user_id, district=district, manifest=manifest)


# The user behind an openid of the app, the manifest of the version they have (the one they
# launched if it is still out, released or in gray release, else the one released; none if
# nothing is) and the switch of the district where they launched it, read together, for
# every open-API call about a user.
_REACHED = (
    "SELECT i.user_id, i.district, v.manifest, d.enabled, d.approved_asks"
    " FROM open_platform_identity i JOIN open_platform_app a ON a.app_id = i.app_id"
    " LEFT JOIN open_platform_version v ON v.id = CASE"
    " WHEN i.version_id IN (a.released_version_id, a.gray_version_id) THEN i.version_id"
    " ELSE a.released_version_id END"
    " LEFT JOIN open_platform_district d ON d.app_id = i.app_id AND d.district = i.district"
    " WHERE i.openid = $1 AND i.app_id = $2"
)


def pairwise(vault: Vault, purpose: str, subject: str) -> str:
    """A keyed hash of the user within `subject`'s app or publisher: stable, and unlinkable
    across them without the platform's key."""
    return vault.lookup(subject, purpose=purpose)[:32]


async def consented_claims(
    app_id: str, user_id: int, district: str, manifest: AppManifest, vault: Vault
) -> ConsentedClaims:
    """The fields the version asks for that the user consents to now, and no other."""
    asked = {ask.field for ask in manifest.data} & PROFILE_FIELDS
    fields = await standing_fields(app_id, user_id) & asked
    if not fields:
        return ConsentedClaims()
    details = await personal_details(user_id, vault)
    if details is None:
        return ConsentedClaims()
    return ConsentedClaims(
        name=details.name if DataField.NAME in fields else None,
        phone=details.phone if DataField.PHONE in fields else None,
        id_card=details.id_card if DataField.ID_CARD in fields else None,
        district=district if DataField.DISTRICT in fields else None,
    )


def _district(actor: Claims, roles: frozenset[Role], asked: str | None) -> str:
    """The district the caller opens the app in: one where they hold a role it targets."""
    theirs = sorted({d for d in map(district_of, actor.paths_for(*roles)) if d})
    if (asked is not None and asked not in theirs) or not theirs:
        raise Forbidden(OpenProblem.NOT_YOUR_DISTRICT)
    if asked is not None:
        return asked
    if len(theirs) > 1:
        raise Unprocessable(OpenProblem.DISTRICT_REQUIRED)
    return theirs[0]


async def _app_or_none(app_id: str) -> Mapping[str, Any] | None:
    rows = await fetch_rows("SELECT * FROM open_platform_app WHERE app_id = $1", app_id)
    return rows[0] if rows else None


async def _out_now(app: Mapping[str, Any]) -> dict[int, AppManifest]:
    """The app's versions out now, released and in gray release, by id."""
    ids = [i for i in (app["released_version_id"], app["gray_version_id"]) if i is not None]
    return {int(i): await _manifest(int(i)) for i in ids}


async def _manifest(version_id: int) -> AppManifest:
    [row] = await fetch_rows("SELECT manifest FROM open_platform_version WHERE id = $1", version_id)
    return msgspec.json.decode(row["manifest"], type=AppManifest)
