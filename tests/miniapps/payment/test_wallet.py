"""The caller's wallet over HTTP: its balance and its statement, theirs alone."""

from __future__ import annotations

from backend.kernel.roles import Role
from miniapps.payment.ledger import Leg, TransferKind, open_account, post_transfer
from miniapps.payment.tables import Account
from tests.conftest import Client, TokenFor, bearer

APP = "/v1/miniapps/payment"


async def _user_id(client: Client, token: str) -> int:
    answer = await client.get("/v1/me", headers=bearer(token))
    return int(answer.json()["user_id"])


async def _top_up(user_id: int, *amounts: int) -> None:
    clearing = await open_account("platform:top_up_clearing", overdraw=True)
    wallet = await open_account(f"wallet:{user_id}")
    for fen in amounts:
        await post_transfer(kind=TransferKind.TOP_UP, legs=[Leg(clearing, -fen), Leg(wallet, fen)])


async def test_a_wallet_nothing_was_paid_into_holds_nothing_and_reading_it_opens_nothing(
    client: Client, token_for: TokenFor
) -> None:
    token = await token_for(Role.RESIDENT)
    answer = await client.get(f"{APP}/wallet", headers=bearer(token))
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"balance_fen": 0, "currency": "CNY"}
    statement = await client.get(f"{APP}/wallet/entries", headers=bearer(token))
    assert statement.json() == {"items": [], "next_cursor": None}
    assert await Account.count() == 0


async def test_the_statement_pages_through_the_entries_newest_first(
    client: Client, token_for: TokenFor
) -> None:
    token = await token_for(Role.RESIDENT)
    await _top_up(await _user_id(client, token), 100, 200, 300)
    wallet = await client.get(f"{APP}/wallet", headers=bearer(token))
    assert wallet.json()["balance_fen"] == 600
    first = (await client.get(f"{APP}/wallet/entries?limit=2", headers=bearer(token))).json()
    assert [(i["amount_fen"], i["balance_after_fen"]) for i in first["items"]] == [
        (300, 600),
        (200, 300),
    ]
    assert {i["kind"] for i in first["items"]} == {"top_up"}
    rest = await client.get(
        f"{APP}/wallet/entries",
        params={"limit": 2, "cursor": first["next_cursor"]},
        headers=bearer(token),
    )
    assert [(i["amount_fen"], i["balance_after_fen"]) for i in rest.json()["items"]] == [(100, 100)]
    assert rest.json()["next_cursor"] is None


async def test_one_resident_never_sees_anothers_wallet(client: Client, token_for: TokenFor) -> None:
    resident = await token_for(Role.RESIDENT)
    await _top_up(await _user_id(client, resident), 500)
    other = await token_for(Role.FAMILY_MEMBER)
    assert (await client.get(f"{APP}/wallet", headers=bearer(other))).json()["balance_fen"] == 0
    entries = await client.get(f"{APP}/wallet/entries", headers=bearer(other))
    assert entries.json()["items"] == []


async def test_a_cursor_that_is_no_next_cursor_is_a_400(
    client: Client, token_for: TokenFor
) -> None:
    token = await token_for(Role.RESIDENT)
    await _top_up(await _user_id(client, token), 100)
    answer = await client.get(
        f"{APP}/wallet/entries", params={"cursor": "bm90LWEtY3Vyc29y"}, headers=bearer(token)
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == "cursor_invalid"


async def test_a_bad_cursor_is_a_400_before_there_is_a_wallet_too(
    client: Client, token_for: TokenFor
) -> None:
    token = await token_for(Role.RESIDENT)
    answer = await client.get(
        f"{APP}/wallet/entries", params={"cursor": "x" * 80}, headers=bearer(token)
    )
    assert answer.status_code == 400
    assert await Account.count() == 0
