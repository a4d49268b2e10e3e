"""The hello-world server plus `POST /bench/payment-floor`: the round trips to the database
that a payer-code payment makes, each a `SELECT 1`, in the same shape, and nothing else.
Its rate is the most a payment could reach while it keeps to that many statements: the
ceiling of `payments_to_pgbench` on this machine.

A payment without a voucher or a PIN sends, in order: outside a transaction, the claim of
its Idempotency-Key, the read of the payer's device, the code's use (its own commit) and
the read of the two accounts; then BEGIN, the payer's vouchers, the accounts' row locks,
the no-PIN day's sum, the two balances, the transfer, its entries, the payment's row and
the outbox's events, COMMIT; then the answer kept for the key: 16 round trips."""

import sys
from pathlib import Path

from litestar import post

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hello_server import hello_app

from backend.cli import run_server
from backend.kernel.db import fetch_rows, transaction

BEFORE, WITHIN, AFTER = 4, 9, 1  # BEGIN and COMMIT make WITHIN's transaction 11
ROUND_TRIPS = BEFORE + WITHIN + 2 + AFTER
_NOTHING = "SELECT 1 AS one"


@post("/bench/payment-floor", status_code=201, include_in_schema=False)
async def payment_floor(data: dict[str, object]) -> dict[str, object]:
    for _ in range(BEFORE):
        await fetch_rows(_NOTHING)
    async with transaction():
        for _ in range(WITHIN):
            await fetch_rows(_NOTHING)
    for _ in range(AFTER):
        await fetch_rows(_NOTHING)
    return {"status": "paid", **data}


app = hello_app(payment_floor)

if __name__ == "__main__":
    run_server("server:app", host="127.0.0.1", port=int(sys.argv[1]))
