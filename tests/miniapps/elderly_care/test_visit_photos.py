"""Photos of a care visit: taken by the worker who made it, while there or within a day of
leaving, ten at most, each redrawn without the phone's position; seen by whoever sees the
elder and by nobody else."""

from __future__ import annotations

import asyncio
import io
import os
import random
from pathlib import Path

import httpx
import msgspec
from litestar import Litestar
from PIL import Image

from auth.sessions import grant_for
from backend.directory.users.tables import RoleAssignment
from backend.kernel.roles import Role
from miniapps.elderly_care.tables import VisitPhoto
from tests.conftest import Client, TokenFor, TokenForPhone
from tests.miniapps.elderly_care.circle import (
    APP,
    DAUGHTER,
    WORKER_G07,
    WORKER_G08,
    CareClock,
    Person,
    enrolled_elder,
    join_circle,
    someone,
)
from tests.miniapps.payment.helpers import user_id_of
from tests.pictures import GPS_IFD, picture, with_gps
from tests.support import auth_of

HOME = {"latitude": 34.8051, "longitude": 113.5552}
JPEG = "image/jpeg"


class Visited(msgspec.Struct, frozen=True, kw_only=True):
    """A care worker in an elder's home, and the elder's daughter in the circle."""

    worker: Person
    daughter: Person
    elder_id: int
    visit: int


async def _visit(client: Client, token_for: TokenFor, token_for_phone: TokenForPhone) -> Visited:
    elder, elder_id = await enrolled_elder(client, token_for_phone)
    daughter = await someone(client, token_for_phone, DAUGHTER)
    await join_circle(client, elder, elder_id, daughter)
    token = await token_for(Role.CARE_WORKER)
    worker = Person(token, await user_id_of(client, token))
    arrived = await client.post(
        f"{APP}/elders/{elder_id}/visits", json=HOME, headers=worker.headers
    )
    assert arrived.status_code == 201, arrived.text
    return Visited(
        worker=worker, daughter=daughter, elder_id=elder_id, visit=int(arrived.json()["id"])
    )


async def _next_visit(client: Client, at: Visited) -> int:
    """The worker checks out of the visit and in again: the elder's next visit."""
    left = await client.post(f"{APP}/visits/{at.visit}/leave", json=HOME, headers=at.worker.headers)
    assert left.status_code == 200, left.text
    arrived = await client.post(
        f"{APP}/elders/{at.elder_id}/visits", json=HOME, headers=at.worker.headers
    )
    assert arrived.status_code == 201, arrived.text
    return int(arrived.json()["id"])


async def _upload(
    client: Client, visit: int, who: Person, data: bytes, content_type: str = JPEG
) -> httpx.Response:
    return await client.post(
        f"{APP}/visits/{visit}/photos",
        content=data,
        headers={**who.headers, "Content-Type": content_type},
    )


async def test_a_visit_photo_is_kept_without_the_phone_position_and_shown_to_the_family(
    client: Client, token_for: TokenFor, token_for_phone: TokenForPhone
) -> None:
    at = await _visit(client, token_for, token_for_phone)
    sent = picture("JPEG", exif=with_gps())
    assert Image.open(io.BytesIO(sent)).getexif().get_ifd(GPS_IFD)

    added = await _upload(client, at.visit, at.worker, sent + b"<script>alert(1)</script>")
    assert added.status_code == 201, added.text
    as_form = await client.post(
        f"{APP}/visits/{at.visit}/photos",
        files={"photo": ("home.png", picture("PNG"), "image/png")},
        headers=at.worker.headers,
    )
    assert as_form.status_code == 201, as_form.text

    listed = await client.get(f"{APP}/elders/{at.elder_id}/visits", headers=at.daughter.headers)
    [shown_visit] = listed.json()["items"]
    photos = [added.json()["photo_id"], as_form.json()["photo_id"]]
    assert shown_visit["photos"] == photos
    shown = await client.get(
        f"{APP}/visits/{at.visit}/photos/{photos[0]}", headers=at.daughter.headers
    )
    assert shown.status_code == 200, shown.text
    assert shown.headers["x-content-type-options"] == "nosniff"
    assert shown.headers["content-type"] == JPEG
    assert b"<script>" not in shown.content
    assert b"PhoneMaker" not in shown.content
    kept = Image.open(io.BytesIO(shown.content))
    assert (kept.format, kept.size, dict(kept.getexif())) == ("JPEG", (32, 24), {})
    png = await client.get(f"{APP}/visits/{at.visit}/photos/{photos[1]}", headers=at.worker.headers)
    assert png.headers["content-type"] == "image/png"


