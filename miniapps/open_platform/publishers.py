"""Publishers: an organisation's developer registers it, a platform admin verifies it (or
rejects it saying why, and the developer may correct it and send it again)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backend.sdk import (
    UNIQUE_VIOLATION,
    Claims,
    Conflict,
    NotFound,
    Unprocessable,
    all_or_nothing,
    audit,
    fetch_rows,
    utc_now,
)
from miniapps.open_platform.errors import OpenProblem
from miniapps.open_platform.schemas import (
    PublisherIn,
    PublisherList,
    PublisherStatus,
    PublisherView,
    VerificationIn,
)

_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_checks(code: str) -> bool:
    """The 18th character of a 统一社会信用代码 is the check GB 32100-2015 computes."""
    total = sum(_ALPHABET.index(c) * w for c, w in zip(code[:17], _WEIGHTS, strict=True))
    return _ALPHABET[(31 - total % 31) % 31] == code[17]


async def register(actor: Claims, publisher: PublisherIn) -> PublisherView:
    """Register the caller's organisation, or send a rejected registration again."""
    if not credit_code_checks(publisher.credit_code):
        raise Unprocessable(OpenProblem.CREDIT_CODE_INVALID)
    mine = await _owned_by(actor.user_id)
    values = (publisher.name, publisher.credit_code, publisher.contact_email, utc_now())
    try:
        async with all_or_nothing():
            if mine is None:
                await fetch_rows(
                    "INSERT INTO open_platform_publisher (name, credit_code, contact_email,"
                    " registered_at, owner_id, status) VALUES ($1, $2, $3, $4, $5, $6)",
                    *values,
                    actor.user_id,
                    PublisherStatus.PENDING,
                )
            else:
                await _send_again(mine, values)
    except UNIQUE_VIOLATION as err:
        raise Conflict(OpenProblem.PUBLISHER_TAKEN) from err
    return _view(await _owned_by(actor.user_id))


async def _send_again(mine: Mapping[str, Any], values: tuple[Any, ...]) -> None:
    changed = await fetch_rows(
        "UPDATE open_platform_publisher SET name = $1, credit_code = $2, contact_email = $3,"
        " registered_at = $4, status = $5, decided_by = NULL, decided_at = NULL, reason = NULL"
        " WHERE id = $6 AND status = $7 RETURNING id",
        *values,
        PublisherStatus.PENDING,
        mine["id"],
        PublisherStatus.REJECTED,
    )
    if not changed:
        raise Conflict(OpenProblem.PUBLISHER_TAKEN)


async def mine(actor: Claims) -> PublisherView:
    row = await _owned_by(actor.user_id)
    if row is None:
        raise NotFound(OpenProblem.PUBLISHER_NOT_FOUND)
    return _view(row)


async def waiting() -> PublisherList:
    """The registrations a platform admin is to verify, the oldest first."""
    rows = await fetch_rows(
        "SELECT * FROM open_platform_publisher WHERE status = $1 ORDER BY registered_at, id"
        " LIMIT 100",
        PublisherStatus.PENDING,
    )
    return PublisherList(items=[_view(row) for row in rows])


async def decide(actor: Claims, publisher_id: int, decision: VerificationIn) -> PublisherView:
    """Verify a pending publisher, or reject it saying why."""
    if not decision.verified and decision.reason is None:
        raise Unprocessable(OpenProblem.REASON_REQUIRED)
    status = PublisherStatus.VERIFIED if decision.verified else PublisherStatus.REJECTED
    changed = await fetch_rows(
        "UPDATE open_platform_publisher SET status = $1, decided_by = $2, decided_at = $3,"
        " reason = $4 WHERE id = $5 AND status = $6 RETURNING *",
        status,
        actor.user_id,
        utc_now(),
        decision.reason,
        publisher_id,
        PublisherStatus.PENDING,
    )
    if not changed:
        raise Conflict(
            OpenProblem.PUBLISHER_STATE, status=(await publisher_row(publisher_id))["status"]
        )
    await audit(
        actor,
        "open_platform.publisher_decided",
        None,
        {"publisher_id": publisher_id, "status": status},
    )
    return _view(changed[0])


async def publisher_row(publisher_id: int) -> Mapping[str, Any]:
    rows = await fetch_rows("SELECT * FROM open_platform_publisher WHERE id = $1", publisher_id)
    if not rows:
        raise NotFound(OpenProblem.PUBLISHER_NOT_FOUND)
    return rows[0]


async def _owned_by(user_id: int) -> Mapping[str, Any] | None:
    rows = await fetch_rows("SELECT * FROM open_platform_publisher WHERE owner_id = $1", user_id)
    return rows[0] if rows else None


def _view(row: Mapping[str, Any] | None) -> PublisherView:
    assert row is not None
    return PublisherView(
        id=row["id"],
        name=row["name"],
        credit_code=row["credit_code"],
        contact_email=row["contact_email"],
        owner_id=row["owner_id"],
        status=PublisherStatus(row["status"]),
        registered_at=row["registered_at"],
        decided_at=row["decided_at"],
        reason=row["reason"],
    )
