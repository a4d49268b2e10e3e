"""HTTP of a merchant's account: its balance, its statement, and the month's statement as
CSV for their books; and of the platform's books: what the daily reconciliation found."""

from __future__ import annotations

from typing import Annotated

from litestar import Response, get
from litestar.params import FromQuery, QueryParameter

from backend.sdk import AnyRequest, PageCursor, PageLimit, Role, claims_of, requires_role
from miniapps.payment import reconciliation, statements, wallets
from miniapps.payment.schemas import DiscrepancyList, StatementPage, WalletView

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


MERCHANT_ROUTES = [my_account, my_entries, my_statement_csv, list_discrepancies]
