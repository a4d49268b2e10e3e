"""An approved version reaches users through its publisher: a gray release first, to a
share of users and to chosen districts, then the release to everyone; a rollback returns
to one of the last five versions released, never during a gray release."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from backend.sdk import (
    Claims,
    Conflict,
    Unprocessable,
    all_or_nothing,
    fetch_rows,
    is_within,
    utc_now,
)
from miniapps.open_platform.apps import hold_app, owned_app, seen_app
from miniapps.open_platform.errors import OpenProblem
from miniapps.open_platform.schemas import (
    AppVersionStatus,
    Gray,
    GrayIn,
    ReleaseKind,
    ReleaseStep,
    ReleaseView,
)
from miniapps.open_platform.versions import owned_version_row

ROLLBACK_DEPTH = 5
BUCKETS = 10_000  # a user's place among an app's users, to a hundredth of a percent


def bucket(app_id: str, user_id: int) -> int:
    """The user's stable place (0 to 9999) for the app: the same on every call and every
    server, and unrelated between two apps."""
    digest = hashlib.sha256(f"{app_id}:{user_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % BUCKETS


def in_gray(app: Mapping[str, Any], user_id: int, districts: Sequence[str]) -> bool:
    """The user gets the app's version in gray release, if it has one."""
    if app["gray_version_id"] is None:
        return False
    if bucket(app["app_id"], user_id) < int(app["gray_percent"]) * BUCKETS // 100:
        return True
    gray_districts = _paths(app["gray_districts"])
    return any(is_within(mine, gray) for mine in districts for gray in gray_districts)


def version_for(app: Mapping[str, Any], user_id: int, districts: Sequence[str]) -> int | None:
    """The id of the version the user gets, or None while nothing is released to them."""
    if in_gray(app, user_id, districts):
        return int(app["gray_version_id"])
    released = app["released_version_id"]
    return None if released is None else int(released)


async def start_gray(actor: Claims, version_id: int, gray: GrayIn) -> None:
    """Put an approved version in gray release, or change who gets the one already in it."""
    if gray.percent == 0 and not gray.districts:
        raise Unprocessable(OpenProblem.GRAY_EMPTY)
    version = await _approved_version(actor, version_id)
    app_id = str(version["app_id"])
    async with all_or_nothing():
        app = await _held(app_id)
        await _may_go_out(app, version)
        districts = ",".join(sorted(gray.districts))
        await fetch_rows(
            "UPDATE open_platform_app SET gray_version_id = $1, gray_percent = $2,"
            " gray_districts = $3 WHERE app_id = $4",
            version_id,
            gray.percent,
            districts,
            app_id,
        )
        await _log(actor, app_id, version_id, ReleaseKind.GRAY, gray.percent, districts)


async def stop_gray(actor: Claims, app_id: str) -> None:
    await owned_app(actor, app_id)
    async with all_or_nothing():
        app = await _held(app_id)
        if app["gray_version_id"] is None:
            raise Conflict(OpenProblem.NO_GRAY)
        await _set_released(app_id, app["released_version_id"])
        await _log(actor, app_id, app["gray_version_id"], ReleaseKind.GRAY_STOPPED)


async def release(actor: Claims, version_id: int) -> None:
    """Release an approved version to everyone: the one in gray release, or another when
    none is."""
    version = await _approved_version(actor, version_id)
    app_id = str(version["app_id"])
    async with all_or_nothing():
        app = await _held(app_id)
        await _may_go_out(app, version)
        await _set_released(app_id, version_id)
        await _log(actor, app_id, version_id, ReleaseKind.RELEASE)


async def rollback(actor: Claims, app_id: str, version_id: int) -> None:
    await owned_app(actor, app_id)
    async with all_or_nothing():
        app = await _held(app_id)
        if app["gray_version_id"] is not None:
            raise Conflict(OpenProblem.GRAY_RUNNING)
        if version_id not in await _rollback_to(app):
            raise Conflict(OpenProblem.NOT_ROLLBACK_TARGET)
        await _set_released(app_id, version_id)
        await _log(actor, app_id, version_id, ReleaseKind.ROLLBACK)


