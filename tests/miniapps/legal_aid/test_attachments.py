"""The asker attaches photos to their question, five at most while it is open; whoever
sees the question sees them, redrawn; anyone else is told nothing exists."""

from __future__ import annotations

import asyncio
import datetime as dt
import io

import httpx
from litestar import Litestar
from PIL import Image

from miniapps.legal_aid.tables import Attachment
from tests.conftest import Client, TokenForPhone
from tests.miniapps.legal_aid.desk import (
    ADMIN_GX,
    APP,
    RESIDENT,
    RESIDENT_JINSHUI,
    LegalClock,
    Person,
    ask,
    listed,
    new_lawyer,
    on_duty,
    someone,
    station,
)
from tests.pictures import picture

NOW = dt.datetime(2026, 12, 2, 2, 0, tzinfo=dt.UTC)


def _payslip(seed: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (seed, 90, 160)).save(out, "JPEG", comment=b"GPS 34.8N 113.5E")
    return out.getvalue()


async def _attach(
    client: Client, url: str, who: Person, data: bytes, kind: str = "image/jpeg"
) -> httpx.Response:
    return await client.post(
        f"{url}/attachments", content=data, headers={**who.headers, "Content-Type": kind}
    )


async def test_the_asker_attaches_photos_that_those_who_see_the_question_see(
    app: Litestar, client: Client, token_for_phone: TokenForPhone
) -> None:
    LegalClock(app, NOW)
    admin = await someone(client, token_for_phone, ADMIN_GX)
    lawyer = await new_lawyer(client, token_for_phone, admin, "13900000160")
    desk = await station(client, admin, kind="station")
    await on_duty(client, admin, await listed(client, admin, desk, lawyer, {"labour"}), NOW)
    resident = await someone(client, token_for_phone, RESIDENT)
    asked = await ask(client, resident)
    url = f"{APP}/consultations/{asked['id']}"

    at_once = await asyncio.gather(*(_attach(client, url, resident, _payslip(n)) for n in range(7)))
    assert sorted(a.status_code for a in at_once) == [201] * 5 + [409] * 2
    assert {a.json()["code"] for a in at_once if a.status_code == 409} == {"legal_attachments_full"}
    by_lawyer = await _attach(client, url, lawyer, picture("PNG"))
    assert (by_lawyer.status_code, by_lawyer.json()["code"]) == (403, "legal_not_your_consultation")
    outsider = await someone(client, token_for_phone, RESIDENT_JINSHUI)
    assert (await _attach(client, url, outsider, picture("PNG"))).status_code == 404

    shown = await client.get(url, headers=lawyer.headers)
    ids = shown.json()["attachments"]
    assert len(ids) == 5
    image = await client.get(f"{url}/attachments/{ids[0]}", headers=lawyer.headers)
    assert image.status_code == 200
    assert image.headers["x-content-type-options"] == "nosniff"
    assert b"GPS" not in image.content
    hidden = await client.get(f"{url}/attachments/{ids[0]}", headers=outsider.headers)
    assert (hidden.status_code, hidden.json()["code"]) == (404, "legal_consultation_not_found")

    other = await ask(client, resident)
    crossed = await client.get(
        f"{APP}/consultations/{other['id']}/attachments/{ids[0]}", headers=resident.headers
    )
    assert (crossed.status_code, crossed.json()["code"]) == (404, "legal_attachment_not_found")


async def test_a_wrong_attachment_or_one_to_a_closed_question_is_refused(
    app: Litestar, client: Client, token_for_phone: TokenForPhone
) -> None:
    LegalClock(app, NOW)
    admin = await someone(client, token_for_phone, ADMIN_GX)
    lawyer = await new_lawyer(client, token_for_phone, admin, "13900000161")
    desk = await station(client, admin, kind="station")
    await on_duty(client, admin, await listed(client, admin, desk, lawyer, {"labour"}), NOW)
    resident = await someone(client, token_for_phone, RESIDENT)
    url = f"{APP}/consultations/{(await ask(client, resident))['id']}"
    for data, kind, status, code in [
        (b"%PDF-1.7 a contract", "application/pdf", 415, "photo_type_unsupported"),
        (b"%PDF-1.7 a contract", "application/octet-stream", 422, "photo_invalid"),
        (b"GIF89a" + picture("PNG"), "image/png", 422, "photo_invalid"),
        (b"", "image/jpeg", 422, "photo_invalid"),
    ]:
        refused = await _attach(client, url, resident, data, kind)
        assert (refused.status_code, refused.json()["code"]) == (status, code), refused.text
    await client.post(f"{url}/messages", json={"text": "可申请仲裁"}, headers=lawyer.headers)
    await client.post(f"{url}/rating", json={"stars": 5}, headers=resident.headers)
    closed = await _attach(client, url, resident, picture("JPEG"))
    assert (closed.status_code, closed.json()["code"]) == (409, "legal_consultation_closed")
    assert await Attachment.count() == 0
