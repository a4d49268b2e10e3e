"""Paying a merchant by their collection code (主扫): a static code that names no account,
the amount the payer types, and the payer's PIN."""

from __future__ import annotations

import hashlib
import io
import json

import pytest
import zxingcpp
from PIL import Image

from backend.kernel.idempotency.tables import IdempotentRequest
from backend.kernel.roles import Role
from miniapps.payment.ledger import ledger_total, mismatched_accounts
from miniapps.payment.tables import CollectionCode, PaymentPin
from tests.conftest import Client, TokenFor, bearer
from tests.miniapps.payment.helpers import (
    APP,
    funded_resident,
    money_rows,
    set_pin,
    wallet_balance,
)


async def _code(client: Client, merchant: str) -> str:
    answer = await client.get(f"{APP}/collection-code", headers=bearer(merchant))
    assert answer.status_code == 200, answer.text
    return str(answer.json()["code"])


async def _pay(client: Client, payer: str, code: str, fen: int, pin: str = "260417") -> object:
    return await client.post(
        f"{APP}/pay/collection-code",
        json={"code": code, "amount_fen": fen, "pin": pin},
        headers=bearer(payer),
    )


async def test_a_payer_pays_a_merchant_by_their_code_with_a_pin(
    client: Client, token_for: TokenFor
) -> None:
    payer = await funded_resident(client, token_for, 10_000)
    await set_pin(client, payer)
    merchant = await token_for(Role.MERCHANT)
    paid = await _pay(client, payer, await _code(client, merchant), 3_000)
    assert paid.status_code == 201, paid.text  # type: ignore[attr-defined]
    view = paid.json()  # type: ignore[attr-defined]
    assert (view["status"], view["method"], view["amount_fen"]) == (
        "paid",
        "collection_code",
        3_000,
    )
    assert await wallet_balance(client, payer) == 7_000
    seen = await client.get(f"{APP}/payments/{view['id']}", headers=bearer(merchant))
    assert seen.json()["status"] == "paid"
    assert await ledger_total() == 0
    assert await mismatched_accounts() == []


async def test_the_code_stays_the_same_and_prints_as_a_qr(
    client: Client, token_for: TokenFor
) -> None:
    merchant = await token_for(Role.MERCHANT)
    code = await _code(client, merchant)
    assert await _code(client, merchant) == code
    png = await client.get(f"{APP}/collection-code.png", headers=bearer(merchant))
    assert png.headers["content-type"] == "image/png"
    assert zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))[0].text == code
    assert await CollectionCode.count() == 1


async def test_a_wrong_pin_pays_nothing(client: Client, token_for: TokenFor) -> None:
    payer = await funded_resident(client, token_for, 10_000)
    await set_pin(client, payer)
    code = await _code(client, await token_for(Role.MERCHANT))
    before = await money_rows()
    wrong = await _pay(client, payer, code, 3_000, pin="111222")
    assert wrong.status_code == 403  # type: ignore[attr-defined]
    assert wrong.json()["code"] == "pin_incorrect"  # type: ignore[attr-defined]
    assert await money_rows() == before
    assert await wallet_balance(client, payer) == 10_000


async def test_no_pin_set_pays_nothing(client: Client, token_for: TokenFor) -> None:
    payer = await funded_resident(client, token_for, 10_000)
    code = await _code(client, await token_for(Role.MERCHANT))
    answer = await _pay(client, payer, code, 3_000)
    assert answer.json()["code"] == "pin_not_set"  # type: ignore[attr-defined]


def _forged(code: str) -> str:
    scheme, number, tag = code.split(".")
    return f"{scheme}.{number}.{tag[:-1]}{'0' if tag[-1] != '0' else '1'}"


def _another_number(code: str) -> str:
    scheme, number, tag = code.split(".")
    return f"{scheme}.{(int(number) + 1) % 10**12:012d}.{tag}"


