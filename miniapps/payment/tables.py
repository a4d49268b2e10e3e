"""The ledger's tables. Amounts are integers in fen (分), never floats."""

from piccolo.columns import BigInt, BigSerial, Boolean, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Account(Table, tablename="payment_account"):
    """An account of the ledger, named by its `holder`: `wallet:<user id>` (a resident's
    wallet), `merchant:<user id>`, or `platform:<name>` (top-up clearing, a campaign's
    voucher pool, fees). `balance` changes only in the transaction that writes the entries
    that change it, so the entries can always rebuild it."""

    id = BigSerial(primary_key=True)
    holder = Varchar(length=80, unique=True)
    balance = BigInt(default=0)
    # Only a platform account that stands for money outside the ledger (the bank channel's
    # clearing account) may go below zero; every other account stops at zero.
    overdraw = Boolean(default=False)
    opened_at = Timestamptz(default=TimestamptzNow())


class Transfer(Table, tablename="payment_transfer"):
    """One movement of money: its entries sum to zero. Never updated or deleted; a refund or
    a correction is a new transfer that `refers_to` the original."""

    id = BigSerial(primary_key=True)
    kind = Varchar(length=24)
    refers_to = BigInt(null=True, default=None, index=True)
    memo = Varchar(length=200, default="")
    posted_at = Timestamptz(default=TimestamptzNow())


class Entry(Table, tablename="payment_entry"):
    """One account's side of a transfer: credited (amount > 0) or debited (amount < 0), and
    the account's balance right after it, for statements."""

    id = BigSerial(primary_key=True)
    transfer_id = BigInt(index=True)
    account_id = BigInt()
    amount = BigInt()
    balance_after = BigInt()
    posted_at = Timestamptz(default=TimestamptzNow())
