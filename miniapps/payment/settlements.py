"""Settlement (结算, T+1): what a merchant collected by the end of a city day is paid to
their bank account the day after, through the bank channel.

A day's settlement of one merchant is written once (`<merchant>:<day>` is unique) in the
transaction that moves its amount out of the ledger, from the merchant's account to the
settlement clearing account, so the money cannot be collected twice nor refunded after it
left. Only then is the channel asked to pay it, by the settlement's own number: a process
that dies in between leaves it pending, and the next run asks again, which the channel
answers as before. A payout the bank refuses is returned: a correction puts the money
back on the merchant's account, and the next day's settlement takes it again.

The amount is the balance as the day ended, less what went out since (refunds): what was
collected after the day ended waits for the next run, whatever went out meanwhile.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from backend.sdk import (
    Audience,
    Claims,
    Conflict,
    Forbidden,
    NotFound,
    Template,
    Vault,
    audit,
    fetch_rows,
    notify,
    unit_of_work,
    utc_now,
)
from miniapps.payment.channel import PaymentChannel, Payout
from miniapps.payment.days import CITY_TIME, day_start
from miniapps.payment.errors import PaymentProblem
from miniapps.payment.ledger import Leg, TransferKind, open_account, post_transfer
from miniapps.payment.pins import freshly_proved
from miniapps.payment.schemas import (
    SettlementAccountIn,
    SettlementAccountView,
    SettlementList,
    SettlementView,
)
from miniapps.payment.top_ups import yuan
from miniapps.payment.wallets import merchant_holder

log = logging.getLogger(__name__)

SETTLEMENT_CLEARING = "platform:settlement_clearing"
NAME_PURPOSE = "settlement_account_name"
NUMBER_PURPOSE = "settlement_account_number"
LISTED = 100
SETTLED = Template(
    key="payment.settled",
    category="payment",
    titles={"zh-CN": "结算到账", "en": "Settlement paid"},
    bodies={
        "zh-CN": "{day} 的收款 {yuan} 元已结算至尾号 {tail} 的银行账户",
        "en": "{yuan} yuan collected on {day} paid to the account ending {tail}",
    },
)
ACCOUNT_CHANGED = Template(
    key="payment.settlement_account_changed",
    category="payment",
    titles={"zh-CN": "结算账户已变更", "en": "Settlement account changed"},
    bodies={
        "zh-CN": "今后的结算将付至尾号 {tail} 的银行账户;如非本人操作,请立即联系平台",
        "en": "Settlements now go to the account ending {tail}; not you? Tell the platform now",
    },
)
RETURNED = Template(
    key="payment.settlement_returned",
    category="payment",
    titles={"zh-CN": "结算失败", "en": "Settlement returned"},
    bodies={
        "zh-CN": "{day} 的结算 {yuan} 元被银行退回,已退回商户账户,请核对结算账户",
        "en": "The bank returned {yuan} yuan of {day}: it is back on your account; "
        "check your settlement account",
    },
)


async def set_account(
    *, claims: Claims, account: SettlementAccountIn, vault: Vault
) -> SettlementAccountView:
    """Where the merchant's settlements go from now on, replacing any account before. Only
    after a login by one-time code in the last five minutes: a stolen session must not
    send a merchant's money elsewhere."""
    if not freshly_proved(claims):
        raise Forbidden(PaymentProblem.PIN_REVERIFY)
    merchant_id = claims.user_id
    now = utc_now()
    await fetch_rows(
        "INSERT INTO payment_settlement_account (merchant_id, bank, account_name_sealed,"
        " number_sealed, number_tail, set_at) VALUES ($1, $2, $3, $4, $5, $6)"
        " ON CONFLICT (merchant_id) DO UPDATE SET bank = excluded.bank,"
        " account_name_sealed = excluded.account_name_sealed,"
        " number_sealed = excluded.number_sealed, number_tail = excluded.number_tail,"
        " set_at = excluded.set_at",
        merchant_id,
        account.bank,
        vault.seal(account.account_name, purpose=NAME_PURPOSE),
        vault.seal(account.account_number, purpose=NUMBER_PURPOSE),
        account.account_number[-4:],
        now,
    )
    async with unit_of_work():
        await audit(
            claims,
            "payment.settlement_account_set",
            merchant_id,
            {"bank": account.bank, "number_tail": account.account_number[-4:]},
        )
        # Told on every phone of theirs: if it was not them, they learn before the night.
        await notify(
            audience=Audience.users(merchant_id),
            template=ACCOUNT_CHANGED,
            data={"tail": account.account_number[-4:]},
            source="payment",
        )
    return await account_of(merchant_id=merchant_id, vault=vault)


