"""An approved version reaches users through its publisher: a gray release to a share of
users (a stable hash of app and user, within 2 points of the share over 10,000 users) and
to chosen districts, then to everyone; a rollback returns to one of the last five versions
released, never during a gray release."""

from __future__ import annotations

from typing import Any

from miniapps.open_platform.release import bucket, in_gray, version_for
from miniapps.open_platform.tables import OpenApp
from tests.conftest import Client, TokenForPhone
from tests.miniapps.open_platform.publishing import (
    APP,
    DEVELOPER,
    PLATFORM,
    RESIDENT,
    Person,
    manifest,
    registered_app,
    someone,
    verified_publisher,
)

USERS = range(1, 10_001)


def _gray(app_id: str, percent: int, districts: str = "") -> dict[str, Any]:
    return {
        "app_id": app_id,
        "gray_version_id": 2,
        "gray_percent": percent,
        "gray_districts": districts,
        "released_version_id": 1,
    }


def test_a_gray_share_reaches_its_share_of_10000_users_and_keeps_them() -> None:
    for percent in (1, 5, 20, 50, 90):
        reached = [u for u in USERS if in_gray(_gray("yx00000000000000a1", percent), u, [])]
        assert abs(len(reached) - percent * 100) <= 200, (percent, len(reached))
    ten = {u for u in USERS if in_gray(_gray("yx00000000000000a1", 10), u, [])}
    thirty = {u for u in USERS if in_gray(_gray("yx00000000000000a1", 30), u, [])}
    assert ten <= thirty  # widening the share keeps everyone who had it
    assert [bucket("yx00000000000000a1", u) for u in USERS] == [
        bucket("yx00000000000000a1", u) for u in USERS
    ]
    # Two apps pick their halves apart: about a quarter of users is in both.
    first = {u for u in USERS if in_gray(_gray("yx00000000000000a1", 50), u, [])}
    second = {u for u in USERS if in_gray(_gray("yx00000000000000b2", 50), u, [])}
    assert abs(len(first & second) - 2500) <= 250


def test_a_gray_district_takes_in_everyone_under_it() -> None:
    app = _gray("yx00000000000000a1", 0, "zz/jinshui,zz/gx/fengyang")
    assert version_for(app, 7, ["zz/jinshui/wenhua/c01/g01"]) == 2
    assert version_for(app, 7, ["zz/gx/fengyang/c03"]) == 2
    assert version_for(app, 7, ["zz/gx/other"]) == 1
    assert version_for(app, 7, ["zz/jinshuix"]) == 1
    assert version_for({**app, "gray_version_id": None, "released_version_id": None}, 7, []) is None


async def _approved(
    client: Client, developer: Person, platform: Person, app_id: str, label: str
) -> int:
    made = await client.post(
        f"{APP}/apps/{app_id}/versions",
        json={"label": label, "manifest": manifest()},
        headers=developer.headers,
    )
    assert made.status_code == 201, made.text
    version_id = int(made.json()["id"])
    await client.post(f"{APP}/versions/{version_id}/submission", headers=developer.headers)
    reviewed = await client.post(
        f"{APP}/versions/{version_id}/review", json={"approved": True}, headers=platform.headers
    )
    assert reviewed.json()["status"] == "approved", reviewed.text
    return version_id


async def _publishing(
    client: Client, token_for_phone: TokenForPhone
) -> tuple[Person, Person, str, int]:
    developer = await someone(client, token_for_phone, DEVELOPER)
    platform = await someone(client, token_for_phone, PLATFORM)
    await verified_publisher(client, developer, platform)
    registered = await registered_app(client, developer)
    first = registered["version_id"]
    await client.post(f"{APP}/versions/{first}/submission", headers=developer.headers)
    await client.post(
        f"{APP}/versions/{first}/review", json={"approved": True}, headers=platform.headers
    )
    return developer, platform, registered["app"]["app_id"], first


async def _app(app_id: str) -> dict[str, Any]:
    row = await OpenApp.select().where(OpenApp.app_id == app_id).first()
    assert row is not None
    return row


