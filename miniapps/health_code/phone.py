"""The reference phone client of the health code: what a resident's phone does, written from
`docs/health-code.md` alone.

It uses only the HTTP API (through any `httpx.AsyncClient` whose base URL is the server) and
the `cryptography` library, and imports nothing of the server, so an app developer can copy
it, and the tests, which show every code through it, prove that the document, this client and
the server agree.

    phone = HealthCodePhone()                    # a new P-256 key; keep it in the keystore
    await phone.enrol(api, token)                # POST /v1/miniapps/health_code/phone
    credential = await phone.credential(api, token)  # GET /v1/miniapps/health_code/code
    text = phone.show(credential)                # the QR text; sign again every few seconds
"""

from __future__ import annotations

import base64
import time

import httpx
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

PREFIX = "/v1/miniapps/health_code"
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"


class HealthCodePhone:
    """A phone holding the P-256 key its health codes are bound to. The private key never
    leaves the phone: the server and the checkpoints see only its public half."""

    def __init__(self, key: ec.EllipticCurvePrivateKey | None = None) -> None:
        self.key = key if key is not None else ec.generate_private_key(ec.SECP256R1())

    @property
    def public_key(self) -> str:
        """What enrolment sends: the compressed point (33 bytes), unpadded base64url."""
        point = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
        )
        return b64url(point)

    async def enrol(self, api: httpx.AsyncClient, token: str) -> None:
        """Bind the holder's codes to this phone; a later enrolment moves them to another."""
        response = await api.post(
            f"{PREFIX}/phone", json={"public_key": self.public_key}, headers=_bearer(token)
        )
        response.raise_for_status()

    async def credential(self, api: httpx.AsyncClient, token: str) -> str:
        """A credential for this phone, valid an hour: fetch a new one before it expires,
        and whenever the holder's colour may have changed (a push says so)."""
        response = await api.get(f"{PREFIX}/code", headers=_bearer(token))
        response.raise_for_status()
        return str(response.json()["credential"])

    def proof(self, credential: str, at: float | None = None) -> str:
        """`<t>:<sig>`: `t` the signing second in base 36, `sig` this phone's signature over
        `<the credential's signature part>.<t in decimal>`, as r‖s in base64url."""
        signed_at = int(time.time() if at is None else at)
        der = self.key.sign(proof_message(credential, signed_at), ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        return f"{base36(signed_at)}:{b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"

    def show(self, credential: str, at: float | None = None) -> str:
        """The text of the QR code to show: `<credential>.<proof>`. A checkpoint refuses a
        proof more than a minute old, so the phone signs afresh while the code is on screen."""
        return f"{credential}.{self.proof(credential, at)}"

    async def qr_png(self, api: httpx.AsyncClient, token: str, text: str) -> bytes:
        """The server's rendering of the holder's own code as a PNG, for a phone that does
        not draw QR codes itself."""
        response = await api.get(
            f"{PREFIX}/code/qr.png", params={"code": text}, headers=_bearer(token)
        )
        response.raise_for_status()
        return response.content


def proof_message(credential: str, signed_at: int) -> bytes:
    """The bytes the phone signs: the credential's third part (its signature), a dot, and
    the signing time in decimal seconds."""
    signature_part = credential.rsplit(".", 1)[1]
    return f"{signature_part}.{signed_at}".encode("ascii")


def base36(number: int) -> str:
    """Lower-case base 36 without leading zeros, the one spelling a code accepts."""
    digits = ""
    while number:
        number, rest = divmod(number, 36)
        digits = _BASE36[rest] + digits
    return digits or "0"


def b64url(raw: bytes) -> str:
    """Unpadded base64url, the one spelling a code accepts."""
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


__all__ = ["HealthCodePhone", "b64url", "base36", "proof_message"]
