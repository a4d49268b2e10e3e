"""Rows for payment: a wallet, its statement and its top-up orders are the caller's own.
Every signed-in person is a resident with a wallet; the wallet routes name no account, and
another's order is not found. The channel's notices carry no login: the channel's
signature is their only credential. A payment is seen by its payer and its merchant, and
not found by anyone else; only its payer confirms it, only its merchant refunds it. Voucher
campaigns are opened by platform admins and claimed by any resident they are for. A phone's
payer code is turned off by its resident only; to anyone else it is not found."""

from __future__ import annotations

import base64
import datetime as dt
import time

import msgspec

from backend.sdk import Claims, body_signature
from miniapps.payment.channel import channel_key
from miniapps.payment.collecting import enrol_payer_device
from miniapps.payment.collection_codes import collection_code_of
from miniapps.payment.ledger import Leg, TransferKind, open_account, post_transfer
from miniapps.payment.payer_codes import payer_code, step_at
from miniapps.payment.payments import Method, pay
from miniapps.payment.pins import set_pin
from miniapps.payment.schemas import CampaignIn, SettlementAccountIn
from miniapps.payment.settlements import NAME_PURPOSE, NUMBER_PURPOSE
from miniapps.payment.tables import SettlementAccount
from miniapps.payment.top_ups import open_top_up
from miniapps.payment.vouchers import open_campaign
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
    per_caller,
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


async def _residents_phone(city: City, caller: Caller) -> Target:
    """The g07 resident's phone, enrolled for payer codes."""
    phone = await enrol_payer_device(user_id=city.ids[Caller.RESIDENT], vault=city.vault)
    return Target(owner=Caller.RESIDENT, path=G07, ids={"payer_number": phone.payer_number})


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


PIN = "260417"


async def _fund(user_id: int, fen: int) -> None:
    clearing = await open_account("platform:top_up_clearing", overdraw=True)
    wallet = await open_account(f"wallet:{user_id}")
    await post_transfer(kind=TransferKind.TOP_UP, legs=[Leg(clearing, -fen), Leg(wallet, fen)])


async def _with_pin(user_id: int) -> None:
    """The user's PIN set to `PIN`, as they would after a fresh login."""
    now = int(time.time())
    proved = Claims(
        sub=str(user_id), iss="", aud="", exp=now + 60, iat=now, jti="", roles=[], auth_time=now
    )
    await set_pin(user_id=user_id, pin=PIN, current=None, claims=proved)


async def _fresh_login(city: City, target: Target, caller: Caller) -> Req:
    if caller is Caller.ANONYMOUS:
        return Req(json={"pin": PIN})
    token = await city.fresh_login(caller)
    return Req(json={"pin": PIN}, headers={"Authorization": f"Bearer {token}"})


@per_caller
async def _callers_pin(city: City, caller: Caller) -> Target:
    if caller is not Caller.ANONYMOUS:
        await _with_pin(city.ids[caller])
    return Target()


@per_caller
async def _code_and_a_payer(city: City, caller: Caller) -> Target:
    """The merchant's collection code, and money and a PIN for whoever pays by it."""
    code = await collection_code_of(merchant_id=city.ids[Caller.MERCHANT], vault=city.vault)
    if caller is not Caller.ANONYMOUS:
        await _fund(city.ids[caller], 100)
        await _with_pin(city.ids[caller])
    return Target(ids={"code": code.code})


async def _residents_payment(city: City, caller: Caller, *, fen: int = 100) -> Target:
    """A payment of the g07 resident's to the merchant: paid, or past the limits of payment
    without a PIN, awaiting the resident (with money and a PIN to confirm it)."""
    resident = city.ids[Caller.RESIDENT]
    await _fund(resident, fen)
    await _with_pin(resident)
    made = await pay(
        payer_id=resident,
        merchant_id=city.ids[Caller.MERCHANT],
        amount=fen,
        method=Method.PAYER_CODE,
        without_pin=True,
    )
    return Target(owner=Caller.RESIDENT, path=G07, ids={"payment_id": made.id})