async def account_of(*, merchant_id: int, vault: Vault) -> SettlementAccountView:
    rows = await fetch_rows(
        "SELECT * FROM payment_settlement_account WHERE merchant_id = $1", merchant_id
    )
    if not rows:
        raise NotFound(PaymentProblem.SETTLEMENT_ACCOUNT_NOT_SET)
    row = rows[0]
    return SettlementAccountView(
        bank=str(row["bank"]),
        account_name=vault.open(str(row["account_name_sealed"]), purpose=NAME_PURPOSE),
        number_tail=str(row["number_tail"]),
        set_at=row["set_at"],
    )


async def settlements_of(*, merchant_id: int) -> SettlementList:
    """The merchant's settlements, newest first."""
    rows = await fetch_rows(
        "SELECT * FROM payment_settlement WHERE merchant_id = $1 ORDER BY id DESC LIMIT $2",
        merchant_id,
        LISTED,
    )
    return SettlementList(items=[_view(row) for row in rows])


async def settle_day(day: dt.date, channel: PaymentChannel, vault: Vault) -> int:
    """Settle every merchant with a settlement account for the city day `day`, then pay
    out whatever is pending; how many settlements were opened."""
    opened = await open_settlements(day)
    await pay_out_pending(channel, vault)
    return opened


async def open_settlements(day: dt.date) -> int:
    """Move what each merchant with a settlement account held as the city day `day`
    ended out of the ledger, as a pending settlement; how many were opened."""
    end = day_start(dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), CITY_TIME))
    clearing = await open_account(SETTLEMENT_CLEARING, overdraw=True)
    merchants = await fetch_rows(
        "SELECT s.merchant_id, a.id AS account FROM payment_settlement_account s"
        " JOIN payment_account a ON a.holder = 'merchant:' || CAST(s.merchant_id AS TEXT)"
        " WHERE a.balance > 0 ORDER BY s.merchant_id"
    )
    opened = 0
    for merchant in merchants:
        # Refunded meanwhile below what the day left (Conflict): tomorrow's run takes it.
        with contextlib.suppress(Conflict):
            opened += await _open(merchant, day, end, clearing)
    return opened


async def settle_yesterday(channel: PaymentChannel, vault: Vault) -> int:
    yesterday = utc_now().astimezone(CITY_TIME).date() - dt.timedelta(days=1)
    return await settle_day(yesterday, channel, vault)