async def release_view(actor: Claims, app_id: str) -> ReleaseView:
    app = await seen_app(actor, app_id)
    steps = await fetch_rows(
        "SELECT * FROM open_platform_release_log WHERE app_id = $1 ORDER BY id DESC LIMIT 20",
        app_id,
    )
    gray = None
    if app["gray_version_id"] is not None:
        gray = Gray(
            version_id=app["gray_version_id"],
            percent=app["gray_percent"],
            districts=_paths(app["gray_districts"]),
        )
    return ReleaseView(
        app_id=app_id,
        released_version_id=app["released_version_id"],
        gray=gray,
        rollback_to=await _rollback_to(app),
        steps=[
            ReleaseStep(
                version_id=row["version_id"],
                kind=ReleaseKind(row["kind"]),
                gray_percent=row["gray_percent"],
                gray_districts=_paths(row["gray_districts"]),
                at=row["at"],
            )
            for row in steps
        ],
    )


async def _rollback_to(app: Mapping[str, Any]) -> list[int]:
    """The last five versions released before the one released now, the newest first."""
    rows = await fetch_rows(
        "SELECT version_id, MAX(id) AS last FROM open_platform_release_log WHERE app_id = $1"
        " AND kind IN ($2, $3) GROUP BY version_id ORDER BY last DESC",
        app["app_id"],
        ReleaseKind.RELEASE,
        ReleaseKind.ROLLBACK,
    )
    earlier = [int(r["version_id"]) for r in rows if r["version_id"] != app["released_version_id"]]
    return earlier[:ROLLBACK_DEPTH]


async def _approved_version(actor: Claims, version_id: int) -> Mapping[str, Any]:
    row = await owned_version_row(actor, version_id)
    if row["status"] != AppVersionStatus.APPROVED:
        raise Conflict(OpenProblem.VERSION_STATE, status=row["status"])
    return row


async def _may_go_out(app: Mapping[str, Any], version: Mapping[str, Any]) -> None:
    """Refuse what would put out another version than the one in gray release, the one
    released, or one older than it: going back is a rollback, within its five."""
    if app["gray_version_id"] not in (None, version["id"]):
        raise Conflict(OpenProblem.GRAY_RUNNING)
    if app["released_version_id"] == version["id"]:
        raise Conflict(OpenProblem.VERSION_RELEASED)
    if app["released_version_id"] is not None:
        [released] = await fetch_rows(
            "SELECT number FROM open_platform_version WHERE id = $1", app["released_version_id"]
        )
        if version["number"] < released["number"]:
            raise Conflict(OpenProblem.VERSION_OLDER)


async def _held(app_id: str) -> Mapping[str, Any]:
    await hold_app(app_id)
    [app] = await fetch_rows("SELECT * FROM open_platform_app WHERE app_id = $1", app_id)
    return app


async def _set_released(app_id: str, version_id: int | None) -> None:
    await fetch_rows(
        "UPDATE open_platform_app SET released_version_id = $1, gray_version_id = NULL,"
        " gray_percent = 0, gray_districts = '' WHERE app_id = $2",
        version_id,
        app_id,
    )


async def _log(
    actor: Claims,
    app_id: str,
    version_id: int,
    kind: ReleaseKind,
    percent: int = 0,
    districts: str = "",
) -> None:
    await fetch_rows(
        "INSERT INTO open_platform_release_log (app_id, version_id, kind, gray_percent,"
        " gray_districts, actor_id, at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        app_id,
        version_id,
        kind,
        percent,
        districts,
        actor.user_id,
        utc_now(),
    )


def _paths(joined: str) -> list[str]:
    return [path for path in joined.split(",") if path]
