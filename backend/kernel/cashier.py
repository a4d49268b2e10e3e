"""How a part charges a resident (城市支付) without importing the payment mini-app.

Elderly care's meal orders, a service item's fee: a part asks the `Cashier` for a charge
to a resident's wallet, payable to a merchant, under a reference of its own (the order's
number). The resident confirms it with their PIN in the payment mini-app, as every payment
past the limits of payment without a PIN, before it expires; the part learns the outcome
from the `charge_finished` event, whose payload is defined here so that its subscribers
need nothing of the payment package. A charge is known by its part and reference: asked
again with the same ones it is the same charge, so a retried order never charges twice.
"""

from __future__ import annotations

import abc
import datetime as dt
import enum

import msgspec

CHARGE_FINISHED = "payment.charge_finished"
CHARGE_LONGEST = dt.timedelta(hours=24)  # a charge waits for its payer no longer
CHARGE_SHORTEST = dt.timedelta(minutes=1)


class ChargeStatus(enum.StrEnum):
    AWAITING_PAYER = "awaiting_payer"
    PAID = "paid"
    CLOSED = "closed"  # expired, or cancelled by its part, before the payer confirmed


class Charge(msgspec.Struct, frozen=True, kw_only=True):
    """A charge as its part sees it. `subsidy_fen` is what a consumption voucher of the
    payer's paid of it (the payer's wallet paid the rest, and only that can be refunded,
    whole); `refunded_fen` is what went back to the payer so far; `deep_link` opens it in
    the payer's app, where they confirm it."""

    payment_id: int
    reference: str
    payer_id: int
    merchant_id: int
    amount_fen: int
    subsidy_fen: int
    refunded_fen: int
    status: ChargeStatus
    expires_at: dt.datetime | None
    deep_link: str


class ChargeFinished(msgspec.Struct, frozen=True, kw_only=True):
    """`payment.charge_finished`: a charge was paid, or closed unpaid; written in the
    transaction that did it. A subscriber keeps to its own `part`'s charges."""

    payment_id: int
    part: str
    reference: str
    payer_id: int
    amount_fen: int
    status: ChargeStatus


class Cashier(abc.ABC):
    """The payment mini-app as other parts see it. An abstract class, not a Protocol: a
    route given it checks the type on every request (see `PlatformKeys`).

    `part` is the calling mini-app's own id (an installed one): it keeps each part's
    references apart, and each part keeps to its own. Every method joins the caller's
    transaction if one is open, and a refused call leaves none of its writes in it."""

    @abc.abstractmethod
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
        """A charge of `amount_fen` to `payer_id`'s wallet, for `merchant_id`, awaiting the
        payer, who is pushed `purpose` (what it is for, in a few words) and confirms with
        their PIN within `expires_in` (`CHARGE_SHORTEST` to `CHARGE_LONGEST`). The same
        `part` and `reference` again give the same charge; with another payer, merchant or
        amount they are refused (409 `charge_reference_taken`). An amount (1 fen to 5,000
        yuan) or a time out of bounds is 422 `charge_invalid`, a payee who holds no merchant
        role 422 `charge_payee_not_merchant`, a payer who is the merchant 409
        `payment_to_self`; a part or reference not well formed is a ValueError."""

    @abc.abstractmethod
    async def charge_of(self, *, part: str, reference: str) -> Charge | None:
        """The part's charge under `reference`, or None."""

    @abc.abstractmethod
    async def cancel_charge(self, *, part: str, reference: str) -> Charge:
        """Close the part's charge if it still awaits the payer; a paid one is refused
        (409 `payment_not_awaiting`: refund it), a closed one is returned as it is."""

    @abc.abstractmethod
    async def refund_charge(
        self, *, part: str, reference: str, refund_key: str, amount_fen: int
    ) -> Charge:
        """Give `amount_fen` of the part's paid charge back to the payer's wallet, from its
        merchant's account, as the merchant would. `refund_key` (up to 32 characters) names
        this refund of this charge: the same key again is the same refund, however often it
        is asked, and with another amount 409 `refund_key_taken`. Refused with 409: more
        than the payer's wallet paid in all (`refund_exceeds_payment`), part of a charge a
        voucher paid part of (`voucher_payment_refunded_whole`), a charge not paid
        (`payment_not_refundable`), or more than the merchant's account holds
        (`insufficient_funds`: each night's settlement pays it out to their bank)."""
