"""HTTP of the payment app: the caller's wallet, its statement and its top-ups, the bank
channel's notifications, and payer codes; the routes of PINs and payments are beside."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Router, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, PathParameter
from litestar.status_codes import HTTP_204_NO_CONTENT

from backend.sdk import (
    AnyRequest,
    BadRequest,
    PageCursor,
    PageLimit,
    Quota,
    Role,
    RowId,
    Unauthorized,
    Vault,
    claims_of,
    idempotent,
    problems,
    rate_limited,
    requires_role,
    strictly,
)
from miniapps.payment import collecting, top_ups, wallets
from miniapps.payment.channel import ChannelNotice, PaymentChannel
from miniapps.payment.errors import PaymentProblem as Problem
from miniapps.payment.merchant_controllers import MERCHANT_ROUTES
from miniapps.payment.payment_controllers import PAY_ROUTES
from miniapps.payment.schemas import (
    CollectIn,
    NoticeTaken,
    PayerDeviceView,
    PaymentView,
    StatementPage,
    TopUpIn,
    TopUpView,
    WalletView,
)
from miniapps.payment.voucher_controllers import VOUCHER_ROUTES


@get("/wallet", operation_id="GetMyWallet", guards=[requires_role(Role.RESIDENT)])
async def my_wallet(request: AnyRequest) -> WalletView:
    """What the caller's wallet holds, in fen (1 yuan is 100 fen).

    A wallet nothing was ever paid into holds 0."""
    return await wallets.balance_of(wallets.wallet_holder(claims_of(request).user_id))


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
    return await wallets.statement_of(
        wallets.wallet_holder(claims_of(request).user_id), cursor=cursor, limit=limit
    )


@post(
    "/top-ups",
    operation_id="OpenTopUp",
    guards=[requires_role(Role.RESIDENT)],
    middleware=[idempotent],
)
async def open_top_up(request: AnyRequest, data: JSONBody[TopUpIn]) -> TopUpView:
    """Open an order to pay money into the caller's wallet.

    The app opens the bank channel's payment page with the order's `out_trade_no`; the
    wallet is credited when the channel tells us it was paid. Orders not paid within 15
    minutes are closed. Send an `Idempotency-Key`: a retry then answers the same order."""
    # Read again as sent: money is a JSON integer, never "100" or 100.0.
    order = strictly(await request.json(), TopUpIn)
    return await top_ups.open_top_up(user_id=claims_of(request).user_id, amount=order.amount_fen)


@get(
    "/top-ups/{top_up_id:int}",
    operation_id="GetTopUp",
    guards=[requires_role(Role.RESIDENT)],
    responses=problems({404: [Problem.TOP_UP_NOT_FOUND]}),
)
async def get_top_up(request: AnyRequest, top_up_id: FromPath[RowId]) -> TopUpView:
    """One of the caller's top-up orders, with its status.

    Another's order is not found."""
    return await top_ups.top_up_of(user_id=claims_of(request).user_id, top_up_id=top_up_id)


@post(
    "/channel/notify",
    operation_id="TakeChannelNotice",
    security=[{}],
    opt={"signed_by_sender": True},
    middleware=[rate_limited(Quota.PUBLIC)],
    status_code=200,
    responses=problems(
        {
            400: [Problem.CHANNEL_NOTICE_INVALID],
            401: [Problem.CHANNEL_SIGNATURE_INVALID],
            404: [Problem.TOP_UP_NOT_FOUND],
            409: [Problem.TOP_UP_FINISHED],
            422: [Problem.CHANNEL_AMOUNT_MISMATCH],
        }
    ),
)
async def channel_notify(
    request: AnyRequest, payment_channel: NamedDependency[PaymentChannel]
) -> NoticeTaken:
    """The bank channel tells whether an order was paid.

    Called by the channel, not by the app, with the notice as JSON and two headers:
    `X-Channel-Timestamp` (Unix seconds) and `X-Channel-Signature`, the hex HMAC-SHA256 of
    `<timestamp>.<body>` with the channel's key. A notice is believed within five minutes
    of its timestamp. The same notice again answers as the first did; nothing is credited
    twice."""
    body = await request.body()
    timestamp = request.headers.get("x-channel-timestamp", "")
    signature = request.headers.get("x-channel-signature", "")
    if not payment_channel.authentic(timestamp=timestamp, signed=signature, body=body):
        raise Unauthorized(Problem.CHANNEL_SIGNATURE_INVALID)
    try:
        notice = msgspec.json.decode(body, type=ChannelNotice)
    except msgspec.DecodeError as err:
        raise BadRequest(Problem.CHANNEL_NOTICE_INVALID) from err
    await payment_channel.keep(notice)
    order = await top_ups.take_notice(notice)
    return NoticeTaken(out_trade_no=order.out_trade_no, status=order.status)


