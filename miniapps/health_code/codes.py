"""Codes (健康码) bound to the holder's phone: enrolling the phone, issuing a credential
for it, and recognising the holder's own code."""

from __future__ import annotations

import datetime as dt
import time

import jwt
import msgspec
from cryptography.hazmat.primitives.asymmetric import ec

from backend.sdk import Conflict, PlatformKeys, Unprocessable, Vault
from miniapps.health_code import verifier
from miniapps.health_code.errors import HealthProblem
from miniapps.health_code.residents import find_resident, masked_name
from miniapps.health_code.schemas import CodeView, Colour
from miniapps.health_code.status import status_of
from miniapps.health_code.tables import HealthStatus, HolderKey

CODE_TTL = 3600  # a colour change reaches offline checkpoints within the hour
SHORT = {Colour.GREEN: "g", Colour.YELLOW: "y", Colour.RED: "r"}
_NOT_THEIRS = {
    verifier.Reason.BAD_FORMAT,
    verifier.Reason.UNKNOWN_KEY,
    verifier.Reason.BAD_SIGNATURE,
    verifier.Reason.BAD_BINDING,
}


async def enrol_phone(*, user_id: int, public_key: str, vault: Vault) -> None:
    """Bind the resident's codes to this phone's key; a new phone replaces the old one."""
    point = verifier.canonical_b64decode(public_key)  # one spelling, as in every code
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point or b"")
    except ValueError as err:
        raise Unprocessable(HealthProblem.HOLDER_KEY_INVALID) from err
    subject = vault.lookup(str(user_id), purpose="health_code.subject")[:16]
    if await _rebind(user_id, public_key):
        return
    # A first phone: of enrolments racing to create the row one inserts it, and the others
    # then rebind it, the last to arrive winning as it would one after another.
    created = (
        await HolderKey.insert(HolderKey(user_id=user_id, subject=subject, public_key=public_key))
        .on_conflict(action="DO NOTHING")
        .returning(HolderKey.id)
    )
    if not created:
        await _rebind(user_id, public_key)


async def _rebind(user_id: int, public_key: str) -> bool:
    updated = (
        await HolderKey.update(
            {HolderKey.public_key: public_key, HolderKey.enrolled_at: dt.datetime.now(dt.UTC)}
        )
        .where(HolderKey.user_id == user_id)
        .returning(HolderKey.id)
    )
    return bool(updated)


async def issue_code(*, user_id: int, keys: PlatformKeys, now: float | None = None) -> CodeView:
    """A credential for the enrolled phone, issued `now` (the clock's time unless given);
    the phone adds its proof every few seconds."""
    holder = await HolderKey.select().where(HolderKey.user_id == user_id).first()
    if holder is None:
        raise Conflict(HealthProblem.DEVICE_NOT_ENROLLED)
    resident = await find_resident(user_id)
    status = await status_of(user_id)
    version = (
        await HealthStatus.select(HealthStatus.version)
        .where(HealthStatus.user_id == user_id)
        .first()
    )
    expires = int(time.time() if now is None else now) + CODE_TTL
    payload = {
        "s": holder["subject"],
        "c": SHORT[status.colour],
        "n": masked_name(resident.name),
        "i": expires - CODE_TTL,
        "t": CODE_TTL,
        "v": version["version"] if version else 0,
        "k": holder["public_key"],
    }
    signer = keys.signer
    credential = jwt.encode(
        payload,
        signer.private,
        algorithm=signer.algorithm,
        headers={"kid": signer.kid, "typ": None},
    )
    return CodeView(credential=credential, colour=status.colour, expires_at=expires)


async def check_own_code(*, user_id: int, text: str, jwks: bytes) -> None:
    """Refuse to render anything but the caller's own, genuine code."""
    verdict = verifier.verify(text, msgspec.json.decode(jwks))
    holder = await HolderKey.select(HolderKey.subject).where(HolderKey.user_id == user_id).first()
    if verdict.reason in _NOT_THEIRS or holder is None or verdict.subject != holder["subject"]:
        raise Unprocessable(HealthProblem.CODE_NOT_YOURS)