async def test_only_the_visitor_adds_photos_and_only_those_who_see_the_elder_see_them(
    client: Client, token_for: TokenFor, token_for_phone: TokenForPhone
) -> None:
    at = await _visit(client, token_for, token_for_phone)
    photo = (await _upload(client, at.visit, at.worker, picture("JPEG"))).json()["photo_id"]
    grid_worker = await someone(client, token_for_phone, WORKER_G07)
    elsewhere = await someone(client, token_for_phone, WORKER_G08)

    for who, status, code in [
        (at.daughter, 403, "care_visitor_own"),
        (grid_worker, 403, "care_visitor_own"),
        (elsewhere, 404, "care_visit_not_found"),
    ]:
        refused = await _upload(client, at.visit, who, picture("JPEG"))
        assert (refused.status_code, refused.json()["code"]) == (status, code), who
    unseen = await client.get(f"{APP}/visits/{at.visit}/photos/{photo}", headers=elsewhere.headers)
    assert (unseen.status_code, unseen.json()["code"]) == (404, "care_visit_not_found")
    seen = await client.get(f"{APP}/visits/{at.visit}/photos/{photo}", headers=grid_worker.headers)
    assert seen.status_code == 200

    # A photo asked for under another visit the caller sees is not found there.
    next_visit = await _next_visit(client, at)
    crossed = await client.get(
        f"{APP}/visits/{next_visit}/photos/{photo}", headers=at.daughter.headers
    )
    assert (crossed.status_code, crossed.json()["code"]) == (404, "care_visit_photo_not_found")
    assert await VisitPhoto.count() == 1


async def test_photos_are_taken_for_a_day_after_leaving_and_ten_at_most(
    app: Litestar, client: Client, token_for: TokenFor, token_for_phone: TokenForPhone
) -> None:
    clock = CareClock(app)
    start = clock.now
    at = await _visit(client, token_for, token_for_phone)
    clock.at(40 * 60, start)
    later = await _next_visit(client, at)

    clock.at(40 * 60 + 23 * 3600, start)
    at_once = await asyncio.gather(
        *(_upload(client, at.visit, at.worker, picture("JPEG")) for _ in range(12))
    )
    assert sorted(a.status_code for a in at_once) == [201] * 10 + [409] * 2
    full = [a.json() for a in at_once if a.status_code == 409]
    assert {f["code"] for f in full} == {"care_visit_photos_full"}
    assert await VisitPhoto.count() == 10

    # The next visit is still open: photos are taken whenever its worker checks out.
    assert (await _upload(client, later, at.worker, picture("PNG"))).status_code == 201
    clock.at(40 * 60 + 24 * 3600 + 1, start)
    late = await _upload(client, at.visit, at.worker, picture("PNG"))
    assert (late.status_code, late.json()["code"]) == (409, "care_visit_photos_closed")
    assert await VisitPhoto.count() == 11


