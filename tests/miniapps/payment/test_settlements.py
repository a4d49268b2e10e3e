"""Settlement (T+1): what a merchant's account held as a city day ended leaves the ledger
once, to their bank account through the channel; a payout the bank refuses comes back, and
a run that died before the channel's answer is finished by the next without paying twice."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from litestar import Litestar

from backend.directory.users.tables import AuditEntry
from backend.kernel.clock import utc_now
from backend.kernel.roles import Role
from backend.kernel.services import services_of
from backend.kernel.vault import Vault
from miniapps.payment.channel import PaymentChannel, Payout, PayoutAnswer
from miniapps.payment.days import CITY_TIME
from miniapps.payment.ledger import account_of, ledger_total, mismatched_accounts
from miniapps.payment.payments import Method, pay
from miniapps.payment.refunds import refund
from miniapps.payment.settlements import (
    SETTLEMENT_CLEARING,
    open_settlements,
    pay_out_pending,
    settle_day,
)
from miniapps.payment.tables import (
    Account,
    ChannelPayout,
    Entry,
    Settlement,
    SettlementAccount,
    Transfer,
)
from push.tables import InboxItem
from tests.conftest import Client, TokenFor, bearer
from tests.miniapps.payment.helpers import APP, fresh_login, fund, user_id_of
from tests.support import notices_recorded

GOOD_NUMBER = "6217000010000000003"  # its Luhn digit right: the simulated bank holds it
UNKNOWN_NUMBER = "6217000010000000005"
ACCOUNT = {"bank": "中国银行郑州高新区支行", "account_name": "王记烩面馆"}


@pytest.fixture
def channel(app: Litestar, client: Client) -> PaymentChannel:
    return services_of(app).runtime(PaymentChannel)


def _today() -> dt.date:
    return utc_now().astimezone(CITY_TIME).date()


async def _merchant(app: Litestar, client: Client, token_for: TokenFor, number: str) -> int:
    """A merchant with a settlement account, set through the API after a fresh login."""
    merchant_id = await user_id_of(client, await token_for(Role.MERCHANT))
    fresh = await fresh_login(app, merchant_id)
    answer = await client.put(
        f"{APP}/merchant/settlement-account",
        json={**ACCOUNT, "account_number": number},
        headers=bearer(fresh),
    )
    assert answer.status_code == 200, answer.text
    return merchant_id


async def _collected(client: Client, token_for: TokenFor, merchant_id: int, fen: int) -> int:
    payer_id = await user_id_of(client, await token_for(Role.RESIDENT))
    await fund(payer_id, fen)
    paid = await pay(
        payer_id=payer_id,
        merchant_id=merchant_id,
        amount=fen,
        method=Method.COLLECTION_CODE,
        without_pin=False,
    )
    return paid.id


async def _balance(holder: str) -> int:
    row = await Account.select(Account.balance).where(Account.holder == holder).first()
    return int(row["balance"]) if row else 0


async def test_the_days_balance_is_paid_out_once(
    app: Litestar, client: Client, token_for: TokenFor, channel: PaymentChannel, vault: Vault
) -> None:
    merchant_id = await _merchant(app, client, token_for, GOOD_NUMBER)
    await _collected(client, token_for, merchant_id, 12_345)
    await _collected(client, token_for, merchant_id, 655)
    assert await settle_day(_today(), channel, vault) == 1
    [settled] = await Settlement.select().where(Settlement.merchant_id == merchant_id)
    assert (settled["amount"], settled["status"]) == (13_000, "paid")
    assert settled["day"] == _today().isoformat()
    assert await _balance(f"merchant:{merchant_id}") == 0
    assert await _balance(SETTLEMENT_CLEARING) == 13_000
    assert await ChannelPayout.count() == 1
    transfers = await Transfer.count()
    assert await settle_day(_today(), channel, vault) == 0
    assert await Transfer.count() == transfers
    assert await ChannelPayout.count() == 1
    await notices_recorded()
    [told] = await InboxItem.select(InboxItem.body).where(InboxItem.title == "结算到账")
    assert "130.00" in told["body"]
    assert "0003" in told["body"]
    assert await ledger_total() == 0
    assert await mismatched_accounts() == []


async def test_what_was_collected_after_the_day_ended_waits_for_the_next(
    app: Litestar, client: Client, token_for: TokenFor, channel: PaymentChannel, vault: Vault
) -> None:
    merchant_id = await _merchant(app, client, token_for, GOOD_NUMBER)
    await _collected(client, token_for, merchant_id, 5_000)
    assert await settle_day(_today() - dt.timedelta(days=1), channel, vault) == 0
    assert await _balance(f"merchant:{merchant_id}") == 5_000
    assert await Settlement.count() == 0


async def test_a_refund_since_the_day_ended_leaves_only_what_is_left(
    app: Litestar, client: Client, token_for: TokenFor, channel: PaymentChannel, vault: Vault
) -> None:
    merchant_id = await _merchant(app, client, token_for, GOOD_NUMBER)
    payment_id = await _collected(client, token_for, merchant_id, 5_000)
    await refund(merchant_id=merchant_id, payment_id=payment_id, amount=1_500)
    # Posted now, so after the day's end in the run's eyes: the closing balance is older.
    await Entry.update({Entry.posted_at: utc_now() - dt.timedelta(days=1)}).where(
        Entry.amount == 5_000
    )
    assert await settle_day(_today() - dt.timedelta(days=1), channel, vault) == 1
    [settled] = await Settlement.select(Settlement.amount)
    assert settled["amount"] == 3_500
    assert await _balance(f"merchant:{merchant_id}") == 0


async def test_a_payout_the_bank_refuses_comes_back_and_goes_again_to_a_right_account(
    app: Litestar, client: Client, token_for: TokenFor, channel: PaymentChannel, vault: Vault
) -> None:
    merchant_id = await _merchant(app, client, token_for, UNKNOWN_NUMBER)
    await _collected(client, token_for, merchant_id, 8_000)
    await settle_day(_today(), channel, vault)
    [returned] = await Settlement.select()
    assert returned["status"] == "returned"
    assert await _balance(f"merchant:{merchant_id}") == 8_000
    assert await _balance(SETTLEMENT_CLEARING) == 0
    [correction] = await Transfer.select().where(Transfer.kind == "correction")
    assert correction["refers_to"] == returned["transfer_id"]
    await notices_recorded()
    assert await InboxItem.count().where(InboxItem.title == "结算失败") == 1
    await _merchant_sets(app, client, merchant_id, GOOD_NUMBER)
    assert await settle_day(_today() + dt.timedelta(days=1), channel, vault) == 1
    assert await _balance(f"merchant:{merchant_id}") == 0
    statuses = await Settlement.select(Settlement.status).order_by(Settlement.id)
    assert [s["status"] for s in statuses] == ["returned", "paid"]
    assert await ledger_total() == 0
    assert await mismatched_accounts() == []


async def _merchant_sets(app: Litestar, client: Client, merchant_id: int, number: str) -> None:
    fresh = await fresh_login(app, merchant_id)
    answer = await client.put(
        f"{APP}/merchant/settlement-account",
        json={**ACCOUNT, "account_number": number},
        headers=bearer(fresh),
    )
    assert answer.status_code == 200


async def test_a_run_that_died_before_the_answer_is_finished_without_paying_twice(
    app: Litestar, client: Client, token_for: TokenFor, channel: PaymentChannel, vault: Vault
) -> None:
    merchant_id = await _merchant(app, client, token_for, GOOD_NUMBER)
    await _collected(client, token_for, merchant_id, 2_000)
    await settle_day(_today(), channel, vault)
    # As if the process died after the channel paid and before the answer was written.
    await Settlement.update({Settlement.status: "pending"}, force=True)
    assert await pay_out_pending(channel, vault) == 1
    assert await pay_out_pending(channel, vault) == 0
    assert await ChannelPayout.count() == 1
    assert await Settlement.select(Settlement.status).first() == {"status": "paid"}
    assert await _balance(SETTLEMENT_CLEARING) == 2_000


async def test_a_merchant_without_a_settlement_account_keeps_their_balance(
    client: Client, token_for: TokenFor, channel: PaymentChannel, vault: Vault
) -> None:
    merchant_id = await user_id_of(client, await token_for(Role.MERCHANT))
    await _collected(client, token_for, merchant_id, 2_000)
    assert await settle_day(_today(), channel, vault) == 0
    assert await _balance(f"merchant:{merchant_id}") == 2_000
    assert await account_of(SETTLEMENT_CLEARING) is not None


async def test_the_account_is_set_after_a_fresh_login_and_shown_by_its_tail(
    app: Litestar, client: Client, token_for: TokenFor
) -> None:
    merchant = await token_for(Role.MERCHANT)
    body = {**ACCOUNT, "account_number": GOOD_NUMBER}
    stale = await client.put(
        f"{APP}/merchant/settlement-account", json=body, headers=bearer(merchant)
    )
    assert stale.status_code == 403
    assert stale.json()["code"] == "pin_reverify"
    missing = await client.get(f"{APP}/merchant/settlement-account", headers=bearer(merchant))
    assert missing.json()["code"] == "settlement_account_not_set"
    await _merchant_sets(app, client, await user_id_of(client, merchant), GOOD_NUMBER)
    shown = await client.get(f"{APP}/merchant/settlement-account", headers=bearer(merchant))
    assert shown.json()["number_tail"] == "0003"
    assert shown.json()["account_name"] == "王记烩面馆"
    assert GOOD_NUMBER not in shown.text
    [kept] = await SettlementAccount.select()
    assert GOOD_NUMBER not in str(kept)
    assert "王记烩面馆" not in str(kept)
    listed = await client.get(f"{APP}/merchant/settlements", headers=bearer(merchant))
    assert listed.json() == {"items": []}


class _BankDownFor(PaymentChannel):
    """The bank's channel, unreachable for one payout number and as usual for the rest."""

    def __init__(self, key: bytes, out_no: str) -> None:
        super().__init__(key)
        self.out_no = out_no

    async def pay_out(self, payout: Payout) -> PayoutAnswer:
        if payout.out_no == self.out_no:
            raise ConnectionError("the bank's gateway did not answer")
        return await super().pay_out(payout)


