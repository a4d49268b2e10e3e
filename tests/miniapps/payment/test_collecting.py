"""A merchant collects by scanning a resident's payer code: once per code, within its
window, within the limits of payment without a PIN, and never past the wallet."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from backend.kernel.roles import Role
from backend.kernel.vault import Vault
from miniapps.payment.collecting import collect_by_payer_code
from miniapps.payment.days import day_start
from miniapps.payment.ledger import (
    Leg,
    TransferKind,
    ledger_total,
    mismatched_accounts,
    open_account,
    post_transfer,
)
from miniapps.payment.payer_codes import luhn_digit
from miniapps.payment.tables import Account, CodeUse, Entry, Payment, Transfer
from tests.conftest import Client, TokenFor, bearer
from tests.miniapps.payment.helpers import (
    APP,
    Phone,
    early_in_a_step,
    enrolled_phone,
    fund,
    user_id_of,
)


async def _resident_with(client: Client, token_for: TokenFor, fen: int) -> Phone:
    await early_in_a_step()
    token = await token_for(Role.RESIDENT)
    if fen:
        await fund(await user_id_of(client, token), fen)
    return await enrolled_phone(client, token)


async def _collect(client: Client, merchant: str, code: str, fen: int) -> object:
    return await client.post(
        f"{APP}/collect/payer-code",
        json={"code": code, "amount_fen": fen},
        headers=bearer(merchant),
    )


async def _wallet(client: Client, token_for: TokenFor) -> int:
    answer = await client.get(f"{APP}/wallet", headers=bearer(await token_for(Role.RESIDENT)))
    return int(answer.json()["balance_fen"])


async def _ledger_rows() -> tuple[int, int, int]:
    return await Transfer.count(), await Entry.count(), await Payment.count()


async def test_a_merchant_collects_once_by_a_code(client: Client, token_for: TokenFor) -> None:
    phone = await _resident_with(client, token_for, 10_000)
    merchant = await token_for(Role.MERCHANT)
    code = phone.code()
    paid = await _collect(client, merchant, code, 2_500)
    assert paid.status_code == 201, paid.text  # type: ignore[attr-defined]
    assert paid.json()["status"] == "paid"  # type: ignore[attr-defined]
    assert await _wallet(client, token_for) == 7_500
    again = await _collect(client, merchant, code, 2_500)
    assert again.json()["code"] == "payer_code_used"  # type: ignore[attr-defined]
    other = await _collect(client, await token_for(Role.MERCHANT), code, 100)
    assert other.json()["code"] == "payer_code_used"  # type: ignore[attr-defined]
    assert await _wallet(client, token_for) == 7_500
    assert await ledger_total() == 0
    assert await mismatched_accounts() == []


async def test_a_code_of_a_step_next_to_ours_passes_and_one_further_does_not(
    client: Client, token_for: TokenFor
) -> None:
    phone = await _resident_with(client, token_for, 10_000)
    merchant = await token_for(Role.MERCHANT)
    for off in (-1, 1):
        answer = await _collect(client, merchant, phone.code(steps_off=off), 100)
        assert answer.status_code == 201, answer.text  # type: ignore[attr-defined]
    for off in (-3, 3):
        answer = await _collect(client, merchant, phone.code(steps_off=off), 100)
        assert answer.json()["code"] == "payer_code_invalid"  # type: ignore[attr-defined]
    assert await _wallet(client, token_for) == 9_800


async def test_a_code_is_spent_also_when_its_payment_fails(
    client: Client, token_for: TokenFor
) -> None:
    phone = await _resident_with(client, token_for, 100)
    merchant = await token_for(Role.MERCHANT)
    code = phone.code()
    short = await _collect(client, merchant, code, 500)
    assert short.json()["code"] == "insufficient_funds"  # type: ignore[attr-defined]
    retry = await _collect(client, merchant, code, 50)
    assert retry.json()["code"] == "payer_code_used"  # type: ignore[attr-defined]
    assert await _wallet(client, token_for) == 100


async def test_an_old_phones_codes_stop_when_another_is_enrolled(
    client: Client, token_for: TokenFor
) -> None:
    old = await _resident_with(client, token_for, 1_000)
    await _resident_with(client, token_for, 0)
    answer = await _collect(client, await token_for(Role.MERCHANT), old.code(), 100)
    assert answer.json()["code"] == "payer_code_invalid"  # type: ignore[attr-defined]


async def test_a_phone_turned_off_shows_no_more_good_codes_and_never_turns_off_the_next(
    client: Client, token_for: TokenFor
) -> None:
    old = await _resident_with(client, token_for, 1_000)
    resident = bearer(await token_for(Role.RESIDENT))
    merchant = await token_for(Role.MERCHANT)
    turned_off = await client.delete(f"{APP}/payer-code/device/{old.number}", headers=resident)
    assert turned_off.status_code == 204, turned_off.text
    answer = await _collect(client, merchant, old.code(), 100)
    assert answer.json()["code"] == "payer_code_invalid"  # type: ignore[attr-defined]
    again = await client.delete(f"{APP}/payer-code/device/{old.number}", headers=resident)
    assert (again.status_code, again.json()["code"]) == (404, "payer_device_not_found")

    new = await _resident_with(client, token_for, 0)
    stale = await client.delete(f"{APP}/payer-code/device/{old.number}", headers=resident)
    assert stale.status_code == 404
    someone_else = bearer(await token_for(Role.GRID_WORKER))
    theirs = await client.delete(f"{APP}/payer-code/device/{new.number}", headers=someone_else)
    assert (theirs.status_code, theirs.json()["code"]) == (404, "payer_device_not_found")
    paid = await _collect(client, merchant, new.code(), 100)
    assert paid.status_code == 201, paid.text  # type: ignore[attr-defined]
    for bad in ("1234567", "123456789", "abcdefgh", "１２３４５６７８"):
        refused = await client.delete(f"{APP}/payer-code/device/{bad}", headers=resident)
        assert refused.status_code == 400, (bad, refused.text)


async def test_a_payment_past_the_no_pin_limit_of_one_payment_waits_for_the_payer(
    client: Client, token_for: TokenFor
) -> None:
    phone = await _resident_with(client, token_for, 500_000)
    merchant = await token_for(Role.MERCHANT)
    over = await _collect(client, merchant, phone.code(), 100_001)
    assert over.status_code == 201, over.text  # type: ignore[attr-defined]
    assert over.json()["status"] == "awaiting_payer"  # type: ignore[attr-defined]
    assert over.json()["paid_at"] is None  # type: ignore[attr-defined]
    assert await _wallet(client, token_for) == 500_000
    assert await Transfer.count() == 1  # the top-up alone


@pytest.mark.parametrize(
    "payer", [Role.RESIDENT, Role.FAMILY_MEMBER, Role.GRID_WORKER, Role.COMMUNITY_ADMIN]
)
async def test_payments_at_once_past_the_days_no_pin_limit_pass_only_as_far_as_it_goes(
    client: Client, token_for: TokenFor, vault: Vault, payer: Role
) -> None:
    token = await token_for(payer)
    payer_id = await user_id_of(client, token)
    clearing = await open_account("platform:top_up_clearing", overdraw=True)
    wallet = await open_account(f"wallet:{payer_id}")
    await post_transfer(
        kind=TransferKind.TOP_UP, legs=[Leg(clearing, -500_000), Leg(wallet, 500_000)]
    )
    merchant_id = await user_id_of(client, await token_for(Role.MERCHANT))

    async def enrolled() -> Phone:
        return await enrolled_phone(client, token)

    await early_in_a_step()
    spent = await enrolled()
    await collect_by_payer_code(
        merchant_id=merchant_id, code=spent.code(), amount=100_000, vault=vault
    )
    # A new phone: fresh codes; the day's spending is the payer's, whatever the phone. Three
    # payments at once (as from three API processes), each within a payment's limit, of
    # which the day's limit leaves room for one. Called side by side below the HTTP layer,
    # so that their transactions overlap.
    phone = await enrolled()
    racing = await asyncio.gather(
        *(
            collect_by_payer_code(
                merchant_id=merchant_id, code=phone.code(steps_off=off), amount=60_000, vault=vault
            )
            for off in (-1, 0, 1)
        ),
        return_exceptions=True,
    )
    assert sorted(getattr(r, "status", r) for r in racing) == [
        "awaiting_payer",
        "awaiting_payer",
        "paid",
    ]
    balance = await Account.select(Account.balance).where(Account.id == wallet).first()
    assert balance == {"balance": 500_000 - 160_000}


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"code": "28" + "0" * 16, "amount_fen": 100}, id="another-prefix"),
        pytest.param({"check digit": "off"}, id="bad-check-digit"),
        pytest.param({"code": "", "amount_fen": 100}, id="empty"),
    ],
)
async def test_what_is_no_payer_code_is_a_422_and_changes_nothing(
    client: Client, token_for: TokenFor, body: dict[str, object]
) -> None:
    phone = await _resident_with(client, token_for, 1_000)
    if "check digit" in body:  # a code of the enrolled phone, its last digit changed
        code = phone.code()
        body = {"code": code[:-1] + str((int(code[-1]) + 1) % 10), "amount_fen": 100}
    before = await _ledger_rows()
    answer = await client.post(
        f"{APP}/collect/payer-code", json=body, headers=bearer(await token_for(Role.MERCHANT))
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == "payer_code_invalid"
    assert await _ledger_rows() == before
    assert await CodeUse.count() == 0


@pytest.mark.parametrize("amount", [0, -1, 1.5, 100.0, "100", 500_001, None])
async def test_an_amount_that_is_no_whole_positive_fen_is_a_400_and_spends_no_code(
    client: Client, token_for: TokenFor, amount: object
) -> None:
    phone = await _resident_with(client, token_for, 1_000)
    answer = await client.post(
        f"{APP}/collect/payer-code",
        json={"code": phone.code(), "amount_fen": amount},
        headers=bearer(await token_for(Role.MERCHANT)),
    )
    assert answer.status_code == 400, answer.text
    assert await CodeUse.count() == 0


async def test_only_a_merchant_collects(client: Client, token_for: TokenFor) -> None:
    phone = await _resident_with(client, token_for, 1_000)
    answer = await _collect(client, await token_for(Role.RESIDENT), phone.code(), 100)
    assert answer.status_code == 403  # type: ignore[attr-defined]


async def test_a_payer_number_guessed_at_takes_no_code_for_a_while(
    client: Client, token_for: TokenFor
) -> None:
    phone = await _resident_with(client, token_for, 10_000)
    merchant = await token_for(Role.MERCHANT)
    right = phone.code()
    body = right[:-8]
    guesses = [g for g in (str(n).zfill(7) for n in range(10)) if g != right[-8:-1]][:5]
    for guess in guesses:
        wrong = body + guess
        wrong += luhn_digit(wrong)
        answer = await _collect(client, merchant, wrong, 100)
        assert answer.json()["code"] == "payer_code_invalid"  # type: ignore[attr-defined]
    locked = await _collect(client, merchant, right, 100)
    assert locked.json()["code"] == "payer_code_invalid"  # type: ignore[attr-defined]
    assert await _wallet(client, token_for) == 10_000
    renewed = await _resident_with(client, token_for, 0)
    answer = await _collect(client, merchant, renewed.code(), 100)
    assert answer.status_code == 201  # type: ignore[attr-defined]


async def test_an_unknown_payer_number_is_answered_as_a_wrong_code_is(
    client: Client, token_for: TokenFor
) -> None:
    phone = await _resident_with(client, token_for, 1_000)
    merchant = await token_for(Role.MERCHANT)
    unknown = "19" + ("0" if phone.number != "0" * 8 else "1") * 8 + "0" * 7
    wrong_code = phone.code()[:-8] + "0000000"
    answers = [
        await _collect(client, merchant, code + luhn_digit(code), 100)
        for code in (unknown, wrong_code)
    ]
    assert [a.status_code for a in answers] == [422, 422]  # type: ignore[attr-defined]
    assert answers[0].json()["code"] == answers[1].json()["code"] == "payer_code_invalid"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("moment", "began"),
    [
        ("2026-12-03T15:59:59+00:00", "2026-12-02T16:00:00+00:00"),
        ("2026-12-03T16:00:00+00:00", "2026-12-03T16:00:00+00:00"),
        ("2026-12-03T23:30:00+08:00", "2026-12-02T16:00:00+00:00"),
    ],
)
def test_the_day_of_the_no_pin_limit_is_the_citys(moment: str, began: str) -> None:
    assert day_start(dt.datetime.fromisoformat(moment)) == dt.datetime.fromisoformat(began)