@pytest.mark.parametrize(
    "change",
    [_forged, _another_number, lambda code: code.replace("YMPAY1", "YMPAY2"), lambda _: "x"],
    ids=["forged-tag", "another-number", "another-scheme", "no-code"],
)
async def test_a_code_not_issued_here_is_a_422_and_changes_nothing(
    client: Client, token_for: TokenFor, change: object
) -> None:
    payer = await funded_resident(client, token_for, 10_000)
    await set_pin(client, payer)
    code = change(await _code(client, await token_for(Role.MERCHANT)))  # type: ignore[operator]
    before = await money_rows()
    answer = await _pay(client, payer, code, 3_000)
    assert answer.status_code == 422  # type: ignore[attr-defined]
    assert answer.json()["code"] == "collection_code_invalid"  # type: ignore[attr-defined]
    assert await money_rows() == before


@pytest.mark.parametrize("amount", [0, -1, 1.5, "100", 500_001, None])
async def test_an_amount_that_is_no_whole_positive_fen_is_a_400(
    client: Client, token_for: TokenFor, amount: object
) -> None:
    payer = await funded_resident(client, token_for, 10_000)
    await set_pin(client, payer)
    code = await _code(client, await token_for(Role.MERCHANT))
    before = await money_rows()
    answer = await _pay(client, payer, code, amount)  # type: ignore[arg-type]
    assert answer.status_code == 400, answer.text  # type: ignore[attr-defined]
    assert await money_rows() == before


async def test_more_than_the_wallet_holds_pays_nothing(client: Client, token_for: TokenFor) -> None:
    payer = await funded_resident(client, token_for, 1_000)
    await set_pin(client, payer)
    code = await _code(client, await token_for(Role.MERCHANT))
    before = await money_rows()
    answer = await _pay(client, payer, code, 1_001)
    assert answer.json()["code"] == "insufficient_funds"  # type: ignore[attr-defined]
    assert await money_rows() == before


async def test_a_retry_with_the_same_key_pays_once_and_answers_the_same_bytes(
    client: Client, token_for: TokenFor
) -> None:
    payer = await funded_resident(client, token_for, 10_000)
    await set_pin(client, payer)
    code = await _code(client, await token_for(Role.MERCHANT))
    body = {"code": code, "amount_fen": 2_000, "pin": "260417"}
    headers = {**bearer(payer), "Idempotency-Key": "pay-1"}
    first = await client.post(f"{APP}/pay/collection-code", json=body, headers=headers)
    again = await client.post(f"{APP}/pay/collection-code", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert await wallet_balance(client, payer) == 8_000
    other = await client.post(
        f"{APP}/pay/collection-code", json={**body, "amount_fen": 2_001}, headers=headers
    )
    assert other.status_code == 422
    assert await wallet_balance(client, payer) == 8_000


async def test_a_repeat_with_another_pin_answers_as_the_first_and_tries_nothing(
    client: Client, token_for: TokenFor
) -> None:
    """The key's record keeps nothing of the PIN: a repeat with a wrong one is neither an
    oracle (`idempotency_key_reused` for wrong, the answer for right) nor a counted try."""
    payer = await funded_resident(client, token_for, 10_000)
    await set_pin(client, payer)
    code = await _code(client, await token_for(Role.MERCHANT))
    headers = {**bearer(payer), "Idempotency-Key": "pay-2"}
    body = {"code": code, "amount_fen": 2_000, "pin": "260417"}
    first = await client.post(f"{APP}/pay/collection-code", json=body, headers=headers)
    again = await client.post(
        f"{APP}/pay/collection-code", json={**body, "pin": "111222"}, headers=headers
    )
    assert again.status_code == 201
    assert again.content == first.content
    assert await PaymentPin.select(PaymentPin.wrong_tries).first() == {"wrong_tries": 0}
    kept = await IdempotentRequest.select(IdempotentRequest.request_hash).first()
    assert kept is not None
    without_pin = json.dumps({"amount_fen": 2_000, "code": code}, sort_keys=True)
    assert kept["request_hash"] == hashlib.sha256(without_pin.encode()).hexdigest()
    assert await wallet_balance(client, payer) == 8_000


async def test_a_lone_surrogate_with_a_key_is_a_400(client: Client, token_for: TokenFor) -> None:
    payer = await funded_resident(client, token_for, 10_000)
    answer = await client.post(
        f"{APP}/pay/collection-code",
        content=b'{"code": "\\ud800", "amount_fen": 1, "pin": "260417"}',
        headers={**bearer(payer), "Idempotency-Key": "pay-3", "Content-Type": "application/json"},
    )
    assert answer.status_code == 400, answer.text
