"""A merchant's account: its balance, its statement, and a month of it as CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from backend.kernel.roles import Role
from miniapps.payment.ledger import Leg, TransferKind, open_account, post_transfer
from miniapps.payment.payments import Method, pay
from miniapps.payment.refunds import refund
from miniapps.payment.statements import month_bounds
from miniapps.payment.wallets import merchant_holder
from tests.conftest import Client, TokenFor, bearer
from tests.miniapps.payment.helpers import APP, fund, user_id_of


async def _trade(client: Client, token_for: TokenFor) -> str:
    """Two payments to the merchant and a refund of part of one; the merchant's token."""
    payer_id = await user_id_of(client, await token_for(Role.RESIDENT))
    merchant = await token_for(Role.MERCHANT)
    merchant_id = await user_id_of(client, merchant)
    await fund(payer_id, 10_000)
    made = [
        await pay(
            payer_id=payer_id,
            merchant_id=merchant_id,
            amount=fen,
            method=Method.COLLECTION_CODE,
            without_pin=False,
        )
        for fen in (1_200, 3_000)
    ]
    await refund(merchant_id=merchant_id, payment_id=made[0].id, amount=200)
    return merchant


def _this_month() -> str:
    return dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m")


async def test_the_account_and_its_statement_show_what_came_and_went(
    client: Client, token_for: TokenFor
) -> None:
    merchant = await _trade(client, token_for)
    account = await client.get(f"{APP}/merchant/account", headers=bearer(merchant))
    assert account.json()["balance_fen"] == 4_000
    page = await client.get(f"{APP}/merchant/entries", headers=bearer(merchant))
    lines = [(i["kind"], i["amount_fen"], i["balance_after_fen"]) for i in page.json()["items"]]
    assert lines == [("refund", -200, 4_000), ("payment", 3_000, 4_200), ("payment", 1_200, 1_200)]


async def test_a_month_as_csv_lists_its_entries_oldest_first(
    client: Client, token_for: TokenFor
) -> None:
    merchant = await _trade(client, token_for)
    answer = await client.get(
        f"{APP}/merchant/statement.csv", params={"month": _this_month()}, headers=bearer(merchant)
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    assert answer.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "posted_at",
        "transfer_id",
        "kind",
        "amount_fen",
        "balance_after_fen",
        "memo",
    ]
    assert [(r[2], r[3], r[4]) for r in rows[1:]] == [
        ("payment", "1200", "1200"),
        ("payment", "3000", "4200"),
        ("refund", "-200", "4000"),
    ]
    assert all(r[0].endswith("+08:00") for r in rows[1:])
    earlier = await client.get(
        f"{APP}/merchant/statement.csv", params={"month": "2020-01"}, headers=bearer(merchant)
    )
    assert earlier.content.decode("utf-8-sig").splitlines() == [",".join(rows[0])]


async def test_a_memo_a_spreadsheet_would_run_is_written_inert(
    client: Client, token_for: TokenFor
) -> None:
    merchant = await token_for(Role.MERCHANT)
    account = await open_account(merchant_holder(await user_id_of(client, merchant)))
    fees = await open_account("platform:fees", overdraw=True)
    await post_transfer(
        kind=TransferKind.CORRECTION,
        legs=[Leg(fees, -1), Leg(account, 1)],
        refers_to=(
            await post_transfer(kind=TransferKind.TOP_UP, legs=[Leg(fees, -1), Leg(account, 1)])
        ).transfer_id,
        memo='=HYPERLINK("http://evil.example","fix")',
    )
    answer = await client.get(
        f"{APP}/merchant/statement.csv", params={"month": _this_month()}, headers=bearer(merchant)
    )
    memos = [r[5] for r in csv.reader(io.StringIO(answer.content.decode("utf-8-sig")))][1:]
    assert memos == ["", '\'=HYPERLINK("http://evil.example","fix")']


@pytest.mark.parametrize(
    "month", ["2026-13", "2026-1", "26-01", "", "2026-01-01", "2026-12\n", "0000-01", "9999-12"]
)
async def test_a_month_not_written_yyyy_mm_is_a_400(
    client: Client, token_for: TokenFor, month: str
) -> None:
    answer = await client.get(
        f"{APP}/merchant/statement.csv",
        params={"month": month},
        headers=bearer(await token_for(Role.MERCHANT)),
    )
    assert answer.status_code == 400


async def test_only_merchants_have_an_account(client: Client, token_for: TokenFor) -> None:
    resident = bearer(await token_for(Role.RESIDENT))
    assert (await client.get(f"{APP}/merchant/account", headers=resident)).status_code == 403


@pytest.mark.parametrize(
    ("month", "start", "end"),
    [
        ("2026-12", "2026-11-30T16:00:00+00:00", "2026-12-31T16:00:00+00:00"),
        ("2027-01", "2026-12-31T16:00:00+00:00", "2027-01-31T16:00:00+00:00"),
    ],
)
def test_a_month_is_the_citys(month: str, start: str, end: str) -> None:
    assert month_bounds(month) == (dt.datetime.fromisoformat(start), dt.datetime.fromisoformat(end))