async def test_what_is_not_a_photo_is_refused_and_nothing_is_kept(
    client: Client, token_for: TokenFor, token_for_phone: TokenForPhone
) -> None:
    at = await _visit(client, token_for, token_for_phone)
    for data, content_type, status, code in [
        (b"\xff\xd8\xff<html><script>alert(1)</script></html>", JPEG, 422, "photo_invalid"),
        (b"", JPEG, 422, "photo_invalid"),
        (picture("PNG")[:60], "image/png", 422, "photo_invalid"),
        (picture("JPEG"), "text/html", 415, "photo_type_unsupported"),
    ]:
        refused = await _upload(client, at.visit, at.worker, data, content_type)
        assert (refused.status_code, refused.json()["code"]) == (status, code), refused.text
    assert await VisitPhoto.count() == 0


def _kept_files() -> set[str]:
    root = Path(os.environ["YIMEN_MEDIA_DIR"])
    return {p.name for p in root.iterdir()} if root.is_dir() else set()


def _distinct(seed: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (seed % 256, (seed * 7) % 256, 99)).save(out, "JPEG")
    return out.getvalue()


async def test_a_refused_photo_leaves_no_file_behind(
    app: Litestar, client: Client, token_for: TokenFor, token_for_phone: TokenForPhone
) -> None:
    clock = CareClock(app)
    start = clock.now
    at = await _visit(client, token_for, token_for_phone)
    for n in range(10):
        assert (await _upload(client, at.visit, at.worker, _distinct(n))).status_code == 201
    before = _kept_files()
    full = await _upload(client, at.visit, at.worker, _distinct(200))
    assert (full.status_code, full.json()["code"]) == (409, "care_visit_photos_full")

    clock.at(600, start)
    later = await _next_visit(client, at)
    await client.post(f"{APP}/visits/{later}/leave", json=HOME, headers=at.worker.headers)
    clock.at(600 + 24 * 3600, start)  # a day after leaving, to the second: still taken
    edge = await _upload(client, at.visit, at.worker, _distinct(201))
    assert (edge.status_code, edge.json()["code"]) == (409, "care_visit_photos_full")
    assert (await _upload(client, later, at.worker, _distinct(202))).status_code == 201
    clock.at(600 + 24 * 3600 + 1, start)
    late = await _upload(client, later, at.worker, _distinct(203))
    assert (late.status_code, late.json()["code"]) == (409, "care_visit_photos_closed")
    assert len(_kept_files() - before) == 1


async def test_a_worker_moved_off_the_grid_adds_no_more_photos(
    app: Litestar, client: Client, token_for: TokenFor, token_for_phone: TokenForPhone
) -> None:
    at = await _visit(client, token_for, token_for_phone)
    await RoleAssignment.update({RoleAssignment.scope_path: "zz/gx/fengyang/c04"}).where(
        RoleAssignment.user == at.worker.user_id
    )
    token, _ = auth_of(app).tokens.issue(await grant_for(at.worker.user_id))
    moved = Person(str(token), at.worker.user_id)
    added = await _upload(client, at.visit, moved, picture("JPEG"))
    assert (added.status_code, added.json()["code"]) == (404, "care_visit_not_found")
    # Yet they still check out of their own visit, so it does not bar them elsewhere.
    left = await client.post(f"{APP}/visits/{at.visit}/leave", json=HOME, headers=moved.headers)
    assert left.status_code == 200, left.text
    assert await VisitPhoto.count() == 0


async def test_the_same_photo_sent_at_once_is_kept_once_without_an_error(
    client: Client, token_for: TokenFor, token_for_phone: TokenForPhone
) -> None:
    at = await _visit(client, token_for, token_for_phone)
    noise = Image.frombytes("RGB", (600, 600), random.Random(5).randbytes(600 * 600 * 3))
    out = io.BytesIO()
    noise.save(out, "JPEG", quality=95)
    before = _kept_files()
    answers = await asyncio.gather(
        *(_upload(client, at.visit, at.worker, out.getvalue()) for _ in range(8))
    )
    assert [a.status_code for a in answers] == [201] * 8, [a.text for a in answers]
    assert len(_kept_files() - before) == 1