async def _awaiting_payment(city: City, caller: Caller) -> Target:
    return await _residents_payment(city, caller, fen=100_001)


async def _confirm(city: City, target: Target, caller: Caller) -> Req:
    return Req(path_params={"payment_id": target.ids["payment_id"]}, json={"pin": PIN})


async def _refund(city: City, target: Target, caller: Caller) -> Req:
    return Req(path_params={"payment_id": target.ids["payment_id"]}, json={"amount_fen": 50})


def _plan() -> dict[str, object]:
    now = dt.datetime.now(dt.UTC)
    return {
        "name": "消费券",
        "tiers": [{"face_value_fen": 100, "min_spend_fen": 500, "count": 50}],
        "merchant_categories": ["catering"],
        "claim_opens_at": (now - dt.timedelta(minutes=1)).isoformat(),
        "claim_closes_at": (now + dt.timedelta(days=1)).isoformat(),
        "spend_until": (now + dt.timedelta(days=2)).isoformat(),
    }


async def _campaign(city: City, caller: Caller) -> Target:
    """A campaign open to every resident, claims open now."""
    opened = await open_campaign(msgspec.convert(_plan(), CampaignIn, strict=False), created_by=1)
    return Target(ids={"campaign_id": opened.id, "tier_id": opened.tiers[0].id})


async def _claim(city: City, target: Target, caller: Caller) -> Req:
    return Req(
        path_params={"campaign_id": target.ids["campaign_id"]},
        json={"tier_id": target.ids["tier_id"]},
    )


async def _merchant(city: City, caller: Caller) -> Target:
    return Target(ids={"merchant_id": city.ids[Caller.MERCHANT]})


async def _category(city: City, target: Target, caller: Caller) -> Req:
    return Req(path_params={"merchant_id": target.ids["merchant_id"]}, json={"category": "retail"})


ACCOUNT = SettlementAccountIn(
    bank="中国银行郑州高新区支行", account_name="王记烩面馆", account_number="6217000010000000003"
)


async def _fresh_account(city: City, target: Target, caller: Caller) -> Req:
    body = msgspec.to_builtins(ACCOUNT)
    if caller is Caller.ANONYMOUS:
        return Req(json=body)
    token = await city.fresh_login(caller)
    return Req(json=body, headers={"Authorization": f"Bearer {token}"})


async def _merchants_account(city: City, caller: Caller) -> Target:
    merchant_id = city.ids[Caller.MERCHANT]
    if await SettlementAccount.exists().where(SettlementAccount.merchant_id == merchant_id):
        return Target()
    await SettlementAccount.insert(
        SettlementAccount(
            merchant_id=merchant_id,
            bank=ACCOUNT.bank,
            account_name_sealed=city.vault.seal(ACCOUNT.account_name, purpose=NAME_PURPOSE),
            number_sealed=city.vault.seal(ACCOUNT.account_number, purpose=NUMBER_PURPOSE),
            number_tail=ACCOUNT.account_number[-4:],
        )
    )
    return Target()


