"""A code is accepted in one spelling only, and a replay is caught however it is re-encoded:
replay memory keys on what the code says (holder and proof time), not on its text."""

from __future__ import annotations

import time

import msgspec
import pytest
from litestar import Litestar

from backend.kernel.roles import Role
from backend.kernel.settings import Settings
from miniapps.health_code import verifier
from miniapps.health_code.checkpoint import Checkpoint
from miniapps.health_code.phone import HealthCodePhone
from miniapps.health_code.tables import Scan
from tests.conftest import Client, TokenFor, bearer
from tests.miniapps.health_code.holders import enrolled
from tests.miniapps.health_code.problems import assert_problem
from tests.support import auth_of, checkpoint_of, redis_url_or_skip

SCANS = "/v1/miniapps/health_code/scans"
# The order of P-256: (r, s) and (r, n - s) are both valid signatures of one message.
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _shown_with_letters(phone: HealthCodePhone, credential: str) -> str:
    """A code whose base-36 time has a letter in it, so that upper-casing changes it."""
    now = int(time.time())
    for back in range(60):
        text = phone.show(credential, at=now - back)
        signed = text.rsplit(".", 1)[1].split(":")[0]
        if signed != signed.upper():
            return text
    raise AssertionError("no base-36 time with a letter within a minute")


def _parts(text: str) -> tuple[str, str, str]:
    credential, proof = text.rsplit(".", 1)
    signed, signature = proof.split(":")
    return credential, signed, signature


def _respelled(text: str) -> dict[str, str]:
    """The same code in spellings a lenient parser reads as the same values."""
    credential, signed, signature = _parts(text)
    return {
        "upper-case time": f"{credential}.{signed.upper()}:{signature}",
        "zero-prefixed time": f"{credential}.0{signed}:{signature}",
        "plus-signed time": f"{credential}.+{signed}:{signature}",
        "underscored time": f"{credential}.{signed[:2]}_{signed[2:]}:{signature}",
        "spaced time": f"{credential}. {signed}:{signature}",
        "padded signature": f"{credential}.{signed}:{signature}=",
        "twice padded signature": f"{credential}.{signed}:{signature}==",
        "signature with junk": f"{credential}.{signed}:{signature[:9]}!{signature[9:]}",
        "signature with spare bits set": f"{credential}.{signed}:{_spare_bit_set(signature)}",
        "padded credential signature": f"{credential}=.{signed}:{signature}",
        "credential with a spare bit": f"{_spare_bit_set(credential)}.{signed}:{signature}",
    }


def _spare_bit_set(encoded: str) -> str:
    """`encoded` with the lowest bit of its last character flipped: for a 64-byte value that
    bit is padding, so a lenient decoder gives the same bytes."""
    return encoded[:-1] + B64URL[B64URL.index(encoded[-1]) ^ 1]


def _malleated(text: str) -> str:
    """The same proof with the other valid ECDSA signature, (r, n - s): canonical, genuine,
    and different text; only a replay key on the parsed values catches it."""
    credential, signed, signature = _parts(text)
    raw = verifier.b64decode(signature)
    r, s = raw[:32], int.from_bytes(raw[32:], "big")
    flipped = verifier.b64encode(r + (P256_ORDER - s).to_bytes(32, "big"))
    return f"{credential}.{signed}:{flipped}"


async def _jwks(client: Client) -> dict[str, object]:
    return dict((await client.get("/.well-known/jwks.json")).json())


async def _staff(token_for: TokenFor) -> dict[str, str]:
    return bearer(await token_for(Role.CHECKPOINT_STAFF))


async def test_a_code_spelled_any_other_way_is_bad_format(
    app: Litestar, client: Client, token_for: TokenFor
) -> None:
    phone, credential = await enrolled(client, await token_for(Role.RESIDENT))
    text = _shown_with_letters(phone, credential)
    staff = await _staff(token_for)
    first = await client.post(SCANS, json={"text": text, "place": "东门"}, headers=staff)
    assert first.json()["valid"] is True
    jwks = await _jwks(client)
    for name, respelled in _respelled(text).items():
        assert verifier.verify(respelled, jwks).reason == "bad_format", name
        again = await client.post(SCANS, json={"text": respelled, "place": "东门"}, headers=staff)
        assert_problem(again, 422, "bad_format")
    await checkpoint_of(app).flush()
    assert await Scan.count() == 1


@pytest.mark.parametrize(
    "proof_time", [36**9 - 1, 36**200 - 1, int("1" * 400, 36)], ids=["9", "200", "400"]
)
async def test_a_huge_proof_time_is_bad_format(
    app: Litestar, client: Client, token_for: TokenFor, proof_time: int
) -> None:
    """Signed by the holder's own phone, so only the time's size is wrong with it."""
    phone, credential = await enrolled(client, await token_for(Role.RESIDENT))
    forged = phone.show(credential, at=proof_time)
    assert verifier.verify(forged, await _jwks(client)).reason == "bad_format"
    response = await client.post(
        SCANS, json={"text": forged, "place": "东门"}, headers=await _staff(token_for)
    )
    assert_problem(response, 422, "bad_format")
    await checkpoint_of(app).flush()
    assert await Scan.count() == 0


async def test_a_malleated_signature_is_still_a_replay_online(
    client: Client, token_for: TokenFor
) -> None:
    phone, credential = await enrolled(client, await token_for(Role.RESIDENT))
    text = phone.show(credential)
    staff = await _staff(token_for)
    first = await client.post(SCANS, json={"text": text, "place": "东门"}, headers=staff)
    assert first.json()["valid"] is True
    twin = _malleated(text)
    assert verifier.verify(twin, await _jwks(client)).valid  # genuine on its own
    again = await client.post(SCANS, json={"text": twin, "place": "东门"}, headers=staff)
    assert again.json()["reason"] == "replayed"


async def test_a_malleated_signature_is_still_a_replay_offline(
    client: Client, token_for: TokenFor
) -> None:
    phone, credential = await enrolled(client, await token_for(Role.RESIDENT))
    text = phone.show(credential)
    offline = verifier.Verifier(
        verifier.KeySet(await _jwks(client)), replays=verifier.ReplayMemory()
    )
    assert offline.verify(text).valid
    assert offline.verify(_malleated(text)).reason == "replayed"
    assert offline.verify(text).reason == "replayed"
    assert offline.verify(phone.show(credential, at=time.time() + 1)).valid  # a new proof


async def test_a_malleated_replay_to_another_process_is_caught_through_redis(
    settings: Settings, token_for: TokenFor, client: Client, app: Litestar
) -> None:
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
        again = await second.scan(actor=staff, text=_malleated(text), place="B", jwks=jwks)
        assert again.reason == "replayed"
    finally:
        await first.stop()
        await second.stop()
