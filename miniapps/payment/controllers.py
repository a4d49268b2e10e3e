"""HTTP of the payment app: the caller's wallet and its statement."""

from __future__ import annotations

from litestar import Router, get
from litestar.params import FromQuery

from backend.sdk import AnyRequest, PageCursor, PageLimit, Role, claims_of, requires_role
from miniapps.payment import wallets
from miniapps.payment.schemas import StatementPage, WalletView


@get("/wallet", operation_id="GetMyWallet", guards=[requires_role(Role.RESIDENT)])
async def my_wallet(request: AnyRequest) -> WalletView:
    """What the caller's wallet holds, in fen (1 yuan is 100 fen).

    A wallet nothing was ever paid into holds 0."""
    return await wallets.wallet_of(claims_of(request).user_id)


@get(
    "/wallet/entries",
    operation_id="ListMyWalletEntries",
    guards=[requires_role(Role.RESIDENT)],
)
async def my_statement(
    request: AnyRequest, cursor: PageCursor = None, limit: FromQuery[PageLimit] = 50
) -> StatementPage:
    """The caller's wallet statement, newest first, a page at a time.

    Each line names its transfer and its kind, what it moved (credited when positive,
    debited when negative) and the balance it left."""
    return await wallets.statement_of(claims_of(request).user_id, cursor=cursor, limit=limit)


router = Router(path="/", route_handlers=[my_wallet, my_statement])