async def _month(city: City, target: Target, caller: Caller) -> Req:
    return Req(params={"month": "2026-12"})


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
        "DELETE",
        f"{APP}/payer-code/device/{{payer_number:str}}",
        {"the g07 resident's phone": _residents_phone},
        {"the g07 resident's phone": {Caller.RESIDENT: 204}},
        path_ids("payer_number"),
        denied=404,
    ),
    Row(
        "POST",
        f"{APP}/collect/payer-code",
        {"the g07 resident's code": _residents_code},
        {"the g07 resident's code": {Caller.MERCHANT: 201}},
        json_body(lambda target: {"code": target.ids["code"], "amount_fen": 100}),
    ),
    Row("PUT", f"{APP}/pin", NOTHING, {"-": each(SIGNED_IN, 204)}, _fresh_login),
    Row(
        "POST",
        f"{APP}/pin/unlock",
        {"the caller's PIN": _callers_pin},
        {"the caller's PIN": each(SIGNED_IN, 204)},
        _fresh_login,
    ),
    Row("GET", f"{APP}/collection-code", NOTHING, {"-": {Caller.MERCHANT: 200}}, no_request),
    Row("GET", f"{APP}/collection-code.png", NOTHING, {"-": {Caller.MERCHANT: 200}}, no_request),
    Row(
        "POST",
        f"{APP}/pay/collection-code",
        {"the merchant's code": _code_and_a_payer},
        # Anyone signed in pays a merchant from their own wallet; the merchant not themselves.
        {"the merchant's code": {**each(SIGNED_IN, 201), Caller.MERCHANT: 409}},
        json_body(lambda target: {"code": target.ids["code"], "amount_fen": 100, "pin": PIN}),
    ),
    Row(
        "GET",
        f"{APP}/payments/{{payment_id:int}}",
        {"the g07 resident's payment": _residents_payment},
        {"the g07 resident's payment": {Caller.RESIDENT: 200, Caller.MERCHANT: 200}},
        path_ids("payment_id"),
        denied=404,
    ),
    Row(
        "POST",
        f"{APP}/payments/{{payment_id:int}}/confirm",
        {"awaiting the g07 resident": _awaiting_payment},
        {"awaiting the g07 resident": {Caller.RESIDENT: 200}},
        _confirm,
        denied=404,
    ),
    Row(
        "POST",
        f"{APP}/payments/{{payment_id:int}}/refunds",
        {"the g07 resident's payment": _residents_payment},
        {"the g07 resident's payment": {Caller.MERCHANT: 201}},
        _refund,
    ),
    Row("GET", f"{APP}/merchant/account", NOTHING, {"-": {Caller.MERCHANT: 200}}, no_request),
    Row("GET", f"{APP}/merchant/entries", NOTHING, {"-": {Caller.MERCHANT: 200}}, no_request),
    Row(
        "GET",
        f"{APP}/merchant/statement.csv",
        NOTHING,
        {"-": {Caller.MERCHANT: 200}},
        _month,
    ),
    # Only a merchant, after a fresh login, says where their own money goes.
    Row(
        "PUT",
        f"{APP}/merchant/settlement-account",
        NOTHING,
        {"-": {Caller.MERCHANT: 200}},
        _fresh_account,
    ),
    Row(
        "GET",
        f"{APP}/merchant/settlement-account",
        {"the merchant's account": _merchants_account},
        {"the merchant's account": {Caller.MERCHANT: 200}},
        no_request,
    ),
    Row("GET", f"{APP}/merchant/settlements", NOTHING, {"-": {Caller.MERCHANT: 200}}, no_request),
    Row(
        "POST",
        f"{APP}/voucher-campaigns",
        NOTHING,
        {"-": {Caller.PLATFORM: 201}},
        json_body(lambda _: _plan()),
    ),
    Row("GET", f"{APP}/voucher-campaigns", NOTHING, {"-": each(SIGNED_IN, 200)}, no_request),
    Row(
        "POST",
        f"{APP}/voucher-campaigns/{{campaign_id:int}}/claims",
        {"a campaign for every resident": _campaign},
        {"a campaign for every resident": each(SIGNED_IN, 201)},
        _claim,
    ),
    Row("GET", f"{APP}/vouchers", NOTHING, {"-": each(SIGNED_IN, 200)}, no_request),
    Row(
        "PUT",
        f"{APP}/merchants/{{merchant_id:int}}/category",
        {"the merchant": _merchant},
        {"the merchant": {Caller.PLATFORM: 204}},
        _category,
    ),
    Row(
        "GET",
        f"{APP}/reconciliation/discrepancies",
        NOTHING,
        {"-": {Caller.PLATFORM: 200}},
        no_request,
    ),
]
