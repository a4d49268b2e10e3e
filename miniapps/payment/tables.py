"""The ledger's tables. Amounts are integers in fen (分), never floats."""

from piccolo.columns import BigInt, BigSerial, Boolean, Integer, Text, Timestamptz, Varchar
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
    # clearing account, the city's subsidy budget) may go below zero; every other account
    # stops at zero.
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


class TopUp(Table, tablename="payment_top_up"):
    """A resident's order to pay money into their wallet through the bank channel (充值订单).
    It ends in one terminal state: paid (the wallet credited, `transfer_id` the credit),
    failed (the channel said so) or closed (never paid in time)."""

    id = BigSerial(primary_key=True)
    user_id = BigInt(index=True)
    amount = BigInt()
    status = Varchar(length=8, default="created")
    out_trade_no = Varchar(length=32, unique=True)  # our order number, as the channel knows it
    channel_txn = Varchar(length=64, null=True, default=None)  # the channel's own number
    transfer_id = BigInt(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    finished_at = Timestamptz(null=True, default=None)


class PayerDevice(Table, tablename="payment_payer_device"):
    """The phone a resident's payer codes come from: its secret (sealed) and the payer
    number its codes carry. Enrolling again replaces both, so the old phone's codes stop."""

    id = BigSerial(primary_key=True)
    user_id = BigInt(unique=True)
    payer_number = Varchar(length=8, unique=True)
    secret_sealed = Varchar(length=200)
    enrolled_at = Timestamptz(default=TimestamptzNow())
    # Wrong time codes for this payer number since `failing_since`: past a few in a while,
    # none of its codes is taken (someone is guessing them) until the phone enrols again.
    failures = Integer(default=0)
    failing_since = Timestamptz(null=True, default=None)


class CodeUse(Table, tablename="payment_code_use"):
    """A payer code taken by a merchant: `<payer number>:<step>`. Written before the
    payment is tried and kept whatever becomes of it, so a code is good once."""

    id = BigSerial(primary_key=True)
    code_key = Varchar(length=32, unique=True)
    merchant_id = BigInt()
    used_at = Timestamptz(default=TimestamptzNow(), index=True)


class Payment(Table, tablename="payment_payment"):
    """A payment from a resident's wallet to a merchant: how it was made (payer code or
    collection code), whether without a PIN (what the daily no-PIN limit counts), and the
    transfer that moved the money."""

    id = BigSerial(primary_key=True)
    payer_id = BigInt(index=True)
    merchant_id = BigInt(index=True)
    amount = BigInt()
    method = Varchar(length=16)
    without_pin = Boolean(default=False)
    # paid; awaiting_payer (past the no-PIN limits: the payer confirms with a PIN by
    # `expires_at`); closed (never confirmed in time)
    status = Varchar(length=16)
    transfer_id = BigInt(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    expires_at = Timestamptz(null=True, default=None)
    paid_at = Timestamptz(null=True, default=None)
    refunded = BigInt(default=0)  # fen given back so far; never more than the payer paid
    # A voucher spent on the payment: the pool paid `subsidy` of `amount`, the wallet the rest.
    voucher_id = BigInt(null=True, default=None)
    subsidy = BigInt(default=0)
    # A charge another part asked for (`backend.sdk.Cashier`): `<part>:<its reference>`,
    # so asking again finds it (unique: SQLite adds no UNIQUE column, so a migration makes
    # the index); and what it is for, as the payer is told.
    charge_key = Varchar(length=128, null=True, default=None)
    purpose = Varchar(length=100, default="")


class PaymentPin(Table, tablename="payment_pin"):
    """A payer's PIN (支付密码) as an Argon2id hash, and the wrong tries since the last
    right one: at the most, the PIN is locked until `locked_until`."""

    id = BigSerial(primary_key=True)
    user_id = BigInt(unique=True)
    pin_hash = Varchar(length=200)
    wrong_tries = Integer(default=0)
    locked_until = Timestamptz(null=True, default=None)
    set_at = Timestamptz(default=TimestamptzNow())


class CollectionCode(Table, tablename="payment_collection_code"):
    """A merchant's static collection code (收款码): the number its QR carries, so the code
    names no account, and a printed code stays good for good."""

    id = BigSerial(primary_key=True)
    merchant_id = BigInt(unique=True)
    number = Varchar(length=16, unique=True)
    issued_at = Timestamptz(default=TimestamptzNow())


class Refund(Table, tablename="payment_refund"):
    """Money a merchant gave back of a payment: a transfer that refers to the payment's."""

    id = BigSerial(primary_key=True)
    payment_id = BigInt(index=True)
    amount = BigInt()
    transfer_id = BigInt()
    created_at = Timestamptz(default=TimestamptzNow())
    # A refund a part asked for names itself, so asking again finds it rather than paying
    # twice (unique, by a migration's index); the merchants' own refunds are kept once by
    # their Idempotency-Key.
    refund_key = Varchar(length=160, null=True, default=None)


class MerchantProfile(Table, tablename="payment_merchant"):
    """What the platform knows of a merchant's trade: the category campaigns are for."""

    id = BigSerial(primary_key=True)
    merchant_id = BigInt(unique=True)
    category = Varchar(length=24)
    set_at = Timestamptz(default=TimestamptzNow())


class VoucherCampaign(Table, tablename="payment_voucher_campaign"):
    """A city's consumption-voucher campaign (消费券): who may claim (residents of the listed
    districts, all when none, of at least `min_age` when set), when, where a voucher is
    spent (merchants of the listed categories) and until when. Its budget was moved from
    the subsidy budget into its own pool account when it opened."""

    id = BigSerial(primary_key=True)
    name = Varchar(length=80)
    districts = Text(default="[]")  # JSON list of org paths
    min_age = Integer(null=True, default=None)
    merchant_categories = Text(default="[]")  # JSON list
    claim_opens_at = Timestamptz()
    claim_closes_at = Timestamptz()
    spend_until = Timestamptz()
    created_by = BigInt()
    created_at = Timestamptz(default=TimestamptzNow())


class VoucherTier(Table, tablename="payment_voucher_tier"):
    """One face value of a campaign (满 `min_spend` 减 `face_value`): `quantity` vouchers, of
    which `issued` are held now (an expired voucher goes back to the tier)."""

    id = BigSerial(primary_key=True)
    campaign_id = BigInt(index=True)
    face_value = BigInt()
    min_spend = BigInt()
    quantity = Integer()
    issued = Integer(default=0)


class Voucher(Table, tablename="payment_voucher"):
    """A resident's voucher: issued, spent (by `payment_id`) or expired. `claim_key` is
    `<campaign>:<user>`, so nobody holds two of one campaign."""

    id = BigSerial(primary_key=True)
    campaign_id = BigInt(index=True)
    tier_id = BigInt()
    user_id = BigInt(index=True)
    claim_key = Varchar(length=48, unique=True)
    face_value = BigInt()
    min_spend = BigInt()
    status = Varchar(length=8, default="issued")
    claimed_at = Timestamptz(default=TimestamptzNow())
    valid_until = Timestamptz(index=True)
    payment_id = BigInt(null=True, default=None)


class ChannelRecord(Table, tablename="payment_channel_record"):
    """What the bank channel told of an order, authentic and kept as told, whatever became
    of it here: the simulated channel's own record, which its daily statement is read from."""

    id = BigSerial(primary_key=True)
    channel_txn = Varchar(length=64, unique=True)
    out_trade_no = Varchar(length=32)
    amount = BigInt()
    result = Varchar(length=8)
    told_at = Timestamptz(default=TimestamptzNow(), index=True)


class Discrepancy(Table, tablename="payment_discrepancy"):
    """A finding of the daily reconciliation, for platform admins to look into: of which
    day, what kind, about what (an account, an order), and what was seen."""

    id = BigSerial(primary_key=True)
    day = Varchar(length=10, index=True)  # the city's day, YYYY-MM-DD
    kind = Varchar(length=24)
    subject = Varchar(length=80)
    detail = Varchar(length=200)
    finding_key = Varchar(length=120, unique=True)  # day, kind and subject: found once
    found_at = Timestamptz(default=TimestamptzNow())


class SettlementAccount(Table, tablename="payment_settlement_account"):
    """The bank account a merchant's balance is settled to (结算账户): its holder's name and
    number sealed like other personal data, the number's last four digits kept to show."""

    id = BigSerial(primary_key=True)
    merchant_id = BigInt(unique=True)
    bank = Varchar(length=40)
    account_name_sealed = Varchar(length=200)
    number_sealed = Varchar(length=200)
    number_tail = Varchar(length=4)
    set_at = Timestamptz(default=TimestamptzNow())


class Settlement(Table, tablename="payment_settlement"):
    """One merchant's settlement (T+1) of one city day: what their account held as that day
    ended, moved out of the ledger by `transfer_id` and paid to their bank account through
    the channel. Pending until the channel answers; paid, or returned (the money back on
    the account by a correction that refers to the transfer) if the bank refused it."""

    id = BigSerial(primary_key=True)
    settle_key = Varchar(length=40, unique=True)  # `<merchant id>:<day>`: a day settles once
    merchant_id = BigInt(index=True)
    day = Varchar(length=10)
    amount = BigInt()
    status = Varchar(length=8, default="pending")
    transfer_id = BigInt(null=True, default=None)
    channel_txn = Varchar(length=64, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    finished_at = Timestamptz(null=True, default=None)


class ChannelPayout(Table, tablename="payment_channel_payout"):
    """The simulated bank channel's own record of the payouts it was asked for, once per
    order number, so asking again is answered as the first time."""

    id = BigSerial(primary_key=True)
    out_no = Varchar(length=32, unique=True)
    amount = BigInt()
    accepted = Boolean()
    channel_txn = Varchar(length=64)
    told_at = Timestamptz(default=TimestamptzNow())
