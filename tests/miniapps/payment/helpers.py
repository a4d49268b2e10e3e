"""What the payment tests share: residents with money in their wallets, merchants, PINs,
and logins fresh enough to count as a new proof."""

from __future__ import annotations

import asyncio
import base64
import time

from litestar import Litestar

from auth.sessions import start_session
from backend.directory.users.service import open_account as open_user
from backend.directory.users.service import set_home
from backend.kernel.claims import Claims
from backend.kernel.roles import Role
from backend.kernel.vault import Vault
from miniapps.payment import pins
from miniapps.payment.ledger import Leg, TransferKind, open_account, post_transfer
from miniapps.payment.payer_codes import STEP_SECONDS, payer_code, step_at
from miniapps.payment.tables import Entry, Payment, Refund, Transfer
from tests.conftest import Client, TokenFor, bearer
from tests.support import auth_of

APP = "/v1/miniapps/payment"


async def user_id_of(client: Client, token: str) -> int:
    return int((await client.get("/v1/me", headers=bearer(token))).json()["user_id"])


async def fund(user_id: int, fen: int) -> int:
    """Put `fen` into the user's wallet as a top-up would; the wallet's account id."""
    clearing = await open_account("platform:top_up_clearing", overdraw=True)
    wallet = await open_account(f"wallet:{user_id}")
    await post_transfer(kind=TransferKind.TOP_UP, legs=[Leg(clearing, -fen), Leg(wallet, fen)])
    return wallet


async def funded_resident(client: Client, token_for: TokenFor, fen: int) -> str:
    token = await token_for(Role.RESIDENT)
    await fund(await user_id_of(client, token), fen)
    return token


async def wallet_balance(client: Client, token: str) -> int:
    answer = await client.get(f"{APP}/wallet", headers=bearer(token))
    return int(answer.json()["balance_fen"])


async def set_pin(client: Client, token: str, pin: str = "260417") -> None:
    """The token's holder sets their PIN, as they may just after a login by one-time code."""
    await set_pin_of(await user_id_of(client, token), pin)


async def set_pin_of(user_id: int, pin: str = "260417") -> None:
    now = int(time.time())
    proved = Claims(
        sub=str(user_id), iss="", aud="", exp=now + 60, iat=now, jti="", roles=[], auth_time=now
    )
    await pins.set_pin(user_id=user_id, pin=pin, current=None, claims=proved)


async def fresh_login(app: Litestar, user_id: int) -> str:
    """An access token of a login by one-time code just now, as `POST /auth/login` gives."""
    auth = auth_of(app)
    pair = await start_session(user_id=user_id, tokens=auth.tokens, settings=auth.settings)
    return pair.access_token


async def money_rows() -> tuple[int, int, int, int]:
    return (
        await Transfer.count(),
        await Entry.count(),
        await Payment.count(),
        await Refund.count(),
    )


async def early_in_a_step() -> None:
    """Wait, if need be, until a 30 s step has just begun: a test that builds codes a step
    off ours must check them in the step it built them in."""
    into = time.time() % STEP_SECONDS
    if into > STEP_SECONDS - 8:
        await asyncio.sleep(STEP_SECONDS - into + 0.1)


class Phone:
    """A resident's phone enrolled for payer codes, counting steps on its own clock."""

    def __init__(self, enrolled: dict[str, object]) -> None:
        self.secret = base64.b64decode(str(enrolled["secret"]))
        self.number = str(enrolled["payer_number"])

    def code(self, *, steps_off: int = 0) -> str:
        return payer_code(self.secret, self.number, step_at(time.time()) + steps_off)


async def enrolled_phone(client: Client, token: str) -> Phone:
    answer = await client.post(f"{APP}/payer-code/device", headers=bearer(token))
    assert answer.status_code == 201, answer.text
    return Phone(answer.json())


async def collect(client: Client, merchant: str, code: str, fen: int) -> object:
    return await client.post(
        f"{APP}/collect/payer-code",
        json={"code": code, "amount_fen": fen},
        headers=bearer(merchant),
    )


async def residents(vault: Vault, count: int, home: str = "zz/gx/fengyang/c03/g07") -> list[int]:
    """`count` new residents living at `home`: their ids."""
    ids = []
    for n in range(count):
        user_id, _ = await open_user(phone=f"137{n:08d}", vault=vault)
        await set_home(user_id=user_id, home_path=home)
        ids.append(user_id)
    return ids
