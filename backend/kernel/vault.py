"""Personal data at rest: sealed with AES-GCM under keys derived from the one secret."""

from __future__ import annotations

import base64
import functools
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class SealBroken(Exception):
    """A sealed value does not open with this secret: wrong key or tampered data."""


class Vault:
    """Seals and opens personal data; hashes values for lookup without storing them."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    @functools.cache  # noqa: B019 - one Vault per process, a handful of purposes
    def _key(self, purpose: str) -> bytes:
        hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode())
        return hkdf.derive(self._secret)

    def seal(self, plaintext: str, *, purpose: str) -> str:
        nonce = os.urandom(12)
        sealed = AESGCM(self._key(purpose)).encrypt(nonce, plaintext.encode(), purpose.encode())
        return base64.urlsafe_b64encode(nonce + sealed).decode()

    def open(self, sealed: str, *, purpose: str) -> str:
        raw = base64.urlsafe_b64decode(sealed.encode())
        try:
            plain = AESGCM(self._key(purpose)).decrypt(raw[:12], raw[12:], purpose.encode())
        except InvalidTag as err:
            raise SealBroken(purpose) from err
        return plain.decode()

    def lookup(self, value: str, *, purpose: str) -> str:
        """A keyed hash: equal values match, and the table alone reveals nothing."""
        return hmac.digest(self._key(purpose), value.encode(), "sha256").hex()


@functools.cache
def vault_for(secret: bytes) -> Vault:
    return Vault(secret)
