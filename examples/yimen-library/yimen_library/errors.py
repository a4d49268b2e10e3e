"""The library's error codes."""

from __future__ import annotations

from backend.sdk import ErrorCode, register_messages


class LibraryCode(ErrorCode):
    """What the library refuses."""

    LIBRARY_NO_COPY = "library_no_copy"


register_messages(
    LibraryCode,
    {
        LibraryCode.LIBRARY_NO_COPY: ("该书已全部借出", "Every copy is out"),
    },
)

__all__ = ["LibraryCode"]
