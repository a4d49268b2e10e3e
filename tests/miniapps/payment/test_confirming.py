"""A payer code scanned past the limits of payment without a PIN waits for the payer: a push
asks them to confirm with their PIN; confirmed in time it pays once, otherwise it closes."""

from __future__ import annotations

import asyncio
import datetime as dt

from backend.kernel.roles import Role
from miniapps.payment.ledger import ledger_total, mismatched_accounts
from miniapps.payment.payments import close_unconfirmed_payments
from miniapps.payment.tables import Payment
from push.tables import InboxItem
from tests.conftest import Client, TokenFor, bearer
from tests.miniapps.payment.helpers import (
    APP,
    collect,
    early_in_a_step,
    enrolled_phone,
    fund,
    money_rows,
    set_pin,
    user_id_of,
    wallet_balance,
)
from tests.support import notices_recorded

PAST_ONE_PAYMENT = 100_001  # fen: a yuan-cent past what one payment without a PIN may take


async def _awaiting(
    client: Client, token_for: TokenFor, fen: int = PAST_ONE_PAYMENT
) -> tuple[str, str, int]:
    """A funded payer with a PIN, a merchant, and a payment of theirs awaiting the payer."""
    await early_in_a_step()
    payer = await token_for(Role.RESIDENT)
    await fund(await user_id_of(client, payer), 300_000)
    await set_pin(client, payer)
    merchant = await token_for(Role.MERCHANT)
    phone = await enrolled_phone(client, payer)
    answer = await collect(client, merchant, phone.code(), fen)
    assert answer.json()["status"] == "awaiting_payer", answer.text  # type: ignore[attr-defined]
    return payer, merchant, int(answer.json()["id"])  # type: ignore[attr-defined]


async def _confirm(client: Client, payer: str, payment_id: int, pin: str = "260417") -> object:
    return await client.post(
        f"{APP}/payments/{payment_id}/confirm", json={"pin": pin}, headers=bearer(payer)
    )


async def test_the_payer_is_asked_and_their_pin_pays(client: Client, token_for: TokenFor) -> None:
    payer, merchant, payment_id = await _awaiting(client, token_for)
    await notices_recorded()
    asked = await InboxItem.select(InboxItem.title).where(
        InboxItem.deep_link == f"yimen://miniapps/payment/payments/{payment_id}"
    )
    assert asked == [{"title": "请确认付款"}]
    waiting = await client.get(f"{APP}/payments/{payment_id}", headers=bearer(merchant))
    assert waiting.json()["status"] == "awaiting_payer"
    assert waiting.json()["expires_at"] is not None
    assert await wallet_balance(client, payer) == 300_000
    paid = await _confirm(client, payer, payment_id)
    assert paid.status_code == 200, paid.text  # type: ignore[attr-defined]
    assert paid.json()["status"] == "paid"  # type: ignore[attr-defined]
    assert await wallet_balance(client, payer) == 300_000 - PAST_ONE_PAYMENT
    seen = await client.get(f"{APP}/payments/{payment_id}", headers=bearer(merchant))
    assert (seen.json()["status"], seen.json()["expires_at"]) == ("paid", None)
    again = await _confirm(client, payer, payment_id)
    assert again.json()["code"] == "payment_not_awaiting"  # type: ignore[attr-defined]
    assert await wallet_balance(client, payer) == 300_000 - PAST_ONE_PAYMENT
    assert await ledger_total() == 0
    assert await mismatched_accounts() == []


async def test_confirmations_at_once_pay_once(client: Client, token_for: TokenFor) -> None:
    payer, _, payment_id = await _awaiting(client, token_for)
    answers = await asyncio.gather(*(_confirm(client, payer, payment_id) for _ in range(4)))
    statuses = sorted(a.status_code for a in answers)  # type: ignore[attr-defined]
    assert statuses == [200, 409, 409, 409]
    assert await wallet_balance(client, payer) == 300_000 - PAST_ONE_PAYMENT


async def test_a_wrong_pin_moves_nothing(client: Client, token_for: TokenFor) -> None:
    payer, _, payment_id = await _awaiting(client, token_for)
    before = await money_rows()
    wrong = await _confirm(client, payer, payment_id, pin="111222")
    assert wrong.json()["code"] == "pin_incorrect"  # type: ignore[attr-defined]
    assert await money_rows() == before
    assert await wallet_balance(client, payer) == 300_000


async def test_an_unconfirmed_payment_closes_when_its_time_is_up(
    client: Client, token_for: TokenFor
) -> None:
    payer, merchant, payment_id = await _awaiting(client, token_for)
    await Payment.update(
        {Payment.expires_at: dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)}, force=True
    )
    seen = await client.get(f"{APP}/payments/{payment_id}", headers=bearer(merchant))
    assert seen.json()["status"] == "closed"
    late = await _confirm(client, payer, payment_id)
    assert late.json()["code"] == "payment_not_awaiting"  # type: ignore[attr-defined]
    assert await close_unconfirmed_payments() == 1
    assert await Payment.select(Payment.status).first() == {"status": "closed"}
    assert await close_unconfirmed_payments() == 0
    assert await wallet_balance(client, payer) == 300_000


async def test_only_the_payer_confirms_and_only_the_two_sides_see_it(
    client: Client, token_for: TokenFor
) -> None:
    payer, merchant, payment_id = await _awaiting(client, token_for)
    stranger = await token_for(Role.GRID_WORKER)
    await set_pin(client, stranger)
    by_merchant = await _confirm(client, merchant, payment_id)
    by_stranger = await _confirm(client, stranger, payment_id)
    assert by_merchant.status_code == by_stranger.status_code == 404  # type: ignore[attr-defined]
    seen = await client.get(f"{APP}/payments/{payment_id}", headers=bearer(stranger))
    assert seen.status_code == 404
    assert await wallet_balance(client, payer) == 300_000


async def test_past_the_days_limit_the_next_payment_waits_too(
    client: Client, token_for: TokenFor
) -> None:
    await early_in_a_step()
    payer = await token_for(Role.RESIDENT)
    await fund(await user_id_of(client, payer), 300_000)
    await set_pin(client, payer)
    merchant = await token_for(Role.MERCHANT)
    phone = await enrolled_phone(client, payer)
    statuses = [
        (await collect(client, merchant, phone.code(steps_off=off), fen)).json()["status"]  # type: ignore[attr-defined]
        for off, fen in ((-1, 100_000), (0, 100_000), (1, 1))
    ]
    assert statuses == ["paid", "paid", "awaiting_payer"]
    assert await wallet_balance(client, payer) == 100_000
