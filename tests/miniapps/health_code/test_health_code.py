"""Health codes: bound to a phone, verifiable offline, refused with the right reason."""

from __future__ import annotations

import base64
import json
import time

import jwt
import png
import pytest
import qrcode
import zxingcpp
from cryptography.hazmat.primitives.asymmetric import ec
from litestar import Litestar

from auth.keys import create_signing_key
from backend.kernel.qr import render_qr
from backend.kernel.roles import Role
from backend.kernel.settings import Settings
from backend.kernel.vault import Vault
from miniapps.health_code import verifier
from miniapps.health_code.phone import HealthCodePhone
from miniapps.health_code.tables import Scan, StatusChange
from push.tables import InboxItem
from tests.conftest import Client, TokenFor, TokenForPhone, bearer
from tests.miniapps.health_code.holders import enrolled
from tests.support import auth_of, eventually

RESIDENT = "13800000001"
JINSHUI_RESIDENT = "13800000016"


async def _me(client: Client, token: str) -> int:
    return int((await client.get("/v1/me", headers=bearer(token))).json()["user_id"])


async def _jwks(client: Client) -> dict[str, object]:
    return dict((await client.get("/.well-known/jwks.json")).json())


async def _scan(client: Client, token_for: TokenFor, text: str) -> dict[str, object]:
    response = await client.post(
        "/v1/miniapps/health_code/scans",
        json={"text": text, "place": "科学大道地铁站"},
        headers=bearer(await token_for(Role.CHECKPOINT_STAFF)),
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_a_fresh_code_passes_offline_and_online(client: Client, token_for: TokenFor) -> None:
    phone, credential = await enrolled(client, await token_for(Role.RESIDENT))
    text = phone.show(credential)
    offline = verifier.verify(text, await _jwks(client))
    assert offline.valid
    assert offline.colour == "green"
    assert offline.masked_name == "王*"
    online = await _scan(client, token_for, text)
    assert online == {"valid": True, "reason": None, "colour": "green", "masked_name": "王*"}

    async def logged() -> bool:
        return bool(await Scan.count() == 1)

    await eventually(logged)


async def test_a_code_stays_within_qr_version_15_at_m(client: Client, token_for: TokenFor) -> None:
    phone, credential = await enrolled(client, await token_for(Role.RESIDENT))
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(phone.show(credential))
    code.make(fit=True)
    assert code.version <= 15


async def test_the_png_decodes_to_the_same_text(client: Client, token_for: TokenFor) -> None:
    token = await token_for(Role.RESIDENT)
    phone, credential = await enrolled(client, token)
    shown = phone.show(credential)
    response = await client.get(
        "/v1/miniapps/health_code/code/qr.png", params={"code": shown}, headers=bearer(token)
    )
    assert response.headers["content-type"] == "image/png"
    assert _decode_png(response.content) == shown
    svg = await client.get(
        "/v1/miniapps/health_code/code/qr.svg", params={"code": shown}, headers=bearer(token)
    )
    assert svg.content.startswith(b"<?xml")
    other = await token_for(Role.HEALTH_OFFICIAL)  # a resident too, but not this code's holder
    refused = await client.get(
        "/v1/miniapps/health_code/code/qr.png", params={"code": shown}, headers=bearer(other)
    )
    assert refused.status_code == 422


def _decode_png(data: bytes) -> str:
    width, height, rows, _ = png.Reader(bytes=data).asDirect()
    pixels = bytearray()
    for row in rows:
        pixels += bytes(255 if value else 0 for value in row)
    image = memoryview(bytes(pixels)).cast("B", (height, width))
    found = zxingcpp.read_barcodes(image)
    assert found, "no QR code found in the PNG"
    return str(found[0].text)


async def test_render_gives_the_text_back_for_a_long_code() -> None:
    text = "x" * 380
    assert _decode_png(render_qr(text, svg=False)) == text


async def _refused(client: Client, token_for: TokenFor, text: str, reason: str) -> None:
    assert verifier.verify(text, await _jwks(client)).reason == reason
    online = await _scan(client, token_for, text)
    assert online["valid"] is False
    assert online["reason"] == reason


async def test_a_screenshot_older_than_the_window_is_refused(
    client: Client, token_for: TokenFor
) -> None:
    phone, credential = await enrolled(client, await token_for(Role.RESIDENT))
    await _refused(client, token_for, phone.show(credential, at=time.time() - 90), "expired")


async def test_a_code_shown_from_another_phone_is_refused(
    client: Client, token_for: TokenFor
) -> None:
    _, credential = await enrolled(client, await token_for(Role.RESIDENT))
    await _refused(client, token_for, HealthCodePhone().show(credential), "bad_binding")


async def test_a_code_resigned_with_a_foreign_key_is_refused(
    client: Client, token_for: TokenFor
) -> None:
    phone, credential = await enrolled(client, await token_for(Role.RESIDENT))
    claims = jwt.decode(credential, options={"verify_signature": False})
    header = jwt.get_unverified_header(credential)
    forged = jwt.encode(
        claims,
        ec.generate_private_key(ec.SECP256R1()),
        algorithm="ES256",
        headers={"kid": header["kid"], "typ": None},
    )
    await _refused(client, token_for, phone.show(forged), "bad_signature")
    unknown = jwt.encode(
        claims,
        ec.generate_private_key(ec.SECP256R1()),
        algorithm="ES256",
        headers={"kid": "somebody-else", "typ": None},
    )
    await _refused(client, token_for, phone.show(unknown), "unknown_key")


async def test_a_tampered_colour_is_refused(client: Client, token_for: TokenFor) -> None:
    phone, credential = await enrolled(client, await token_for(Role.RESIDENT))
    header, payload, signature = credential.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["c"] = "g" if claims["c"] != "g" else "r"
    tampered = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    await _refused(
        client, token_for, phone.show(f"{header}.{tampered}.{signature}"), "bad_signature"
    )


async def test_a_scanned_code_scanned_again_is_a_replay(
    client: Client, token_for: TokenFor
) -> None:
    phone, credential = await enrolled(client, await token_for(Role.RESIDENT))
    text = phone.show(credential)
    assert (await _scan(client, token_for, text))["valid"] is True
    again = await _scan(client, token_for, text)
    assert again["reason"] == "replayed"


async def test_a_colour_change_revokes_codes_issued_before_it(
    client: Client, token_for: TokenFor, token_for_phone: TokenForPhone, app: Litestar
) -> None:
    resident = await token_for(Role.RESIDENT)
    phone, credential = await enrolled(client, resident)
    official = bearer(await token_for(Role.HEALTH_OFFICIAL))
    changed = await client.put(
        f"/v1/miniapps/health_code/statuses/{await _me(client, resident)}",
        json={"colour": "red", "reason": "密接", "source": "流调"},
        headers=official,
    )
    assert changed.status_code == 200, changed.text
    online = await _scan(client, token_for, phone.show(credential))
    assert online["reason"] == "revoked"
    fresh = (await client.get("/v1/miniapps/health_code/code", headers=bearer(resident))).json()
    assert (await _scan(client, token_for, phone.show(fresh["credential"])))["colour"] == "red"


async def test_officials_set_colours_in_their_area_and_people_are_told(
    client: Client, token_for: TokenFor, token_for_phone: TokenForPhone
) -> None:
    official = bearer(await token_for(Role.HEALTH_OFFICIAL))
    resident_id = await _me(client, await token_for_phone(RESIDENT))
    worker_id = await _me(client, await token_for(Role.GRID_WORKER))
    response = await client.put(
        f"/v1/miniapps/health_code/statuses/{resident_id}",
        json={"colour": "red", "reason": "阳性"},
        headers=official,
    )
    assert response.json()["colour"] == "red"

    async def told() -> bool:
        rows = await InboxItem.select(InboxItem.user_id)
        return {resident_id, worker_id} <= {row["user_id"] for row in rows}

    await eventually(told)
    outside = await _me(client, await token_for_phone(JINSHUI_RESIDENT))
    refused = await client.put(
        f"/v1/miniapps/health_code/statuses/{outside}", json={"colour": "red"}, headers=official
    )
    assert refused.status_code == 404
    assert await StatusChange.count() == 1
    history = await client.get(
        f"/v1/miniapps/health_code/statuses/{resident_id}/history",
        headers=bearer(await token_for_phone(RESIDENT)),
    )
    assert [h["colour"] for h in history.json()["items"]] == ["red"]


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.GRID_WORKER])
async def test_only_officials_set_colours(client: Client, token_for: TokenFor, role: Role) -> None:
    response = await client.put(
        "/v1/miniapps/health_code/statuses/1",
        json={"colour": "red"},
        headers=bearer(await token_for(role)),
    )
    assert response.status_code == 403
    assert await StatusChange.count() == 0