@post(
    "/payer-code/device",
    operation_id="EnrolPayerDevice",
    guards=[requires_role(Role.RESIDENT)],
    # Not idempotent by key: a kept answer would keep the secret, which is shown once.
)
async def enrol_payer_device(request: AnyRequest, vault: NamedDependency[Vault]) -> PayerDeviceView:
    """Enrol this phone to show the caller's payer codes (付款码), offline.

    The answer holds the secret the phone computes its codes with; it is shown this once.
    Enrolling again replaces it, and the codes of the phone before stop working."""
    return await collecting.enrol_payer_device(user_id=claims_of(request).user_id, vault=vault)


PayerNumber = Annotated[
    str,
    PathParameter(pattern=r"^[0-9]{8}$", description="The payer number the phone enrolled with."),
]


@delete(
    "/payer-code/device/{payer_number:str}",
    status_code=HTTP_204_NO_CONTENT,
    operation_id="TurnOffPayerDevice",
    guards=[requires_role(Role.RESIDENT)],
    responses=problems({404: [Problem.PAYER_DEVICE_NOT_FOUND]}),
)
async def turn_off_payer_device(request: AnyRequest, payer_number: PayerNumber) -> None:
    """Turn off the payer code (付款码) of the caller's phone enrolled with this number.

    Its codes stop at once, as when the phone signs out. A number that is no longer the
    caller's enrolment (off already, or another phone enrolled since) is
    `payer_device_not_found`, and nothing changes."""
    await collecting.turn_off_payer_device(
        user_id=claims_of(request).user_id, payer_number=payer_number
    )


@post(
    "/collect/payer-code",
    operation_id="CollectByPayerCode",
    guards=[requires_role(Role.MERCHANT)],
    # A merchant's scans are scans: limited per merchant and address, as guessing codes is
    # what a stolen merchant account would do.
    middleware=[rate_limited(Quota.SCANS), idempotent],
    responses=problems(
        {
            409: [Problem.PAYER_CODE_USED, Problem.INSUFFICIENT_FUNDS, Problem.PAYMENT_TO_SELF],
            422: [Problem.PAYER_CODE_INVALID],
        }
    ),
)
async def collect(
    request: AnyRequest, data: JSONBody[CollectIn], vault: NamedDependency[Vault]
) -> PaymentView:
    """Collect a payment by scanning the payer's code (被扫).

    A code is good for about a minute and once, whatever becomes of the payment; every code
    not good now gets the same answer (`payer_code_invalid`), and a payer number with
    repeated wrong codes takes none for a while. Payments without a PIN stop at 1,000 yuan
    each and 2,000 yuan a day: past that the payment is `awaiting_payer`, the payer is
    pushed to confirm it with their PIN within two minutes, and the merchant asks
    `GET /payments/{id}` how it went. Send an `Idempotency-Key`: a retry after a dropped
    connection then answers the first result, where without one it finds the code used."""
    scan = strictly(await request.json(), CollectIn)
    return await collecting.collect_by_payer_code(
        merchant_id=claims_of(request).user_id, code=scan.code, amount=scan.amount_fen, vault=vault
    )


router = Router(
    path="/",
    route_handlers=[
        my_wallet,
        my_statement,
        open_top_up,
        get_top_up,
        channel_notify,
        enrol_payer_device,
        turn_off_payer_device,
        collect,
        *PAY_ROUTES,
        *MERCHANT_ROUTES,
        *VOUCHER_ROUTES,
    ],
)