async def test_a_payout_the_channel_cannot_take_holds_up_no_other_and_waits_for_the_next_run(
    app: Litestar, client: Client, token_for: TokenFor, channel: PaymentChannel, vault: Vault
) -> None:
    merchant_id = await _merchant(app, client, token_for, GOOD_NUMBER)
    await _collected(client, token_for, merchant_id, 2_000)
    assert await open_settlements(_today()) == 1
    await _collected(client, token_for, merchant_id, 3_000)
    assert await open_settlements(_today() + dt.timedelta(days=1)) == 1
    first = await Settlement.select(Settlement.id).order_by(Settlement.id).first()
    assert first is not None
    down = _BankDownFor(channel.key, f"S{first['id']:015d}")

    assert await pay_out_pending(down, vault) == 1
    statuses = await Settlement.select(Settlement.amount, Settlement.status).order_by(Settlement.id)
    assert statuses == [
        {"amount": 2_000, "status": "pending"},
        {"amount": 3_000, "status": "paid"},
    ]
    assert await pay_out_pending(channel, vault) == 1
    assert await Settlement.count().where(Settlement.status == "paid") == 2
    assert await ChannelPayout.count() == 2
    assert await ledger_total() == 0


async def test_runs_at_once_answer_a_payout_once(
    app: Litestar, client: Client, token_for: TokenFor, channel: PaymentChannel, vault: Vault
) -> None:
    merchant_id = await _merchant(app, client, token_for, UNKNOWN_NUMBER)
    await _collected(client, token_for, merchant_id, 8_000)
    assert await open_settlements(_today()) == 1
    assert await _balance(f"merchant:{merchant_id}") == 0
    await asyncio.gather(*(pay_out_pending(channel, vault) for _ in range(3)))
    assert await Transfer.count().where(Transfer.kind == "correction") == 1
    assert await _balance(f"merchant:{merchant_id}") == 8_000
    assert await ledger_total() == 0


