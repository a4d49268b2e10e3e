"""What a resident identity card number (公民身份号码, GB 11643-1999) says of its holder:
the birth date in digits 7–14, guarded by the check character at the end."""

from __future__ import annotations

import datetime as dt

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECKS = "10X98765432"


def check_character(first17: str) -> str:
    """The 18th character of a number whose first 17 digits are `first17` (ISO 7064
    MOD 11-2)."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECKS[total % 11]


def birth_date_of(id_number: str) -> dt.date | None:
    """The holder's birth date, or None for a number that is not a valid 18-character one."""
    if len(id_number) != 18 or not (id_number[:17].isascii() and id_number[:17].isdigit()):
        return None
    if check_character(id_number[:17]) != id_number[17].upper():
        return None
    try:
        return dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return None


def age_on(birth: dt.date, today: dt.date) -> int:
    """Full years lived on `today`: one more on each birthday (29 February's holders on
    1 March in other years)."""
    had_birthday = (today.month, today.day) >= (birth.month, birth.day)
    return today.year - birth.year - (0 if had_birthday else 1)
