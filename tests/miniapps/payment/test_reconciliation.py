"""The daily reconciliation: clean books find nothing; a balance off its entries, an order
the channel settled that is not paid here, one it never heard of and one paid here that is
not in its statement are each found once, listed, and pushed to platform admins once."""

from __future__ import annotations

import datetime as dt
import time

import msgspec
from litestar import Litestar

from backend.kernel.roles import Role
from backend.kernel.services import services_of
from backend.kernel.signed_requests import body_signature
from backend.kernel.vault import Vault
from miniapps.payment.channel import PaymentChannel, channel_key
from miniapps.payment.days import CITY_TIME
from miniapps.payment.reconciliation import city_day_bounds, reconcile
from miniapps.payment.tables import Account, ChannelRecord, Discrepancy
from push.tables import InboxItem
from tests.conftest import Client, TokenFor, bearer
from tests.miniapps.payment.helpers import APP
from tests.support import notices_recorded


def _today() -> dt.date:
    return dt.datetime.now(CITY_TIME).date()


def _channel(app: Litestar) -> PaymentChannel:
    return services_of(app).runtime(PaymentChannel)


async def _top_up(client: Client, vault: Vault, token: str, fen: int, txn: str) -> str:
    """An order of `fen`, paid through the channel's signed notice: its number."""
    order = await client.post(
        f"{APP}/top-ups",
        json={"amount_fen": fen},
        headers={**bearer(token), "Idempotency-Key": txn},
    )
    number = str(order.json()["out_trade_no"])
    body = msgspec.json.encode(
        {"out_trade_no": number, "amount_fen": fen, "result": "paid", "channel_txn": txn}
    )
    stamp = str(int(time.time()))
    told = await client.post(
        f"{APP}/channel/notify",
        content=body,
        headers={
            "Content-Type": "application/json",
            "X-Channel-Timestamp": stamp,
            "X-Channel-Signature": body_signature(channel_key(vault), stamp, body),
        },
    )
    assert told.status_code == 200, told.text
    return number


async def test_clean_books_find_nothing(
    app: Litestar, client: Client, token_for: TokenFor, vault: Vault
) -> None:
    await _top_up(client, vault, await token_for(Role.RESIDENT), 5_000, "BANK1")
    assert await reconcile(_today(), _channel(app)) == []
    assert await Discrepancy.count() == 0


async def test_what_does_not_add_up_is_found_once_and_told_once(
    app: Litestar, client: Client, token_for: TokenFor, vault: Vault
) -> None:
    resident = await token_for(Role.RESIDENT)
    settled = await _top_up(client, vault, resident, 5_000, "BANK1")
    unsettled = await _top_up(client, vault, resident, 3_000, "BANK2")
    # The channel's record of the second is lost: paid here, not in its statement.
    await ChannelRecord.delete().where(ChannelRecord.out_trade_no == unsettled)
    # It settled an order still open here, and one nobody ordered.
    waiting = await client.post(
        f"{APP}/top-ups",
        json={"amount_fen": 700},
        headers={**bearer(resident), "Idempotency-Key": "w"},
    )
    for number, txn in ((waiting.json()["out_trade_no"], "BANK3"), ("NOSUCHORDER", "BANK4")):
        await ChannelRecord.insert(
            ChannelRecord(channel_txn=txn, out_trade_no=number, amount=700, result="paid")
        )
    # And a wallet's balance was written past its entries.
    await Account.update({Account.balance: Account.balance + 1}).where(
        Account.holder.like("wallet:%")
    )
    found = await reconcile(_today(), _channel(app))
    kinds = sorted((f.kind, f.subject) for f in found)
    wallet = (await Account.select(Account.holder).where(Account.holder.like("wallet:%")))[0]
    assert kinds == sorted(
        [
            ("account_balance", wallet["holder"]),
            ("top_up_not_settled", unsettled),
            ("top_up_not_credited", waiting.json()["out_trade_no"]),
            ("top_up_unknown", "NOSUCHORDER"),
        ]
    )
    assert settled not in {f.subject for f in found}
    assert len(await reconcile(_today(), _channel(app))) == 4
    assert await Discrepancy.count() == 4
    await notices_recorded()
    told = await InboxItem.select(InboxItem.title).where(InboxItem.title == "对账发现差错")
    assert len(told) == 1
    admin = await token_for(Role.PLATFORM_ADMIN)
    listed = await client.get(f"{APP}/reconciliation/discrepancies", headers=bearer(admin))
    assert len(listed.json()["items"]) == 4
    refused = await client.get(f"{APP}/reconciliation/discrepancies", headers=bearer(resident))
    assert refused.status_code == 403


def test_the_day_is_the_citys() -> None:
    start, end = city_day_bounds(dt.date(2026, 12, 3))
    assert start == dt.datetime(2026, 12, 2, 16, tzinfo=dt.UTC)
    assert end == dt.datetime(2026, 12, 3, 16, tzinfo=dt.UTC)
