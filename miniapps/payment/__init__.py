"""Payment (城市支付): wallets on a double-entry ledger, in integer fen."""

from backend.sdk import (
    CHARGE_FINISHED,
    ChargeFinished,
    Cron,
    JobContext,
    Manifest,
    Role,
    Section,
    Tile,
)
from miniapps.payment.cashier import start_payment, stop_payment
from miniapps.payment.channel import PaymentChannel
from miniapps.payment.controllers import router
from miniapps.payment.payments import close_unconfirmed_payments
from miniapps.payment.reconciliation import reconcile_yesterday
from miniapps.payment.settlements import settle_yesterday
from miniapps.payment.top_ups import close_stale_top_ups
from miniapps.payment.vouchers import expire_vouchers


async def close_stale(job: JobContext) -> int:
    return await close_stale_top_ups()


async def close_unconfirmed(job: JobContext) -> int:
    return await close_unconfirmed_payments()


async def expire_unspent_vouchers(job: JobContext) -> int:
    return await expire_vouchers()


async def reconcile_the_day_before(job: JobContext) -> int:
    return await reconcile_yesterday(job.services.runtime(PaymentChannel))


async def settle_the_day_before(job: JobContext) -> int:
    return await settle_yesterday(job.services.runtime(PaymentChannel), job.services.vault)


MINIAPP = Manifest(
    id="payment",
    version="0.1.0",
    names={"zh-CN": "城市支付", "en": "City pay"},
    descriptions={"zh-CN": "钱包、付款与收款", "en": "Wallet, payments and collection"},
    icon="wallet",
    tiles=[
        Tile(
            id="wallet",
            titles={"zh-CN": "我的钱包", "en": "My wallet"},
            icon="wallet",
            target="native:payment/wallet",
            roles=frozenset({Role.RESIDENT}),
            section=Section.SERVICES,
            order=5,
        ),
        Tile(
            id="collect",
            titles={"zh-CN": "扫码收款", "en": "Collect"},
            icon="scan",
            target="native:payment/collect",
            roles=frozenset({Role.MERCHANT}),
            section=Section.WORK,
            order=2,
        ),
        Tile(
            id="statements",
            titles={"zh-CN": "收款账单", "en": "Statements"},
            icon="receipt",
            target="native:payment/statements",
            roles=frozenset({Role.MERCHANT}),
            section=Section.WORK,
            order=3,
        ),
    ],
    router=router,
    piccolo_app="miniapps.payment.piccolo_app",
    on_start=start_payment,
    on_stop=stop_payment,
    provides={"payment_channel": PaymentChannel},
    emits={CHARGE_FINISHED: ChargeFinished},
    crons=[
        Cron(name="close_stale_top_ups", run=close_stale, second=frozenset({30})),
        Cron(name="close_unconfirmed_payments", run=close_unconfirmed, second=frozenset({0})),
        Cron(name="expire_vouchers", run=expire_unspent_vouchers, second=frozenset({15})),
        # 02:30 in the city (UTC+8): the day before has ended, its notices are in.
        Cron(
            name="reconcile",
            run=reconcile_the_day_before,
            hour=frozenset({18}),
            minute=frozenset({30}),
            timeout=600,
        ),
        # 01:00 in the city: T+1, what the day before collected goes to the banks.
        Cron(
            name="settle_merchants",
            run=settle_the_day_before,
            hour=frozenset({17}),
            minute=frozenset({0}),
            timeout=600,
        ),
    ],
)
