"""Rows for payment: a wallet and its statement are the caller's own. Every signed-in person
is a resident with a wallet; the routes name no account, so nobody can ask for another's."""

from __future__ import annotations

from tests.authz.matrix import NOTHING, SIGNED_IN, Row, each, no_request

APP = "/v1/miniapps/payment"

ROWS: list[Row] = [
    Row("GET", f"{APP}/wallet", NOTHING, {"-": each(SIGNED_IN, 200)}, no_request),
    Row("GET", f"{APP}/wallet/entries", NOTHING, {"-": each(SIGNED_IN, 200)}, no_request),
]
