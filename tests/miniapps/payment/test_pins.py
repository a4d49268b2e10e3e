"""Payment PINs: hashed, tried a few times at most however many tries come at once, and set
anew or unlocked only by the holder (the PIN now, or a fresh login by one-time code)."""

from __future__ import annotations

import asyncio
import datetime as dt
import time

import pytest
from litestar import Litestar

from auth.sessions import grant_for
from backend.kernel.roles import Role
from miniapps.payment.pins import MOST_TRIES
from miniapps.payment.tables import PaymentPin
from tests.conftest import Client, TokenFor, bearer
from tests.miniapps.payment.helpers import APP, fresh_login, set_pin, user_id_of
from tests.support import auth_of


async def _change(client: Client, token: str, current: str) -> object:
    """Try `current` as the PIN, by changing the PIN to 480151 with it."""
    return await client.put(
        f"{APP}/pin", json={"pin": "480151", "current_pin": current}, headers=bearer(token)
    )


async def test_a_pin_is_kept_as_an_argon2id_hash(client: Client, token_for: TokenFor) -> None:
    await set_pin(client, await token_for(Role.RESIDENT), "260417")
    row = await PaymentPin.select(PaymentPin.pin_hash).first()
    assert row is not None
    assert row["pin_hash"].startswith("$argon2id$")
    assert "260417" not in row["pin_hash"]


@pytest.mark.parametrize(
    "pin", ["12345", "1234567", "12a456", "１２３４５６", "480151\n", 123456, None]
)
async def test_a_pin_of_the_wrong_shape_is_a_400_and_sets_nothing(
    client: Client, token_for: TokenFor, pin: object
) -> None:
    answer = await client.put(
        f"{APP}/pin", json={"pin": pin}, headers=bearer(await token_for(Role.RESIDENT))
    )
    assert answer.status_code == 400, answer.text
    assert answer.json()["errors"][0]["field"] == "pin"
    assert await PaymentPin.count() == 0


@pytest.mark.parametrize("pin", ["000000", "888888", "123456", "654321"])
async def test_an_obvious_pin_is_refused(client: Client, token_for: TokenFor, pin: str) -> None:
    answer = await client.put(
        f"{APP}/pin", json={"pin": pin}, headers=bearer(await token_for(Role.RESIDENT))
    )
    assert answer.status_code == 422
    assert answer.json()["code"] == "pin_too_simple"
    assert await PaymentPin.count() == 0


async def test_the_first_pin_takes_a_fresh_login(
    app: Litestar, client: Client, token_for: TokenFor
) -> None:
    """A session stolen from a phone must not set the PIN that pays without limit."""
    token = await token_for(Role.RESIDENT)
    refreshed = await client.put(f"{APP}/pin", json={"pin": "260417"}, headers=bearer(token))
    assert refreshed.status_code == 403
    assert refreshed.json()["code"] == "pin_reverify"
    assert await PaymentPin.count() == 0
    fresh = await fresh_login(app, await user_id_of(client, token))
    answer = await client.put(f"{APP}/pin", json={"pin": "260417"}, headers=bearer(fresh))
    assert answer.status_code == 204


async def test_changing_a_pin_takes_the_pin_now_or_a_fresh_login(
    app: Litestar, client: Client, token_for: TokenFor
) -> None:
    token = await token_for(Role.RESIDENT)
    await set_pin(client, token, "260417")
    forgot = await client.put(f"{APP}/pin", json={"pin": "480151"}, headers=bearer(token))
    assert forgot.status_code == 403
    assert forgot.json()["code"] == "pin_reverify"
    wrong = await _change(client, token, "111222")
    assert wrong.json()["code"] == "pin_incorrect"  # type: ignore[attr-defined]
    changed = await _change(client, token, "260417")
    assert changed.status_code == 204  # type: ignore[attr-defined]
    fresh = await fresh_login(app, await user_id_of(client, token))
    assert (
        await client.put(f"{APP}/pin", json={"pin": "702938"}, headers=bearer(fresh))
    ).is_success
    assert (await _change(client, token, "702938")).status_code == 204  # type: ignore[attr-defined]


async def test_wrong_pins_at_once_are_counted_before_they_are_checked(
    client: Client, token_for: TokenFor
) -> None:
    """Ten wrong PINs sent together get `MOST_TRIES` checks; the rest, and then the right
    PIN, find the PIN locked."""
    token = await token_for(Role.RESIDENT)
    await set_pin(client, token, "260417")
    answers = await asyncio.gather(*(_change(client, token, f"9{i:05d}") for i in range(10)))
    codes = sorted(a.json()["code"] for a in answers)  # type: ignore[attr-defined]
    assert codes == ["pin_incorrect"] * MOST_TRIES + ["pin_locked"] * (10 - MOST_TRIES)
    right = await _change(client, token, "260417")
    assert right.status_code == 403  # type: ignore[attr-defined]
    assert right.json()["code"] == "pin_locked"  # type: ignore[attr-defined]


async def test_a_right_pin_clears_the_count_of_wrong_ones(
    client: Client, token_for: TokenFor
) -> None:
    token = await token_for(Role.RESIDENT)
    await set_pin(client, token, "260417")
    for _ in range(MOST_TRIES - 1):
        await _change(client, token, "111222")
    assert (await _change(client, token, "260417")).status_code == 204  # type: ignore[attr-defined]
    for _ in range(MOST_TRIES - 1):
        await _change(client, token, "111222")
    assert (await _change(client, token, "480151")).status_code == 204  # type: ignore[attr-defined]


async def test_a_lock_lifts_with_time_or_a_fresh_login(
    app: Litestar, client: Client, token_for: TokenFor
) -> None:
    token = await token_for(Role.RESIDENT)
    await set_pin(client, token, "260417")
    for _ in range(MOST_TRIES):
        await _change(client, token, "111222")
    unlock = await client.post(f"{APP}/pin/unlock", headers=bearer(token))
    assert unlock.status_code == 403
    assert unlock.json()["code"] == "pin_reverify"
    fresh = await fresh_login(app, await user_id_of(client, token))
    assert (await client.post(f"{APP}/pin/unlock", headers=bearer(fresh))).status_code == 204
    assert (await _change(client, token, "260417")).status_code == 204  # type: ignore[attr-defined]
    # Locked again; an hour on, one more try is allowed, and a right one clears the lock.
    for _ in range(MOST_TRIES):
        await _change(client, token, "111222")
    await PaymentPin.update(
        {PaymentPin.locked_until: dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)}, force=True
    )
    assert (await _change(client, token, "480151")).status_code == 204  # type: ignore[attr-defined]


async def test_a_login_long_ago_is_no_fresh_proof(
    app: Litestar, client: Client, token_for: TokenFor
) -> None:
    token = await token_for(Role.RESIDENT)
    user_id = await user_id_of(client, token)
    await set_pin(client, token, "260417")
    hour_ago = int(time.time()) - 3600
    stale, _ = auth_of(app).tokens.issue(
        await grant_for(user_id), session="s" * 32, authenticated_at=hour_ago
    )
    answer = await client.put(f"{APP}/pin", json={"pin": "480151"}, headers=bearer(stale))
    assert answer.json()["code"] == "pin_reverify"


async def test_unlocking_with_no_pin_says_so(
    app: Litestar, client: Client, token_for: TokenFor
) -> None:
    token = await token_for(Role.RESIDENT)
    fresh = await fresh_login(app, await user_id_of(client, token))
    answer = await client.post(f"{APP}/pin/unlock", headers=bearer(fresh))
    assert answer.status_code == 409
    assert answer.json()["code"] == "pin_not_set"
