"""A merchant's monthly statement as CSV (对账单), for their books.

One line an entry of the city's month (Asia/Shanghai), oldest first, read a thousand at a
time. The memo is the one free text; a cell that a spreadsheet would run as a formula is
written with a leading apostrophe, as spreadsheets expect (OWASP's CSV injection advice).
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from backend.sdk import fetch_rows
from miniapps.payment.days import CITY_TIME
from miniapps.payment.ledger import account_of

HEADER = ("posted_at", "transfer_id", "kind", "amount_fen", "balance_after_fen", "memo")
_PAGE = 1_000
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_LINES = (
    "SELECT e.id, e.transfer_id, e.amount, e.balance_after, e.posted_at, t.kind, t.memo"
    " FROM payment_entry e JOIN payment_transfer t ON t.id = e.transfer_id"
    " WHERE e.account_id = $1 AND e.id > $2 AND e.posted_at >= $3 AND e.posted_at < $4"
    " ORDER BY e.id LIMIT $5"
)


def month_bounds(month: str) -> tuple[dt.datetime, dt.datetime]:
    """The instants (UTC) the city's month `YYYY-MM` begins and ends."""
    year, number = int(month[:4]), int(month[5:])
    first = dt.datetime(year, number, 1, tzinfo=CITY_TIME)
    after = dt.datetime(year + number // 12, number % 12 + 1, 1, tzinfo=CITY_TIME)
    return first.astimezone(dt.UTC), after.astimezone(dt.UTC)


async def statement_csv(holder: str, month: str) -> bytes:
    """The account's entries of `month` as CSV, UTF-8 with a byte-order mark (so a
    spreadsheet opens the Chinese of memos as such)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    account = await account_of(holder)
    start, end = month_bounds(month)
    after = 0
    while account is not None:
        rows = await fetch_rows(_LINES, account, after, start, end, _PAGE)
        for row in rows:
            writer.writerow(
                (
                    row["posted_at"].astimezone(CITY_TIME).isoformat(timespec="seconds"),
                    row["transfer_id"],
                    row["kind"],
                    row["amount"],
                    row["balance_after"],
                    _inert(str(row["memo"])),
                )
            )
        if len(rows) < _PAGE:
            break
        after = int(rows[-1]["id"])
    return ("\ufeff" + out.getvalue()).encode()


def _inert(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_STARTS) else text
