"""The bank channel (支付通道) through which residents top up, and its notifications.

A channel takes our order number and amount, lets the resident pay in the bank's own page,
and then calls us back: `POST /channel/notify` with a JSON body and two headers,
`X-Channel-Timestamp` (Unix seconds) and `X-Channel-Signature` (hex HMAC-SHA256 over
`<timestamp>.<body>` with the key both sides hold). A notification is believed only when
its signature is right and its timestamp within `NOTICE_WINDOW` of our clock: a replay
after that, or a forgery, changes nothing. In dev and tests the simulated channel signs
with the key derived from the platform secret, as a real one would with its own key.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, NamedTuple

import msgspec

from backend.sdk import Services, Vault, fetch_rows, signed_recently, utc_now

NOTICE_WINDOW = 300  # seconds either way


class ChannelResult(enum.StrEnum):
    PAID = "paid"
    FAILED = "failed"


class ChannelNotice(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What the channel tells of one order."""

    out_trade_no: Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
    amount_fen: Annotated[int, msgspec.Meta(ge=1, le=2**53)]
    result: ChannelResult
    channel_txn: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


class Settled(NamedTuple):
    """One order of the channel's daily statement (对账单): paid, for that much."""

    out_trade_no: str
    amount: int
    channel_txn: str


class Payout(NamedTuple):
    """Money the channel is asked to pay to a bank account, once per `out_no`."""

    out_no: str
    bank: str
    account_name: str
    account_number: str
    amount: int


class PayoutAnswer(NamedTuple):
    """The channel's answer to a payout: accepted (the bank has it) or refused."""

    accepted: bool
    channel_txn: str


class PaymentChannel:
    """The bank channel as this process knows it: the key its notifications are signed
    with, and its daily statement. A bank's channel publishes the statement as a file of
    its own; the simulated one reads back the paid orders it told of (`ChannelRecord`),
    which is its own record, kept apart from what became of the orders here."""

    def __init__(self, key: bytes) -> None:
        self.key = key

    async def statement(self, start: dt.datetime, end: dt.datetime) -> list[Settled]:
        """The orders the channel settled as paid between `start` and `end`."""
        rows = await fetch_rows(
            "SELECT out_trade_no, amount, channel_txn FROM payment_channel_record"
            " WHERE result = 'paid' AND told_at >= $1 AND told_at < $2 ORDER BY id",
            start,
            end,
        )
        return [
            Settled(str(r["out_trade_no"]), int(r["amount"]), str(r["channel_txn"])) for r in rows
        ]

    async def keep(self, notice: ChannelNotice) -> None:
        """Keep what the channel told, once per channel transaction, in a statement of its
        own: it stands whatever the order makes of it."""
        await fetch_rows(
            "INSERT INTO payment_channel_record (channel_txn, out_trade_no, amount, result,"
            " told_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (channel_txn) DO NOTHING",
            notice.channel_txn,
            notice.out_trade_no,
            notice.amount_fen,
            notice.result.value,
            utc_now(),
        )

    async def pay_out(self, payout: Payout) -> PayoutAnswer:
        """Pay `payout` to its bank account; asked again for the same `out_no`, the channel
        answers as it did the first time and pays nothing more. The simulated channel
        refuses an account number whose check digit is wrong (a bank card's Luhn digit),
        as a bank refuses an account it does not hold."""
        answer = PayoutAnswer(_luhn_valid(payout.account_number), f"P{payout.out_no}")
        await fetch_rows(
            "INSERT INTO payment_channel_payout (out_no, amount, accepted, channel_txn,"
            " told_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (out_no) DO NOTHING",
            payout.out_no,
            payout.amount,
            answer.accepted,
            answer.channel_txn,
            utc_now(),
        )
        rows = await fetch_rows(
            "SELECT accepted, channel_txn FROM payment_channel_payout WHERE out_no = $1",
            payout.out_no,
        )
        return PayoutAnswer(bool(rows[0]["accepted"]), str(rows[0]["channel_txn"]))

    def authentic(self, *, timestamp: str, signed: str, body: bytes) -> bool:
        """Whether the channel sent `body` at `timestamp`, recently enough to act on."""
        return signed_recently(
            self.key, timestamp=timestamp, signed=signed, body=body, window=NOTICE_WINDOW
        )


def _luhn_valid(number: str) -> bool:
    digits = [int(d) for d in reversed(number)]
    doubled = [d * 2 - 9 if d * 2 > 9 else d * 2 for d in digits[1::2]]
    return (sum(digits[0::2]) + sum(doubled)) % 10 == 0


def channel_key(vault: Vault) -> bytes:
    """The key the simulated channel and we share: derived from the platform secret, so a
    city's own secret gives its own key."""
    return bytes.fromhex(vault.lookup("bank-channel", purpose="payment_channel_key"))


async def start_channel(services: Services) -> PaymentChannel:
    return PaymentChannel(channel_key(services.vault))
