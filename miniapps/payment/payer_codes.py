"""Payer codes (付款码): the 18 digits a resident's phone shows for a merchant to scan.

    PP NNNNNNNN TTTTTTT C
    │  │        │       └ Luhn check digit over the 17 before it
    │  │        └ the time code: HMAC-SHA256 of the 30-second step under the device's
    │  │          secret, truncated to 7 digits (RFC 4226's dynamic truncation)
    │  └ the payer number, drawn at random when the device is enrolled
    └ the platform's prefix

The phone needs no network to show one: it holds the secret it was given at enrolment and
the payer number, and counts steps on its own clock. The server finds the device by the
payer number and accepts a time code of the step before, the step of, or the step after its
own clock (a phone's clock runs a little off), each code once.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import NamedTuple

PREFIX = "19"
LENGTH = 18
STEP_SECONDS = 30
SKEW_STEPS = 1
PAYER_NUMBER_DIGITS = 8
TIME_CODE_DIGITS = 7
_SHAPE = re.compile(rf"{PREFIX}\d{{{LENGTH - len(PREFIX)}}}")


class Scanned(NamedTuple):
    """A payer code read apart: whose device, and the time code it showed."""

    payer_number: str
    time_code: str


class NotAPayerCode(ValueError):
    """Eighteen digits that no phone of ours shows: another prefix, or a check digit off."""


def step_at(unix_seconds: float) -> int:
    return int(unix_seconds // STEP_SECONDS)


def time_code(secret: bytes, step: int) -> str:
    digest = hmac.new(secret, step.to_bytes(8, "big"), hashlib.sha256).digest()
    offset = digest[-1] & 0x0F
    number = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFF_FFFF
    return str(number % 10**TIME_CODE_DIGITS).zfill(TIME_CODE_DIGITS)


def payer_code(secret: bytes, payer_number: str, step: int) -> str:
    """The code a phone shows during `step`: what the phone computes, and tests with it."""
    body = PREFIX + payer_number + time_code(secret, step)
    return body + luhn_digit(body)


def read_code(text: str) -> Scanned:
    """The parts of a scanned code, refused unless it has the platform's shape and check."""
    if not (text.isascii() and _SHAPE.fullmatch(text)) or luhn_digit(text[:-1]) != text[-1]:
        raise NotAPayerCode(text[:2])
    number_end = len(PREFIX) + PAYER_NUMBER_DIGITS
    return Scanned(payer_number=text[len(PREFIX) : number_end], time_code=text[number_end:-1])


def step_shown(secret: bytes, shown: str, now_step: int) -> int | None:
    """The step within the skew the phone showed `shown` in, or None."""
    for step in range(now_step - SKEW_STEPS, now_step + SKEW_STEPS + 1):
        if hmac.compare_digest(time_code(secret, step), shown):
            return step
    return None


def luhn_digit(digits: str) -> str:
    """The check digit that makes `digits` followed by it pass the Luhn test."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:  # doubled: it sits right of where the check digit will go
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return str((10 - total % 10) % 10)
