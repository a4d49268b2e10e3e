"""Per-district enablement (一台多峰): the platform's approval makes an app available, and
each district's admin switches it on for the district, approving what it asks for there.
An app is off in a district until then, and off again when a version out asks for more
than the district approved, until its admin approves that too."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import msgspec

from backend.sdk import (
    Claims,
    Conflict,
    Forbidden,
    KernelCode,
    NotFound,
    Role,
    Unprocessable,
    audit,
    fetch_rows,
    is_within,
    unit_exists,
    unit_of_work,
    utc_now,
)
from miniapps.open_platform.apps import hold_app
from miniapps.open_platform.errors import OpenProblem
from miniapps.open_platform.schemas import (
    AppManifest,
    DistrictApp,
    DistrictAppList,
    DistrictState,
    DistrictSwitchIn,
    WebhookEvent,
)
from miniapps.open_platform.webhooks import tell

OUT_VERSIONS = (
    "SELECT a.app_id, a.released_version_id, a.gray_percent, a.gray_districts, v.id,"
    " v.manifest FROM open_platform_app a JOIN open_platform_version v"
    " ON v.id = a.released_version_id OR v.id = a.gray_version_id"
)


def asks_of(manifest: AppManifest) -> frozenset[str]:
    """What the version asks of a district: its permissions and, as data.<field>, each field
    of a user's data."""
    return frozenset(manifest.permissions) | {f"data.{ask.field}" for ask in manifest.data}


def allows(switch: Mapping[str, Any] | None, manifest: AppManifest) -> bool:
    """The district's switch lets this version run there."""
    if switch is None or not switch["enabled"]:
        return False
    return asks_of(manifest) <= _joined(switch["approved_asks"])


async def switch_of(app_id: str, district: str) -> Mapping[str, Any] | None:
    rows = await fetch_rows(
        "SELECT * FROM open_platform_district WHERE app_id = $1 AND district = $2",
        app_id,
        district,
    )
    return rows[0] if rows else None


async def district_apps(actor: Claims, district: str) -> DistrictAppList:
    """Every app out on the platform, and how it stands in the district, for its admin."""
    await _may_switch(actor, district)
    rows = await fetch_rows(f"{OUT_VERSIONS} ORDER BY a.app_id, v.id")
    out = _out_manifests(rows, district)
    switches = {
        row["app_id"]: row
        for row in await fetch_rows(
            "SELECT * FROM open_platform_district WHERE district = $1", district
        )
    }
    return DistrictAppList(
        district=district,
        items=[_view(app_id, manifests, switches.get(app_id)) for app_id, manifests in out.items()],
    )


async def switch_district(actor: Claims, app_id: str, change: DistrictSwitchIn) -> DistrictApp:
    """Switch the app on in the district, approving what its versions out there ask for
    (as the admin was shown them), or off; what was approved stays on record."""
    await _may_switch(actor, change.district)
    async with unit_of_work():
        await hold_app(app_id)
        manifests = _out_manifests(await _out_rows(app_id), change.district).get(app_id)
        if not manifests:  # an app not out does not exist for a district
            raise NotFound(OpenProblem.APP_NOT_FOUND)
        before = await switch_of(app_id, change.district)
        asks = _together(asks_of(m) for m in manifests)
        if change.enabled and change.asks is None:
            raise Unprocessable(OpenProblem.ASKS_REQUIRED)
        if change.enabled and change.asks != asks:
            raise Conflict(OpenProblem.ASKS_CHANGED, extensions={"asks": sorted(asks)})
        approved = asks if change.enabled else _joined(before["approved_asks"] if before else "")
        await _write(actor, app_id, change, approved, exists=before is not None)
        was = _joined(before["approved_asks"]) if before and before["enabled"] else None
        await _tell_app(app_id, change, approved, was)
        await audit(
            actor,
            "open_platform.district_switched",
            None,
            {"app_id": app_id, "district": change.district, "enabled": change.enabled},
        )
    return _view(app_id, manifests, await switch_of(app_id, change.district))