async def test_money_that_came_in_after_the_day_ended_is_not_settled_for_it(
    app: Litestar, client: Client, token_for: TokenFor, channel: PaymentChannel, vault: Vault
) -> None:
    merchant_id = await _merchant(app, client, token_for, GOOD_NUMBER)
    yesterdays = await _collected(client, token_for, merchant_id, 1_000)
    await Entry.update({Entry.posted_at: utc_now() - dt.timedelta(days=1)}).where(
        Entry.amount == 1_000
    )
    # Since midnight: 5,000 in, and 1,000 of yesterday's given back.
    await _collected(client, token_for, merchant_id, 5_000)
    await refund(merchant_id=merchant_id, payment_id=yesterdays, amount=1_000)
    assert await settle_day(_today() - dt.timedelta(days=1), channel, vault) == 0
    assert await _balance(f"merchant:{merchant_id}") == 5_000


async def test_a_new_settlement_account_is_audited_and_told_to_the_merchant(
    app: Litestar, client: Client, token_for: TokenFor
) -> None:
    merchant_id = await _merchant(app, client, token_for, GOOD_NUMBER)
    [entry] = await AuditEntry.select().where(AuditEntry.action == "payment.settlement_account_set")
    assert (entry["actor_id"], entry["subject_id"]) == (merchant_id, merchant_id)
    assert GOOD_NUMBER not in str(entry["detail"])
    await notices_recorded()
    [told] = await InboxItem.select(InboxItem.body, InboxItem.user_id).where(
        InboxItem.title == "结算账户已变更"
    )
    assert told["user_id"] == merchant_id
    assert "0003" in told["body"]
