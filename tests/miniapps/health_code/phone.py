"""A resident's phone as the health code sees it: a P-256 key that signs proofs."""

from __future__ import annotations

import time

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from miniapps.health_code.verifier import b64encode, proof_message


class Phone:
    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())

    @property
    def public_key(self) -> str:
        return b64encode(
            self.key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
            )
        )

    def proof(self, credential: str, at: float | None = None) -> str:
        signed_at = int(time.time() if at is None else at)
        der = self.key.sign(proof_message(credential, signed_at), ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        return f"{_base36(signed_at)}:{b64encode(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"

    def show(self, credential: str, at: float | None = None) -> str:
        return f"{credential}.{self.proof(credential, at)}"


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while number:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
    return out or "0"
