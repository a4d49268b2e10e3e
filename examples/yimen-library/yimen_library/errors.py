"""The library's error codes."""

from __future__ import annotations

from backend.sdk import ErrorCode, register_messages


class LibraryCode(ErrorCode):
    """What the library refuses."""

    LIBRARY_BOOK_NOT_FOUND = "library_book_not_found"
    LIBRARY_NO_COPY = "library_no_copy"
    LIBRARY_LOAN_LIMIT = "library_loan_limit"
    LIBRARY_LOAN_NOT_FOUND = "library_loan_not_found"
    LIBRARY_LOAN_RETURNED = "library_loan_returned"


register_messages(
    LibraryCode,
    {
        LibraryCode.LIBRARY_BOOK_NOT_FOUND: (
            "您所在社区的图书角没有这本书",
            "No such book in your community's book corner",
        ),
        LibraryCode.LIBRARY_NO_COPY: ("该书已全部借出", "Every copy is out"),
        LibraryCode.LIBRARY_LOAN_LIMIT: (
            "每人最多同时借 3 本书，请先归还",
            "You may have at most 3 books out at once; return one first",
        ),
        LibraryCode.LIBRARY_LOAN_NOT_FOUND: ("没有这笔借阅", "No such loan of yours"),
        LibraryCode.LIBRARY_LOAN_RETURNED: ("这本书已经归还", "This book was already returned"),
    },
)

__all__ = ["LibraryCode"]