async def _open(merchant: Mapping[str, Any], day: dt.date, end: dt.datetime, clearing: int) -> int:
    account, merchant_id = int(merchant["account"]), int(merchant["merchant_id"])
    async with unit_of_work():
        # The day's closing balance, less what went out since (refunds): never money that
        # came in after the day ended.
        rows = await fetch_rows(
            "SELECT COALESCE((SELECT balance_after FROM payment_entry WHERE account_id = $1"
            " AND posted_at < $2 ORDER BY id DESC LIMIT 1), 0) AS closing,"
            " COALESCE((SELECT SUM(amount) FROM payment_entry WHERE account_id = $1"
            " AND posted_at >= $2 AND amount < 0), 0) AS since",
            account,
            end,
        )
        amount = int(rows[0]["closing"]) + int(rows[0]["since"])
        if amount <= 0:
            return 0
        opened = await fetch_rows(
            "INSERT INTO payment_settlement (settle_key, merchant_id, day, amount, status,"
            " created_at) VALUES ($1, $2, $3, $4, 'pending', $5)"
            " ON CONFLICT (settle_key) DO NOTHING RETURNING id",
            f"{merchant_id}:{day.isoformat()}",
            merchant_id,
            day.isoformat(),
            amount,
            utc_now(),
        )
        if not opened:
            return 0
        posted = await post_transfer(
            kind=TransferKind.SETTLEMENT,
            legs=[Leg(account, -amount), Leg(clearing, amount)],
            memo=f"T+1 {day.isoformat()}",
        )
        await fetch_rows(
            "UPDATE payment_settlement SET transfer_id = $2 WHERE id = $1",
            opened[0]["id"],
            posted.transfer_id,
        )
    return 1


async def pay_out_pending(channel: PaymentChannel, vault: Vault) -> int:
    """Ask the channel to pay every pending settlement; how many it answered. A payout the
    channel could not be asked for (the bank unreachable, say) stays pending for the next
    run, and the others are asked all the same."""
    pending = await fetch_rows(
        "SELECT s.*, b.bank, b.account_name_sealed, b.number_sealed, b.number_tail"
        " FROM payment_settlement s JOIN payment_settlement_account b"
        " ON b.merchant_id = s.merchant_id WHERE s.status = 'pending' ORDER BY s.id"
    )
    answered = 0
    for row in pending:
        try:
            answer = await channel.pay_out(_payout(row, vault))
        except Exception:  # one merchant's payout must not hold up the night's others
            log.exception("settlement %s: the channel was not asked; next run", row["id"])
            continue
        await _finish(row, accepted=answer.accepted, channel_txn=answer.channel_txn)
        answered += 1
    return answered


def _payout(row: Mapping[str, Any], vault: Vault) -> Payout:
    return Payout(
        out_no=f"S{int(row['id']):015d}",
        bank=str(row["bank"]),
        account_name=vault.open(str(row["account_name_sealed"]), purpose=NAME_PURPOSE),
        account_number=vault.open(str(row["number_sealed"]), purpose=NUMBER_PURPOSE),
        amount=int(row["amount"]),
    )


async def _finish(row: Mapping[str, Any], *, accepted: bool, channel_txn: str) -> None:
    async with unit_of_work():
        finished = await fetch_rows(
            "UPDATE payment_settlement SET status = $2, channel_txn = $3, finished_at = $4"
            " WHERE id = $1 AND status = 'pending' RETURNING id",
            row["id"],
            "paid" if accepted else "returned",
            channel_txn,
            utc_now(),
        )
        if not finished:
            return  # another run answered it first
        amount, merchant_id = int(row["amount"]), int(row["merchant_id"])
        if not accepted:
            clearing = await open_account(SETTLEMENT_CLEARING, overdraw=True)
            account = await open_account(merchant_holder(merchant_id))
            await post_transfer(
                kind=TransferKind.CORRECTION,
                legs=[Leg(clearing, -amount), Leg(account, amount)],
                refers_to=int(row["transfer_id"]),
                memo=f"returned by the bank: T+1 {row['day']}",
            )
        await notify(
            audience=Audience.users(merchant_id),
            template=SETTLED if accepted else RETURNED,
            data={"day": str(row["day"]), "yuan": yuan(amount), "tail": str(row["number_tail"])},
            source="payment",
        )


def _view(row: Mapping[str, Any]) -> SettlementView:
    return SettlementView(
        id=int(row["id"]),
        day=str(row["day"]),
        amount_fen=int(row["amount"]),
        status=str(row["status"]),
        created_at=row["created_at"],
        finished_at=row["finished_at"],
    )
