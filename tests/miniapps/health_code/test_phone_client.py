"""The reference phone client: it does what docs/health-code.md says, with the HTTP API and a
crypto library alone, and the server takes what it shows."""

from __future__ import annotations

import ast
import base64
import re
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from backend.kernel.roles import Role
from miniapps.health_code import phone as phone_module
from miniapps.health_code.phone import HealthCodePhone, base36, proof_message
from tests.conftest import Client, TokenFor, bearer
from tests.miniapps.health_code.problems import assert_problem

ROOT = Path(__file__).resolve().parents[3]
GUIDE = (ROOT / "docs" / "health-code.md").read_text()
BASE = "/v1/miniapps/health_code"


def _example(step: str) -> str:
    """A value of the guide's worked example, by the name of its step."""
    found = re.search(rf"^\| {re.escape(step)} \| `([^`]*)` \|$", GUIDE, re.MULTILINE)
    assert found is not None, f"the worked example has no row {step!r}"
    return found[1]


def test_the_client_uses_only_the_api_and_a_crypto_library() -> None:
    """So that an app developer can copy it, and it cannot lean on the server's code."""
    tree = ast.parse(Path(phone_module.__file__).read_text())
    imported = {
        (node.module or "").split(".")[0] if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported <= {"__future__", "base64", "time", "httpx", "cryptography"}, imported


def test_the_worked_example_is_what_the_client_signs() -> None:
    credential = "eyJhbGciOiJFUzI1NiJ9.eyJzIjoiMSJ9.c2lnbmF0dXJl"
    assert f"credential `{credential}`" in GUIDE
    signed_at = 1767225600
    assert f"`t = {signed_at}`" in GUIDE
    assert _example("signature part") == credential.rsplit(".", 1)[1]
    assert proof_message(credential, signed_at).decode() == _example("message signed")
    assert base36(signed_at) == _example("`t` in base 36")
    text = HealthCodePhone().show(credential, at=signed_at)
    assert text.startswith(_example("QR text").removesuffix("<86 characters of r‖s>"))
    assert len(text.rsplit(":", 1)[1]) == 86


def test_the_proof_is_the_signature_the_guide_describes() -> None:
    """Checked here with `cryptography` against the guide's words, not the client's code:
    r‖s of the message `<signature part>.<t in decimal>`, in unpadded base64url."""
    phone = HealthCodePhone()
    credential = "aGVhZGVy.cGF5bG9hZA.c2VhbA"
    signed, raw = phone.proof(credential, at=1767225600).split(":")
    assert signed == "t85s00"
    sig = base64.urlsafe_b64decode(raw + "==")
    assert len(sig) == 64
    assert "=" not in raw
    der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
    public = ec.EllipticCurvePublicKey.from_encoded_point(
        ec.SECP256R1(), base64.urlsafe_b64decode(phone.public_key + "=")
    )
    public.verify(der, b"c2VhbA.1767225600", ec.ECDSA(hashes.SHA256()))
    assert len(phone.public_key) == 44


async def test_a_phone_enrolled_through_the_api_passes_a_checkpoint(
    client: Client, token_for: TokenFor
) -> None:
    token = await token_for(Role.RESIDENT)
    phone = HealthCodePhone()
    with pytest.raises(httpx.HTTPStatusError) as before:
        await phone.credential(client, token)
    assert before.value.response.json()["code"] == "device_not_enrolled"
    await phone.enrol(client, token)
    text = phone.show(await phone.credential(client, token))
    scanned = await client.post(
        f"{BASE}/scans",
        json={"text": text, "place": "东门"},
        headers=bearer(await token_for(Role.CHECKPOINT_STAFF)),
    )
    assert scanned.json()["valid"] is True, scanned.text
    assert (await phone.qr_png(client, token, text)).startswith(b"\x89PNG")


@pytest.mark.parametrize("image", ["qr.png", "qr.svg"])
async def test_a_missing_code_parameter_is_named(
    client: Client, token_for: TokenFor, image: str
) -> None:
    token = await token_for(Role.RESIDENT)
    response = await client.get(f"{BASE}/code/{image}", headers=bearer(token))
    assert_problem(response, 400, "validation_failed")
    assert response.json()["errors"] == [
        {"field": "code", "message": "Missing required query parameter"}
    ]
