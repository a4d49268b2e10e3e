"""Rows for payment: a wallet, its statement and its top-up orders are the caller's own.
Every signed-in person is a resident with a wallet; the wallet routes name no account, and
another's order is not found. The channel's notices carry no login: the channel's
signature is their only credential."""

from __future__ import annotations

import base64
import time

import msgspec

from backend.sdk import body_signature
from miniapps.payment.channel import channel_key
from miniapps.payment.collecting import enrol_payer_device
from miniapps.payment.ledger import Leg, TransferKind, open_account, post_transfer
from miniapps.payment.payer_codes import payer_code, step_at
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


async def _residents_code(city: City, caller: Caller) -> Target:
    """A payer code on the g07 resident's phone, with money behind it."""
    resident = city.ids[Caller.RESIDENT]
    clearing = await open_account("platform:top_up_clearing", overdraw=True)
    wallet = await open_account(f"wallet:{resident}")
    await post_transfer(kind=TransferKind.TOP_UP, legs=[Leg(clearing, -100), Leg(wallet, 100)])
    phone = await enrol_payer_device(user_id=resident, vault=city.vault)
    secret = base64.b64decode(phone.secret)
    code = payer_code(secret, phone.payer_number, step_at(time.time()))
    return Target(owner=Caller.RESIDENT, path=G07, ids={"code": code})


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
    Row("POST", f"{APP}/payer-code/device", NOTHING, {"-": each(SIGNED_IN, 201)}, no_request),
    Row(
        "POST",
        f"{APP}/collect/payer-code",
        {"the g07 resident's code": _residents_code},
        {"the g07 resident's code": {Caller.MERCHANT: 201}},
        json_body(lambda target: {"code": target.ids["code"], "amount_fen": 100}),
    ),
]
