"""The payment mini-app's cashier for other parts (`backend.sdk.Cashier`): a charge is a
payment that awaits its payer from the start, known by its part and reference; the payer
confirms it with their PIN as any other (`payments.confirm`), and its part hears of the
outcome from the `charge_finished` event (`payments.tell_part`)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

from backend.sdk import (
    CHARGE_LONGEST,
    CHARGE_SHORTEST,
    Audience,
    Cashier,
    Charge,
    ChargeStatus,
    Conflict,
    NotFound,
    Role,
    Services,
    Template,
    Unprocessable,
    all_or_nothing,
    fetch_rows,
    notify,
    scopes_held,
    unit_of_work,
    utc_now,
)
from miniapps.payment.channel import PaymentChannel, start_channel
from miniapps.payment.errors import PaymentProblem
from miniapps.payment.ledger import open_account
from miniapps.payment.payments import Method, payment_view, tell_part
from miniapps.payment.refunds import refund
from miniapps.payment.schemas import TOP_UP_MOST
from miniapps.payment.top_ups import yuan
from miniapps.payment.wallets import merchant_holder

PART = re.compile(r"[a-z][a-z0-9_]{0,39}")
REFERENCE_MOST = 80
REFUND_KEY_MOST = 32
PURPOSE_MOST = 100
CHARGE = Template(
    key="payment.charge",
    category="payment",
    titles={"zh-CN": "请确认付款", "en": "Confirm a payment"},
    bodies={
        "zh-CN": "{purpose}:需付款 {yuan} 元,请输入支付密码确认",
        "en": "{purpose}: {yuan} yuan to pay, confirm with your PIN",
    },
)


def payment_link(payment_id: int) -> str:
    return f"yimen://miniapps/payment/payments/{payment_id}"


class PaymentCashier(Cashier):
    def __init__(self, parts: frozenset[str]) -> None:
        self._parts = parts  # the installed mini-apps' ids

    async def request_charge(
        self,
        *,
        part: str,
        reference: str,
        payer_id: int,
        merchant_id: int,
        amount_fen: int,
        purpose: str,
        expires_in: dt.timedelta,
    ) -> Charge:
        key = self._key(part, reference)
        if not 1 <= len(purpose) <= PURPOSE_MOST:
            raise ValueError(f"a charge's purpose is 1 to {PURPOSE_MOST} characters")
        if not 1 <= amount_fen <= TOP_UP_MOST or not (
            CHARGE_SHORTEST <= expires_in <= CHARGE_LONGEST
        ):
            raise Unprocessable(PaymentProblem.CHARGE_INVALID)
        if payer_id == merchant_id:
            raise Conflict(PaymentProblem.PAYMENT_TO_SELF)
        if not await scopes_held(merchant_id, Role.MERCHANT):
            # A part's bug or a forged order must not turn a resident's wallet into anyone's
            # account: money collected here is settled to a merchant's bank.
            raise Unprocessable(PaymentProblem.CHARGE_PAYEE_NOT_MERCHANT)
        await open_account(merchant_holder(merchant_id))
        now = utc_now()
        async with unit_of_work(), all_or_nothing():
            # Taken by the key's unique index: of two requests at once, one writes.
            rows = await fetch_rows(
                "INSERT INTO payment_payment (payer_id, merchant_id, amount, method,"
                " without_pin, status, created_at, expires_at, refunded, subsidy, charge_key,"
                " purpose) VALUES ($1, $2, $3, $4, FALSE, 'awaiting_payer', $5, $6, 0, 0, $7,"
                " $8) ON CONFLICT (charge_key) DO NOTHING RETURNING *",
                payer_id,
                merchant_id,
                amount_fen,
                Method.CHARGE.value,
                now,
                now + expires_in,
                key,
                purpose,
            )
            if rows:
                await notify(
                    audience=Audience.users(payer_id),
                    template=CHARGE,
                    data={"purpose": purpose, "yuan": yuan(amount_fen)},
                    source="payment",
                    deep_link=payment_link(int(rows[0]["id"])),
                )
                return _charge(rows[0])
        same = await self._by_key(key)
        if (same.payer_id, same.merchant_id, same.amount_fen) != (
            payer_id,
            merchant_id,
            amount_fen,
        ):
            raise Conflict(PaymentProblem.CHARGE_REFERENCE_TAKEN)
        return same

    async def charge_of(self, *, part: str, reference: str) -> Charge | None:
        rows = await _rows_of(self._key(part, reference))
        return _charge(rows[0]) if rows else None

    async def cancel_charge(self, *, part: str, reference: str) -> Charge:
        key = self._key(part, reference)
        async with unit_of_work(), all_or_nothing():
            rows = await fetch_rows(
                "UPDATE payment_payment SET status = 'closed'"
                " WHERE charge_key = $1 AND status = 'awaiting_payer' RETURNING *",
                key,
            )
            if rows:
                await tell_part(rows[0], ChargeStatus.CLOSED)
                return _charge(rows[0])
        charge = await self._by_key(key)
        if charge.status is ChargeStatus.PAID:
            raise Conflict(PaymentProblem.PAYMENT_NOT_AWAITING)
        return charge

    async def refund_charge(
        self, *, part: str, reference: str, refund_key: str, amount_fen: int
    ) -> Charge:
        key = self._key(part, reference)
        if not 1 <= len(refund_key) <= REFUND_KEY_MOST or not refund_key.isprintable():
            raise ValueError(f"a refund key is 1 to {REFUND_KEY_MOST} printable characters")
        charge = await self._by_key(key)
        await refund(
            merchant_id=charge.merchant_id,
            payment_id=charge.payment_id,
            amount=amount_fen,
            key=f"{key}:{refund_key}",  # this charge's: another's may use the same
        )
        return await self._by_key(key)

    async def _by_key(self, key: str) -> Charge:
        rows = await _rows_of(key)
        if not rows:
            raise NotFound(PaymentProblem.PAYMENT_NOT_FOUND)
        return _charge(rows[0])

    def _key(self, part: str, reference: str) -> str:
        # A bug in the calling part, never its resident's doing: the part makes its
        # references.
        if not PART.fullmatch(part) or part not in self._parts:
            raise ValueError(f"{part!r} is not an installed part's id")
        if not 1 <= len(reference) <= REFERENCE_MOST or not reference.isprintable():
            raise ValueError(f"a reference is 1 to {REFERENCE_MOST} printable characters")
        return f"{part}:{reference}"


async def _rows_of(key: str) -> Sequence[Mapping[str, Any]]:
    return await fetch_rows("SELECT * FROM payment_payment WHERE charge_key = $1", key)


def _charge(row: Mapping[str, Any]) -> Charge:
    view = payment_view(row, utc_now())
    return Charge(
        payment_id=view.id,
        reference=str(row["charge_key"]).split(":", 1)[1],
        payer_id=int(row["payer_id"]),
        merchant_id=int(row["merchant_id"]),
        amount_fen=view.amount_fen,
        subsidy_fen=view.subsidy_fen,
        refunded_fen=view.refunded_fen,
        status=ChargeStatus(view.status),
        expires_at=view.expires_at,
        deep_link=payment_link(view.id),
    )


async def start_payment(services: Services) -> PaymentChannel:
    """The payment mini-app's start hook: its bank channel, and its cashier offered to every
    other part of the process."""
    services.cashier = PaymentCashier(frozenset(services.registry.apps))
    return await start_channel(services)


async def stop_payment(services: Services) -> None:
    services.cashier = None
