"""Top-ups through the bank channel: an order is paid into the wallet once, when the
channel's signed notice says so; forged, stale, replayed or mismatched notices change
nothing, and unpaid orders are closed."""

from __future__ import annotations

import asyncio
import datetime as dt
import time

import msgspec
import pytest

from backend.kernel.roles import Role
from backend.kernel.signed_requests import body_signature
from backend.kernel.vault import Vault
from miniapps.payment.channel import channel_key
from miniapps.payment.ledger import ledger_total, mismatched_accounts
from miniapps.payment.tables import Entry, TopUp, Transfer
from miniapps.payment.top_ups import close_stale_top_ups, yuan
from push.tables import InboxItem
from tests.conftest import Client, TokenFor, bearer
from tests.support import notices_recorded

APP = "/v1/miniapps/payment"


async def _open(client: Client, token: str, fen: int, key: str = "k1") -> dict[str, object]:
    answer = await client.post(
        f"{APP}/top-ups",
        json={"amount_fen": fen},
        headers={**bearer(token), "Idempotency-Key": key},
    )
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def _notice(order: dict[str, object], **changes: object) -> dict[str, object]:
    return {
        "out_trade_no": order["out_trade_no"],
        "amount_fen": order["amount_fen"],
        "result": "paid",
        "channel_txn": "BANK0001",
        **changes,
    }


async def _notify(
    client: Client, vault: Vault, notice: dict[str, object] | bytes, *, at: float | None = None
) -> object:
    body = notice if isinstance(notice, bytes) else msgspec.json.encode(notice)
    stamp = str(int(time.time() if at is None else at))
    return await client.post(
        f"{APP}/channel/notify",
        content=body,
        headers={
            "Content-Type": "application/json",
            "X-Channel-Timestamp": stamp,
            "X-Channel-Signature": body_signature(channel_key(vault), stamp, body),
        },
    )


async def _wallet(client: Client, token: str) -> int:
    answer = await client.get(f"{APP}/wallet", headers=bearer(token))
    return int(answer.json()["balance_fen"])


async def _ledger_rows() -> tuple[int, int]:
    return await Transfer.count(), await Entry.count()


async def test_a_paid_notice_credits_the_wallet_once_however_often_it_comes(
    client: Client, token_for: TokenFor, vault: Vault
) -> None:
    token = await token_for(Role.RESIDENT)
    order = await _open(client, token, 5_000)
    assert order["status"] == "created"
    answers = await asyncio.gather(*(_notify(client, vault, _notice(order)) for _ in range(5)))
    assert {a.status_code for a in answers} == {200}, answers[0].text  # type: ignore[attr-defined]
    assert {a.json()["status"] for a in answers} == {"paid"}  # type: ignore[attr-defined]
    assert await _wallet(client, token) == 5_000
    assert await Transfer.count() == 1
    assert await ledger_total() == 0
    assert await mismatched_accounts() == []
    again = await client.get(f"{APP}/top-ups/{order['id']}", headers=bearer(token))
    assert again.json()["status"] == "paid"
    await notices_recorded()
    receipts = await InboxItem.select(InboxItem.title, InboxItem.body, InboxItem.deep_link)
    assert receipts == [
        {
            "title": "充值成功",
            "body": "已向钱包充值 50.00 元",
            "deep_link": "yimen://miniapps/payment/wallet",
        }
    ]


@pytest.mark.parametrize(
    ("fen", "shown"),
    [(0, "0.00"), (5, "0.05"), (1234, "12.34"), (-250, "-2.50"), (10**12, "10000000000.00")],
)
def test_fen_are_shown_as_yuan_without_rounding(fen: int, shown: str) -> None:
    assert yuan(fen) == shown


async def test_a_retried_open_answers_the_same_order(client: Client, token_for: TokenFor) -> None:
    token = await token_for(Role.RESIDENT)
    first = await _open(client, token, 100, key="same")
    second = await _open(client, token, 100, key="same")
    assert first == second
    assert await TopUp.count() == 1


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param("signature", id="forged"),
        pytest.param("stale", id="older-than-five-minutes"),
        pytest.param("amount", id="another-amount"),
        pytest.param("shape", id="not-a-notice"),
        pytest.param("order", id="unknown-order"),
    ],
)
async def test_a_notice_not_to_be_believed_changes_nothing(
    client: Client, token_for: TokenFor, vault: Vault, tamper: str
) -> None:
    token = await token_for(Role.RESIDENT)
    order = await _open(client, token, 700)
    before = await _ledger_rows()
    if tamper == "signature":
        body = msgspec.json.encode(_notice(order))
        answer = await client.post(
            f"{APP}/channel/notify",
            content=body,
            headers={"X-Channel-Timestamp": str(int(time.time())), "X-Channel-Signature": "0" * 64},
        )
        expected = (401, "channel_signature_invalid")
    elif tamper == "stale":
        answer = await _notify(client, vault, _notice(order), at=time.time() - 301)
        expected = (401, "channel_signature_invalid")
    elif tamper == "amount":
        answer = await _notify(client, vault, _notice(order, amount_fen=7_000))
        expected = (422, "channel_amount_mismatch")
    elif tamper == "shape":
        answer = await _notify(client, vault, b'{"out_trade_no": 1}')
        expected = (400, "channel_notice_invalid")
    else:
        answer = await _notify(client, vault, _notice(order, out_trade_no="TU-NOT-OURS"))
        expected = (404, "top_up_not_found")
    assert (answer.status_code, answer.json()["code"]) == expected  # type: ignore[attr-defined]
    assert await _ledger_rows() == before
    assert await _wallet(client, token) == 0
    row = await TopUp.select(TopUp.status).first()
    assert row is not None
    assert row["status"] == "created"


async def test_an_order_that_ended_otherwise_is_never_paid(
    client: Client, token_for: TokenFor, vault: Vault
) -> None:
    token = await token_for(Role.RESIDENT)
    failed = await _open(client, token, 300, key="a")
    told = await _notify(client, vault, _notice(failed, result="failed"))
    assert told.json()["status"] == "failed"  # type: ignore[attr-defined]
    paid_after = await _notify(client, vault, _notice(failed, channel_txn="BANK0002"))
    assert paid_after.status_code == 409  # type: ignore[attr-defined]
    assert paid_after.json()["code"] == "top_up_finished"  # type: ignore[attr-defined]

    stale = await _open(client, token, 400, key="b")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=16)
    assert await close_stale_top_ups(later) == 1
    too_late = await _notify(client, vault, _notice(stale))
    assert too_late.status_code == 409  # type: ignore[attr-defined]
    assert await _wallet(client, token) == 0
    assert await Transfer.count() == 0


async def test_an_order_is_its_owners_alone(client: Client, token_for: TokenFor) -> None:
    order = await _open(client, await token_for(Role.RESIDENT), 100)
    other = await token_for(Role.FAMILY_MEMBER)
    answer = await client.get(f"{APP}/top-ups/{order['id']}", headers=bearer(other))
    assert answer.status_code == 404


@pytest.mark.parametrize("amount", [0, -100, 1.5, 100.0, "100", 500_001, 2**63, None])
async def test_an_amount_that_is_no_whole_positive_fen_within_the_ceiling_is_a_400(
    client: Client, token_for: TokenFor, amount: object
) -> None:
    token = await token_for(Role.RESIDENT)
    answer = await client.post(f"{APP}/top-ups", json={"amount_fen": amount}, headers=bearer(token))
    assert answer.status_code == 400, answer.text
    assert await TopUp.count() == 0