async def test_only_checkpoint_staff_scan(client: Client, token_for: TokenFor) -> None:
    response = await client.post(
        "/v1/miniapps/health_code/scans",
        json={"text": "x.y", "place": "门口"},
        headers=bearer(await token_for(Role.RESIDENT)),
    )
    assert response.status_code == 403
    assert await Scan.count() == 0


async def test_a_bad_phone_key_is_refused(client: Client, token_for: TokenFor) -> None:
    response = await client.post(
        "/v1/miniapps/health_code/phone",
        json={"public_key": "A" * 44},
        headers=bearer(await token_for(Role.RESIDENT)),
    )
    assert response.status_code == 422


async def test_codes_in_flight_survive_a_key_rotation(
    client: Client, token_for: TokenFor, app: Litestar, settings: Settings, vault: Vault
) -> None:
    phone, credential = await enrolled(client, await token_for(Role.RESIDENT))
    await create_signing_key(settings, vault)
    await auth_of(app).keys.load()
    assert len((await _jwks(client))["keys"]) == 2  # type: ignore[arg-type]
    assert verifier.verify(phone.show(credential), await _jwks(client)).valid
    assert (await _scan(client, token_for, phone.show(credential)))["valid"] is True


async def test_scans_buffered_at_shutdown_are_kept(
    settings: Settings, token_for: TokenFor, client: Client
) -> None:
    from backend.app import create_app
    from tests.support import running

    phone, credential = await enrolled(client, await token_for(Role.RESIDENT))
    staff = bearer(await token_for(Role.CHECKPOINT_STAFF))
    async with running(create_app(settings)) as other:
        for _ in range(3):
            response = await other.post(
                "/v1/miniapps/health_code/scans",
                json={"text": phone.show(credential), "place": "东门"},
                headers=staff,
            )
            assert response.status_code == 200
    assert await Scan.count() == 3


async def test_a_replay_to_another_process_is_caught_through_redis(
    settings: Settings, token_for: TokenFor, client: Client, app: Litestar
) -> None:
    import msgspec

    from miniapps.health_code.checkpoint import Checkpoint
    from tests.support import redis_url_or_skip

    redis_settings = msgspec.structs.replace(settings, redis_url=redis_url_or_skip())
    phone, credential = await enrolled(client, await token_for(Role.RESIDENT))
    staff = await auth_of(app).tokens.verify(await token_for(Role.CHECKPOINT_STAFF))
    jwks = (await client.get("/.well-known/jwks.json")).content
    text = phone.show(credential)
    first, second = Checkpoint(), Checkpoint()
    await first.start(redis_settings)
    await second.start(redis_settings)
    try:
        assert (await first.scan(actor=staff, text=text, place="A", jwks=jwks)).valid
        again = await second.scan(actor=staff, text=text, place="B", jwks=jwks)
        assert again.reason == "replayed"
    finally:
        await first.stop()
        await second.stop()
