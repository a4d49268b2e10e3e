"""HTTP of a merchant's account: its balance, its statement, the month's statement as CSV
for their books, the bank account it is settled to and its settlements; and of the
platform's books: what the daily reconciliation found."""

from __future__ import annotations

from typing import Annotated

from litestar import Response, get, put
from litestar.di import NamedDependency
from litestar.params import FromQuery, JSONBody, QueryParameter

from backend.sdk import (
    AnyRequest,
    PageCursor,
    PageLimit,
    Role,
    Vault,
    claims_of,
    problems,
    requires_role,
)
from miniapps.payment import reconciliation, settlements, statements, wallets
from miniapps.payment.errors import PaymentProblem
from miniapps.payment.schemas import (
    DiscrepancyList,
    SettlementAccountIn,
    SettlementAccountView,
    SettlementList,
    StatementPage,
    WalletView,
)

Month = Annotated[
    str,
    QueryParameter(
        description="The city's month (Asia/Shanghai), as YYYY-MM, of 2000 to 2099.",
        pattern=r"^20[0-9]{2}-(0[1-9]|1[0-2])$",
        min_length=7,
        max_length=7,
    ),
]


@get(
    "/merchant/account", operation_id="GetMyMerchantAccount", guards=[requires_role(Role.MERCHANT)]
)
async def my_account(request: AnyRequest) -> WalletView:
    """What the caller's merchant account holds, in fen.

    Money collected stays here until it is settled to the merchant's bank account."""
    return await wallets.balance_of(wallets.merchant_holder(claims_of(request).user_id))


@get(
    "/merchant/entries",
    operation_id="ListMyMerchantEntries",
    guards=[requires_role(Role.MERCHANT)],
)
async def my_entries(
    request: AnyRequest, cursor: PageCursor = None, limit: FromQuery[PageLimit] = 50
) -> StatementPage:
    """The caller's merchant account statement, newest first, a page at a time.

    Payments collected are credits, refunds and settlements debits."""
    return await wallets.statement_of(
        wallets.merchant_holder(claims_of(request).user_id), cursor=cursor, limit=limit
    )


@get(
    "/merchant/statement.csv",
    operation_id="GetMyMerchantStatementCsv",
    guards=[requires_role(Role.MERCHANT)],
    media_type="text/csv",
)
async def my_statement_csv(request: AnyRequest, month: Month) -> Response[bytes]:
    """The caller's merchant statement of one month as CSV (对账单), oldest first.

    Columns: posted_at (city time), transfer_id, kind, amount_fen, balance_after_fen,
    memo; UTF-8 with a byte-order mark."""
    body = await statements.statement_csv(
        wallets.merchant_holder(claims_of(request).user_id), month
    )
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="statement-{month}.csv"',
            "Cache-Control": "no-store",
        },
    )


@put(
    "/merchant/settlement-account",
    operation_id="SetMySettlementAccount",
    guards=[requires_role(Role.MERCHANT)],
    responses=problems({403: [PaymentProblem.PIN_REVERIFY]}),
)
async def set_settlement_account(
    request: AnyRequest, data: JSONBody[SettlementAccountIn], vault: NamedDependency[Vault]
) -> SettlementAccountView:
    """Set the bank account the caller's merchant balance is settled to (结算账户).

    Only after a login by one-time code in the last five minutes; it replaces the account
    before, and the next settlement goes to it. The number is kept sealed and shown by its
    last four digits."""
    return await settlements.set_account(claims=claims_of(request), account=data, vault=vault)


@get(
    "/merchant/settlement-account",
    operation_id="GetMySettlementAccount",
    guards=[requires_role(Role.MERCHANT)],
    responses=problems({404: [PaymentProblem.SETTLEMENT_ACCOUNT_NOT_SET]}),
)
async def get_settlement_account(
    request: AnyRequest, vault: NamedDependency[Vault]
) -> SettlementAccountView:
    """The bank account the caller's merchant balance is settled to.

    Its number is shown by its last four digits only."""
    return await settlements.account_of(merchant_id=claims_of(request).user_id, vault=vault)


@get(
    "/merchant/settlements",
    operation_id="ListMySettlements",
    guards=[requires_role(Role.MERCHANT)],
)
async def my_settlements(request: AnyRequest) -> SettlementList:
    """The caller's settlements (T+1), newest first (the last 100).

    Each night what the account held as the city day before ended is paid to the
    settlement account; one the bank returned is back on the account for the next night."""
    return await settlements.settlements_of(merchant_id=claims_of(request).user_id)


@get(
    "/reconciliation/discrepancies",
    operation_id="ListPaymentDiscrepancies",
    guards=[requires_role(Role.PLATFORM_ADMIN)],
)
async def list_discrepancies() -> DiscrepancyList:
    """What the daily reconciliation found, newest first (the last 200).

    Each night the ledger is checked against itself (every balance against its entries,
    all entries against zero) and the day's top-ups against their credits and the bank
    channel's statement; platform admins are pushed when something new is found."""
    return DiscrepancyList(items=await reconciliation.discrepancies())


MERCHANT_ROUTES = [
    my_account,
    my_entries,
    my_statement_csv,
    set_settlement_account,
    get_settlement_account,
    my_settlements,
    list_discrepancies,
]
