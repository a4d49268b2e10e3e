"""What a phone's lock screen would show of a text: nothing that hides itself, turns the
text's direction or piles marks, and something to see."""

from __future__ import annotations

import unicodedata

# Control, format (zero-width, direction overrides and isolates), private, surrogate,
# unassigned, and line or paragraph separators.
_HIDDEN = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"})
_MARKS = frozenset({"Mn", "Me"})
# Letters and symbols that are drawn as blank space.
_BLANK = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")
MAX_MARKS = 2  # on one character: enough for Vietnamese or Thai, not a pile


def shown(text: str) -> int:
    """How many characters of `text` are drawn as something: letters, digits, punctuation
    and symbols."""
    return sum(1 for char in text if unicodedata.category(char)[0] in "LNPS" and char not in _BLANK)


def unshown(text: str) -> str | None:
    """Why `text` cannot go to a lock screen as it is, or None if it can."""
    marks = 0
    for char in text:
        category = unicodedata.category(char)
        if category in _HIDDEN:
            return f"U+{ord(char):04X} is not shown, or changes how the text runs"
        marks = marks + 1 if category in _MARKS else 0
        if marks > MAX_MARKS:
            return f"more than {MAX_MARKS} marks on one character"
    return None if shown(text) else "shows nothing"
