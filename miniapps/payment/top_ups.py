"""Top-ups (充值): a resident's order to pay into their wallet through the bank channel.

An order ends in exactly one terminal state. The channel's notification of payment moves it
from created to paid and credits the wallet in one transaction (from the clearing account,
which stands for the money the channel holds for us); the same notification again changes
nothing and answers as the first did; a notification for an order that ended otherwise, or
of another amount, is refused. Orders left unpaid are closed by `close_stale_top_ups`.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from typing import Any

from backend.sdk import (
    Audience,
    Conflict,
    NotFound,
    Template,
    Unprocessable,
    fetch_rows,
    notify,
    unit_of_work,
    utc_now,
)
from miniapps.payment.channel import ChannelNotice, ChannelResult
from miniapps.payment.errors import PaymentProblem
from miniapps.payment.ledger import Leg, TransferKind, open_account, post_transfer
from miniapps.payment.schemas import TopUpView
from miniapps.payment.wallets import wallet_holder

TOP_UP_CLEARING = "platform:top_up_clearing"
WALLET_LINK = "yimen://miniapps/payment/wallet"
TOP_UP_PAID = Template(
    key="payment.top_up_paid",
    category="payment",
    titles={"zh-CN": "充值成功", "en": "Top-up received"},
    bodies={"zh-CN": "已向钱包充值 {yuan} 元", "en": "{yuan} yuan paid into your wallet"},
)
STALE_AFTER = dt.timedelta(minutes=15)  # the channel's own payment page times out sooner
_OPEN = (
    "INSERT INTO payment_top_up (user_id, amount, status, out_trade_no, created_at)"
    " VALUES ($1, $2, 'created', $3, $4)"
    " RETURNING id, user_id, amount, status, out_trade_no, channel_txn, created_at, finished_at"
)
_OWN = (
    "SELECT id, user_id, amount, status, out_trade_no, channel_txn, created_at, finished_at"
    " FROM payment_top_up WHERE id = $1 AND user_id = $2"
)
_BY_TRADE_NO = (
    "SELECT id, user_id, amount, status, out_trade_no, channel_txn, created_at, finished_at"
    " FROM payment_top_up WHERE out_trade_no = $1"
)
_FINISH = (
    "UPDATE payment_top_up SET status = $2, channel_txn = $3, finished_at = $4"
    " WHERE id = $1 AND status = 'created'"
    " RETURNING id, user_id, amount, status, out_trade_no, channel_txn, created_at, finished_at"
)


async def open_top_up(*, user_id: int, amount: int) -> TopUpView:
    """A new order for `amount` fen into the resident's wallet, to pay at the channel."""
    rows = await fetch_rows(
        _OPEN,
        user_id,
        amount,
        f"TU{secrets.token_hex(10).upper()}",
        utc_now(),
    )
    return _view(rows[0])


async def top_up_of(*, user_id: int, top_up_id: int) -> TopUpView:
    """One of the resident's own orders; another's is not found."""
    rows = await fetch_rows(_OWN, top_up_id, user_id)
    if not rows:
        raise NotFound(PaymentProblem.TOP_UP_NOT_FOUND)
    return _view(rows[0])


async def take_notice(notice: ChannelNotice) -> TopUpView:
    """Act on the channel's word about an order, at most once."""
    async with unit_of_work():
        order = await _order(notice.out_trade_no)
        if int(order["amount"]) != notice.amount_fen:
            raise Unprocessable(PaymentProblem.CHANNEL_AMOUNT_MISMATCH)
        status = str(notice.result)
        finished = await fetch_rows(
            _FINISH,
            order["id"],
            status,
            notice.channel_txn,
            utc_now(),
        )
        if not finished:
            return await _told_before(notice)
        if notice.result is ChannelResult.PAID:
            await _credit(int(order["id"]), int(order["user_id"]), notice.amount_fen)
            await notify(
                audience=Audience.users(int(order["user_id"])),
                template=TOP_UP_PAID,
                data={"yuan": yuan(notice.amount_fen)},
                source="payment",
                deep_link=WALLET_LINK,
            )
        return _view(finished[0])


async def _order(out_trade_no: str) -> Mapping[str, Any]:
    rows = await fetch_rows(_BY_TRADE_NO, out_trade_no)
    if not rows:
        raise NotFound(PaymentProblem.TOP_UP_NOT_FOUND)
    return rows[0]


async def _told_before(notice: ChannelNotice) -> TopUpView:
    """The order had ended: the same notice again is answered as before, any other refused."""
    order = await _order(notice.out_trade_no)
    if order["status"] == str(notice.result) and order["channel_txn"] == notice.channel_txn:
        return _view(order)
    raise Conflict(PaymentProblem.TOP_UP_FINISHED)


async def _credit(top_up_id: int, user_id: int, amount: int) -> None:
    clearing = await open_account(TOP_UP_CLEARING, overdraw=True)
    wallet = await open_account(wallet_holder(user_id))
    posted = await post_transfer(
        kind=TransferKind.TOP_UP,
        legs=[Leg(clearing, -amount), Leg(wallet, amount)],
        memo=f"top-up {top_up_id}",
    )
    await fetch_rows(
        "UPDATE payment_top_up SET transfer_id = $2 WHERE id = $1", top_up_id, posted.transfer_id
    )


async def close_stale_top_ups(now: dt.datetime | None = None) -> int:
    """Close every order still unpaid `STALE_AFTER` after it was opened; how many."""
    moment = now or utc_now()
    rows = await fetch_rows(
        "UPDATE payment_top_up SET status = 'closed', finished_at = $1"
        " WHERE status = 'created' AND created_at < $2 RETURNING id",
        moment,
        moment - STALE_AFTER,
    )
    return len(rows)


def yuan(fen: int) -> str:
    """`1234` fen as `"12.34"`: integer arithmetic, so no float ever rounds a receipt."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"


def _view(row: Mapping[str, Any]) -> TopUpView:
    return TopUpView(
        id=int(row["id"]),
        amount_fen=int(row["amount"]),
        status=str(row["status"]),
        out_trade_no=str(row["out_trade_no"]),
        created_at=row["created_at"],
        finished_at=row["finished_at"],
    )
