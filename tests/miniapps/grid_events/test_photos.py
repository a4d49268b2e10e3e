"""Photos are pictures and nothing else: decoded and drawn anew (no EXIF, no GPS, nothing
riding after the image), served so that no browser sniffs them into something else, and
taken only while the event is open."""

from __future__ import annotations

import io

import httpx
import pytest
from PIL import Image

from miniapps.grid_events.tables import GridEvent, Photo
from tests.conftest import bearer
from tests.miniapps.grid_events.test_chain import MANHOLE, RESIDENT, People
from tests.pictures import GPS_IFD, picture, with_gps


async def _event(people: People) -> tuple[int, dict[str, str]]:
    resident = bearer(await people.token(RESIDENT))
    reported = await people.client.post(
        "/v1/miniapps/grid_events/events", json=MANHOLE, headers=resident
    )
    return int(reported.json()["id"]), resident


async def _upload(
    people: People, event: int, headers: dict[str, str], data: bytes
) -> httpx.Response:
    return await people.client.post(
        f"/v1/miniapps/grid_events/events/{event}/photos",
        params={"stage": "before"},
        content=data,
        headers={**headers, "Content-Type": "application/octet-stream"},
    )


@pytest.mark.parametrize("kind", ["JPEG", "PNG"])
async def test_a_photo_is_drawn_anew_without_its_metadata(
    people: People, demo: None, kind: str
) -> None:
    event, resident = await _event(people)
    sent = picture(kind, exif=with_gps() if kind == "JPEG" else None)
    assert kind != "JPEG" or Image.open(io.BytesIO(sent)).getexif().get_ifd(GPS_IFD)
    added = await _upload(people, event, resident, sent + b"<script>alert(1)</script>")
    assert added.status_code == 201, added.text
    shown = await people.client.get(
        f"/v1/miniapps/grid_events/events/{event}/photos/{added.json()['photo_id']}",
        headers=resident,
    )
    assert shown.headers["x-content-type-options"] == "nosniff"
    assert shown.headers["content-type"] == f"image/{kind.lower()}"
    assert b"<script>" not in shown.content
    assert b"PhoneMaker" not in shown.content
    kept = Image.open(io.BytesIO(shown.content))
    assert (kept.format, kept.size) == (kind, (32, 24))
    assert not kept.getexif()


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,  # the magic bytes and nothing of a picture
        b"\xff\xd8\xff<html><script>alert(1)</script></html>",
        picture("PNG")[:60],  # cut short
    ],
    ids=["png-magic-only", "jpeg-magic-html", "truncated"],
)
async def test_what_does_not_decode_is_refused(people: People, demo: None, data: bytes) -> None:
    event, resident = await _event(people)
    refused = await _upload(people, event, resident, data)
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "photo_invalid"
    assert await Photo.count() == 0


@pytest.mark.parametrize("state", ["closed", "cancelled"])
async def test_no_photo_is_added_to_a_finished_event(
    people: People, demo: None, state: str
) -> None:
    event, resident = await _event(people)
    await GridEvent.update({GridEvent.state: state}).where(GridEvent.id == event)
    refused = await _upload(people, event, resident, picture("PNG"))
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "event_finished"
    assert await Photo.count() == 0
