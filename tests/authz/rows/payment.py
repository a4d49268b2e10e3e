"""Rows for payment: a wallet, its statement and its top-up orders are the caller's own.
Every signed-in person is a resident with a wallet; the wallet routes name no account, and
another's order is not found. The channel's notices carry no login: the channel's
signature is their only credential."""

from __future__ import annotations

import time

import msgspec

from backend.sdk import body_signature
from miniapps.payment.channel import channel_key
from miniapps.payment.top_ups import open_top_up
from tests.authz.city import City
from tests.authz.matrix import (
    G07,
    NOTHING,
    SIGNED_IN,
    Caller,
    Req,
    Row,
    Target,
    each,
    json_body,
    no_request,
    path_ids,
)

APP = "/v1/miniapps/payment"


async def _residents_order(city: City, caller: Caller) -> Target:
    order = await open_top_up(user_id=city.ids[Caller.RESIDENT], amount=100)
    return Target(
        owner=Caller.RESIDENT,
        path=G07,
        ids={"top_up_id": order.id, "out_trade_no": order.out_trade_no, "key": "channel"},
    )


async def _order_signed_otherwise(city: City, caller: Caller) -> Target:
    target = await _residents_order(city, caller)
    return Target(owner=target.owner, path=target.path, ids={**target.ids, "key": "another"})


async def _notice(city: City, target: Target, caller: Caller) -> Req:
    body = msgspec.json.encode(
        {
            "out_trade_no": target.ids["out_trade_no"],
            "amount_fen": 100,
            "result": "paid",
            "channel_txn": f"BANK{target.ids['top_up_id']}",
        }
    )
    key = channel_key(city.vault) if target.ids["key"] == "channel" else b"k" * 32
    stamp = str(int(time.time()))
    return Req(
        content=body,
        headers={
            "X-Channel-Timestamp": stamp,
            "X-Channel-Signature": body_signature(key, stamp, body),
        },
    )


ROWS: list[Row] = [
    Row("GET", f"{APP}/wallet", NOTHING, {"-": each(SIGNED_IN, 200)}, no_request),
    Row("GET", f"{APP}/wallet/entries", NOTHING, {"-": each(SIGNED_IN, 200)}, no_request),
    Row(
        "POST",
        f"{APP}/top-ups",
        NOTHING,
        {"-": each(SIGNED_IN, 201)},
        json_body(lambda _: {"amount_fen": 100}),
    ),
    Row(
        "GET",
        f"{APP}/top-ups/{{top_up_id:int}}",
        {"the g07 resident's order": _residents_order},
        {"the g07 resident's order": {Caller.RESIDENT: 200}},
        path_ids("top_up_id"),
        denied=404,
    ),
    Row(
        "POST",
        f"{APP}/channel/notify",
        {
            "signed by the channel": _residents_order,
            "signed with another key": _order_signed_otherwise,
        },
        # The channel's signature is the only credential: a bearer token adds nothing.
        {"signed by the channel": each(tuple(Caller), 200)},
        _notice,
        denied=401,
    ),
]