async def _tell_app(
    app_id: str, change: DistrictSwitchIn, approved: frozenset[str], was: frozenset[str] | None
) -> None:
    """The app hears it was switched on or approved to ask more (`was` is what it was
    approved before, None when it was off), or switched off."""
    if change.enabled and approved != was:
        data: dict[str, object] = {"district": change.district, "asks": sorted(approved)}
        await tell(app_id, WebhookEvent.DISTRICT_ENABLED, data)
    elif not change.enabled and was is not None:
        await tell(app_id, WebhookEvent.DISTRICT_DISABLED, {"district": change.district})


async def _may_switch(actor: Claims, district: str) -> None:
    if not actor.covers(district, Role.DISTRICT_ADMIN, Role.PLATFORM_ADMIN):
        raise Forbidden(KernelCode.SCOPE_NOT_ALLOWED)
    if not await unit_exists(district):
        raise Unprocessable(OpenProblem.DISTRICT_UNKNOWN)


async def _out_rows(app_id: str) -> Sequence[Mapping[str, Any]]:
    return await fetch_rows(f"{OUT_VERSIONS} WHERE a.app_id = $1 ORDER BY v.id", app_id)


def _out_manifests(
    rows: Iterable[Mapping[str, Any]], district: str
) -> dict[str, list[AppManifest]]:
    """Each app's versions out now in the district, the older first: the one released,
    and the one in gray release where it reaches the district."""
    out: dict[str, list[AppManifest]] = {}
    for row in rows:
        if _reaches(row, district):
            manifest = msgspec.json.decode(row["manifest"], type=AppManifest)
            out.setdefault(row["app_id"], []).append(manifest)
    return out


def _reaches(row: Mapping[str, Any], district: str) -> bool:
    """The version reaches users in the district: released, or in gray release to a share
    of everyone or to a place within or around the district."""
    if row["id"] == row["released_version_id"] or row["gray_percent"] > 0:
        return True
    gray = [path for path in row["gray_districts"].split(",") if path]
    return any(is_within(path, district) or is_within(district, path) for path in gray)


async def _write(
    actor: Claims, app_id: str, change: DistrictSwitchIn, approved: frozenset[str], *, exists: bool
) -> None:
    values = (change.enabled, ",".join(sorted(approved)), actor.user_id, utc_now())
    if exists:
        await fetch_rows(
            "UPDATE open_platform_district SET enabled = $1, approved_asks = $2,"
            " changed_by = $3, changed_at = $4 WHERE app_id = $5 AND district = $6",
            *values,
            app_id,
            change.district,
        )
        return
    await fetch_rows(
        "INSERT INTO open_platform_district (enabled, approved_asks, changed_by, changed_at,"
        " app_id, district) VALUES ($1, $2, $3, $4, $5, $6)",
        *values,
        app_id,
        change.district,
    )


def _view(
    app_id: str, manifests: list[AppManifest], switch: Mapping[str, Any] | None
) -> DistrictApp:
    asks = _together(asks_of(m) for m in manifests)
    approved = _joined(switch["approved_asks"]) if switch else frozenset()
    if switch is None or not switch["enabled"]:
        state = DistrictState.OFF
    elif all(allows(switch, m) for m in manifests):
        state = DistrictState.ON
    else:
        state = DistrictState.NEEDS_APPROVAL
    return DistrictApp(
        app_id=app_id,
        names=manifests[-1].names,
        state=state,
        asks=sorted(asks),
        approved=sorted(approved),
        changed_at=switch["changed_at"] if switch else None,
        purposes={f"data.{ask.field}": ask.purpose for m in manifests for ask in m.data},
    )


def _together(sets: Iterable[frozenset[str]]) -> frozenset[str]:
    return frozenset().union(*sets)


def _joined(text: str) -> frozenset[str]:
    return frozenset(part for part in text.split(",") if part)