async def test_gray_then_release_then_rollback_restores_the_version_before(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    developer, platform, app_id, first = await _publishing(client, token_for_phone)
    released = await client.post(f"{APP}/versions/{first}/release", headers=developer.headers)
    assert released.status_code == 200, released.text
    assert released.json()["released_version_id"] == first
    second = await _approved(client, developer, platform, app_id, "1.1.0")

    grayed = await client.post(
        f"{APP}/versions/{second}/gray",
        json={"percent": 20, "districts": ["zz/jinshui"]},
        headers=developer.headers,
    )
    assert grayed.status_code == 200, grayed.text
    assert grayed.json()["gray"] == {
        "version_id": second,
        "percent": 20,
        "districts": ["zz/jinshui"],
    }
    app = await _app(app_id)
    reached = [u for u in USERS if version_for(app, u, ["zz/gx/fengyang"]) == second]
    assert abs(len(reached) - 2000) <= 200
    assert version_for(app, 1, ["zz/jinshui/wenhua"]) == second

    during = await client.post(
        f"{APP}/apps/{app_id}/rollback", json={"version_id": first}, headers=developer.headers
    )
    assert during.status_code == 409
    assert during.json()["code"] == "open_gray_running"

    everyone = await client.post(f"{APP}/versions/{second}/release", headers=developer.headers)
    assert (everyone.json()["released_version_id"], everyone.json()["gray"]) == (second, None)
    assert everyone.json()["rollback_to"] == [first]
    app = await _app(app_id)
    assert {version_for(app, u, ["zz/gx"]) for u in USERS} == {second}

    back = await client.post(
        f"{APP}/apps/{app_id}/rollback", json={"version_id": first}, headers=developer.headers
    )
    assert back.status_code == 200, back.text
    assert back.json()["released_version_id"] == first
    assert back.json()["rollback_to"] == [second]
    app = await _app(app_id)
    assert {version_for(app, u, ["zz/jinshui"]) for u in USERS} == {first}
    assert [s["kind"] for s in back.json()["steps"]] == ["rollback", "release", "gray", "release"]


async def test_a_rollback_reaches_back_five_releases(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    developer, platform, app_id, first = await _publishing(client, token_for_phone)
    await client.post(f"{APP}/versions/{first}/release", headers=developer.headers)
    versions = [first]
    for n in range(1, 7):
        version = await _approved(client, developer, platform, app_id, f"1.{n}.0")
        await client.post(f"{APP}/versions/{version}/release", headers=developer.headers)
        versions.append(version)
    view = (await client.get(f"{APP}/apps/{app_id}/release", headers=developer.headers)).json()
    assert view["rollback_to"] == versions[-2:-7:-1]
    too_old = await client.post(
        f"{APP}/apps/{app_id}/rollback", json={"version_id": first}, headers=developer.headers
    )
    assert too_old.status_code == 409
    assert too_old.json()["code"] == "open_not_rollback_target"
    current = await client.post(
        f"{APP}/apps/{app_id}/rollback",
        json={"version_id": versions[-1]},
        headers=developer.headers,
    )
    assert current.status_code == 409


async def test_only_an_approved_version_goes_out_and_one_gray_at_a_time(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    developer, platform, app_id, first = await _publishing(client, token_for_phone)
    draft = await client.post(
        f"{APP}/apps/{app_id}/versions",
        json={"label": "2.0.0", "manifest": manifest()},
        headers=developer.headers,
    )
    for step in ("release", "gray"):
        refused = await client.post(
            f"{APP}/versions/{draft.json()['id']}/{step}",
            json={"percent": 10},
            headers=developer.headers,
        )
        assert refused.status_code == 409
        assert refused.json()["code"] == "open_version_state"
    empty = await client.post(
        f"{APP}/versions/{first}/gray", json={"percent": 0}, headers=developer.headers
    )
    assert empty.status_code == 422
    assert empty.json()["code"] == "open_gray_empty"

    await client.post(
        f"{APP}/versions/{first}/gray", json={"percent": 5}, headers=developer.headers
    )
    await client.post(f"{APP}/versions/{draft.json()['id']}/withdrawal", headers=developer.headers)
    second = await _approved(client, developer, platform, app_id, "2.0.1")
    other = await client.post(
        f"{APP}/versions/{second}/gray", json={"percent": 5}, headers=developer.headers
    )
    assert other.status_code == 409
    assert other.json()["code"] == "open_gray_running"
    widened = await client.post(
        f"{APP}/versions/{first}/gray", json={"percent": 50}, headers=developer.headers
    )
    assert widened.json()["gray"]["percent"] == 50

    stopped = await client.delete(f"{APP}/apps/{app_id}/gray", headers=developer.headers)
    assert (stopped.json()["gray"], stopped.json()["released_version_id"]) == (None, None)
    again = await client.delete(f"{APP}/apps/{app_id}/gray", headers=developer.headers)
    assert again.status_code == 409
    assert again.json()["code"] == "open_no_gray"


async def test_only_the_publisher_releases(client: Client, token_for_phone: TokenForPhone) -> None:
    _, platform, app_id, first = await _publishing(client, token_for_phone)
    resident = await someone(client, token_for_phone, RESIDENT)
    assert (
        await client.post(f"{APP}/versions/{first}/release", headers=platform.headers)
    ).status_code == 403
    assert (
        await client.post(f"{APP}/versions/{first}/release", headers=resident.headers)
    ).status_code == 404
    assert (
        await client.get(f"{APP}/apps/{app_id}/release", headers=resident.headers)
    ).status_code == 404
    seen = await client.get(f"{APP}/apps/{app_id}/release", headers=platform.headers)
    assert seen.json()["released_version_id"] is None
    assert (await _app(app_id))["released_version_id"] is None


async def test_an_older_version_goes_back_out_only_by_rollback(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    developer, platform, app_id, first = await _publishing(client, token_for_phone)
    second = await _approved(client, developer, platform, app_id, "1.1.0")
    await client.post(f"{APP}/versions/{second}/release", headers=developer.headers)
    for step, body in (("release", None), ("gray", {"percent": 10})):
        refused = await client.post(
            f"{APP}/versions/{first}/{step}", json=body, headers=developer.headers
        )
        assert refused.status_code == 409
        assert refused.json()["code"] == "open_version_older"
    assert (await _app(app_id))["released_version_id"] == second
