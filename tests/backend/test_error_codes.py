"""Error codes are enum members with a message in each locale, checked when they register."""

from __future__ import annotations

import httpx
import pytest
from litestar import Litestar, get

from backend.kernel.codes import ErrorCode, KernelCode, message, register_messages
from backend.kernel.errors import EXCEPTION_HANDLERS, PROBLEM_MEDIA_TYPE, Conflict
from backend.kernel.i18n import Locale


class ShelfCode(ErrorCode):
    SHELF_FULL = "test_shelf_full"
    SHELF_GONE = "test_shelf_gone"


register_messages(
    ShelfCode,
    {
        ShelfCode.SHELF_FULL: ("书架已满,最多{limit}本", "The shelf is full at {limit} books"),
        ShelfCode.SHELF_GONE: ("书架已撤", "The shelf is gone"),
    },
)


def test_a_member_without_a_message_fails_registration() -> None:
    class Halfway(ErrorCode):
        SAID = "test_halfway_said"
        UNSAID = "test_halfway_unsaid"

    with pytest.raises(ValueError, match="Halfway has no message for test_halfway_unsaid"):
        register_messages(Halfway, {Halfway.SAID: ("说了", "Said")})


def test_a_message_for_another_enums_member_fails_registration() -> None:
    class Borrower(ErrorCode):
        OWN = "test_borrower_own"

    with pytest.raises(ValueError, match=r"codes not its own: \[<ShelfCode\.SHELF_GONE"):
        register_messages(
            Borrower,
            {
                Borrower.OWN: ("自己的", "Own"),
                ShelfCode.SHELF_GONE: ("书架已撤", "The shelf is gone"),
            },
        )


def test_a_code_two_parts_word_differently_fails_and_registers_nothing() -> None:
    class Rival(ErrorCode):
        FRESH = "test_rival_fresh"
        FORBIDDEN = "forbidden"

    with pytest.raises(ValueError, match="'forbidden' of Rival is registered by KernelCode"):
        register_messages(Rival, {Rival.FRESH: ("新的", "Fresh"), Rival.FORBIDDEN: ("不行", "No")})
    assert message(Rival.FRESH, Locale.EN) == message(KernelCode.INTERNAL_ERROR, Locale.EN)
    assert message(KernelCode.FORBIDDEN, Locale.EN) == "You do not have permission for this"


def test_two_parts_may_share_a_code_worded_the_same() -> None:
    class Echo(ErrorCode):
        FORBIDDEN = "forbidden"

    register_messages(Echo, {Echo.FORBIDDEN: ("没有权限", "You do not have permission for this")})


@get("/shelf")
async def full_shelf() -> None:
    raise Conflict(ShelfCode.SHELF_FULL, limit=40)


@pytest.mark.parametrize(
    ("language", "title"),
    [("zh-CN", "书架已满,最多40本"), ("en", "The shelf is full at 40 books")],
)
async def test_a_problem_carries_the_members_string_and_its_message(
    language: str, title: str
) -> None:
    app = Litestar([full_shelf], exception_handlers=EXCEPTION_HANDLERS)  # type: ignore[arg-type]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/shelf", headers={"Accept-Language": language})
    assert response.status_code == 409
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert response.headers["content-language"] == language
    assert response.json() == {
        "type": "https://yimen.dev/problems/test_shelf_full",
        "title": title,
        "status": 409,
        "code": "test_shelf_full",
        "instance": "/shelf",
    }


def test_the_kernels_codes_keep_their_strings() -> None:
    """Clients branch on these strings; renaming a member must not rename its code."""
    assert {member.value for member in KernelCode} >= {"internal_error", "validation_failed"}
    assert all(member.value == member.name.lower() for member in KernelCode)


PARTS = ("backend", "auth", "push", "miniapps", "yimen_library")


def _all_subclasses(kind: type) -> list[type]:
    found = []
    for sub in kind.__subclasses__():
        found += [sub, *_all_subclasses(sub)]
    return found


def test_every_code_of_every_installed_part_has_its_messages(app: Litestar) -> None:
    """An enum that never reached register_messages would answer its codes with the
    internal error's message; the app built here has imported every part."""
    unworded = [
        f"{codes.__name__}.{member.name}"
        for codes in _all_subclasses(ErrorCode)
        if codes.__module__.split(".")[0] in PARTS
        for member in codes
        if message(member.value, Locale.EN) == message(KernelCode.INTERNAL_ERROR, Locale.EN)
        and member is not KernelCode.INTERNAL_ERROR
    ]
    assert unworded == []
