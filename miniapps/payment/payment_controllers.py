"""HTTP of payments that need the payer's PIN: setting it, paying by a merchant's collection
code, confirming a payment that awaits the payer; and of a payment's life after: looking it
up, refunding it."""

from __future__ import annotations

from litestar import Response, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_204_NO_CONTENT

from backend.sdk import (
    AnyRequest,
    ErrorCode,
    QrImage,
    Quota,
    Role,
    RowId,
    Vault,
    claims_of,
    idempotent,
    problems,
    rate_limited,
    render_qr_off_loop,
    requires_role,
    strictly,
)
from miniapps.payment import collection_codes, payments, pins, refunds
from miniapps.payment.errors import PaymentProblem as Problem
from miniapps.payment.schemas import (
    CollectionCodeView,
    ConfirmIn,
    PayByCodeIn,
    PaymentView,
    PinIn,
    RefundIn,
    RefundView,
)

_PIN_REFUSED: list[ErrorCode] = [Problem.PIN_INCORRECT, Problem.PIN_LOCKED]


@put(
    "/pin",
    operation_id="SetPaymentPin",
    guards=[requires_role(Role.RESIDENT)],
    middleware=[rate_limited(Quota.PIN)],
    status_code=HTTP_204_NO_CONTENT,
    responses=problems(
        {
            403: [*_PIN_REFUSED, Problem.PIN_REVERIFY],
            409: [Problem.PIN_NOT_SET],
            422: [Problem.PIN_TOO_SIMPLE],
        }
    ),
)
async def set_pin(request: AnyRequest, data: JSONBody[PinIn]) -> None:
    """Set the caller's payment PIN (支付密码), six digits.

    The first PIN, or a forgotten one, is set after a login by one-time code in the last
    five minutes, which also lifts a lock; changing one takes the PIN now as `current_pin`.
    One digit six times or a run up or down is refused."""
    claims = claims_of(request)
    await pins.set_pin(
        user_id=claims.user_id, pin=data.pin, current=data.current_pin, claims=claims
    )


@post(
    "/pin/unlock",
    operation_id="UnlockPaymentPin",
    guards=[requires_role(Role.RESIDENT)],
    middleware=[rate_limited(Quota.PIN)],
    status_code=HTTP_204_NO_CONTENT,
    responses=problems({403: [Problem.PIN_REVERIFY], 409: [Problem.PIN_NOT_SET]}),
)
async def unlock_pin(request: AnyRequest) -> None:
    """Lift the lock of a PIN tried wrong too often, after a fresh login.

    The lock lifts by itself after an hour; this lifts it at once for a caller who logged in
    by one-time code in the last five minutes, which proves the phone is theirs."""
    claims = claims_of(request)
    await pins.unlock_pin(user_id=claims.user_id, claims=claims)


@get(
    "/collection-code",
    operation_id="GetMyCollectionCode",
    guards=[requires_role(Role.MERCHANT)],
)
async def my_collection_code(
    request: AnyRequest, vault: NamedDependency[Vault]
) -> CollectionCodeView:
    """The caller's collection code (收款码), the text of the QR payers scan.

    It stays the same, so it can be printed and put on the counter."""
    return await collection_codes.collection_code_of(
        merchant_id=claims_of(request).user_id, vault=vault
    )


@get(
    "/collection-code.png",
    operation_id="GetMyCollectionCodePng",
    guards=[requires_role(Role.MERCHANT)],
    media_type="image/png",
)
async def my_collection_code_png(
    request: AnyRequest, vault: NamedDependency[Vault]
) -> Response[QrImage]:
    """The caller's collection code as a PNG QR, to print."""
    code = await collection_codes.collection_code_of(
        merchant_id=claims_of(request).user_id, vault=vault
    )
    return Response(await render_qr_off_loop(code.code, svg=False), media_type="image/png")


@post(
    "/pay/collection-code",
    operation_id="PayByCollectionCode",
    guards=[requires_role(Role.RESIDENT)],
    middleware=[rate_limited(Quota.PIN), idempotent],
    # The PIN is no part of what a repeated key is compared by: the record keeps no trace
    # of it, and a repeat with other PINs tells nothing of which is right.
    opt={"idempotency_ignores": ("pin",)},
    responses=problems(
        {
            403: _PIN_REFUSED,
            409: [Problem.INSUFFICIENT_FUNDS, Problem.PIN_NOT_SET, Problem.PAYMENT_TO_SELF],
            422: [Problem.COLLECTION_CODE_INVALID],
        }
    ),
)
async def pay_by_collection_code(
    request: AnyRequest, data: JSONBody[PayByCodeIn], vault: NamedDependency[Vault]
) -> PaymentView:
    """Pay a merchant by scanning their collection code (主扫): the amount and the PIN.

    Send an `Idempotency-Key`: a retry after a dropped connection then answers the first
    payment instead of paying twice."""
    order = strictly(await request.json(), PayByCodeIn)
    return await collection_codes.pay_by_collection_code(
        payer_id=claims_of(request).user_id,
        code=order.code,
        amount=order.amount_fen,
        pin=order.pin,
        vault=vault,
    )


@get(
    "/payments/{payment_id:int}",
    operation_id="GetPayment",
    guards=[requires_role(Role.RESIDENT)],
    responses=problems({404: [Problem.PAYMENT_NOT_FOUND]}),
)
async def get_payment(request: AnyRequest, payment_id: FromPath[RowId]) -> PaymentView:
    """A payment the caller made or collected, with its status.

    A merchant waiting for the payer's confirmation asks here; anyone else's payment is
    not found."""
    return await payments.payment_of(viewer_id=claims_of(request).user_id, payment_id=payment_id)


@post(
    "/payments/{payment_id:int}/confirm",
    operation_id="ConfirmPayment",
    guards=[requires_role(Role.RESIDENT)],
    middleware=[rate_limited(Quota.PIN), idempotent],
    opt={"idempotency_ignores": ("pin",)},
    status_code=200,
    responses=problems(
        {
            403: _PIN_REFUSED,
            404: [Problem.PAYMENT_NOT_FOUND],
            409: [Problem.PAYMENT_NOT_AWAITING, Problem.INSUFFICIENT_FUNDS, Problem.PIN_NOT_SET],
        }
    ),
)
async def confirm_payment(
    request: AnyRequest, payment_id: FromPath[RowId], data: JSONBody[ConfirmIn]
) -> PaymentView:
    """Confirm with the PIN a payment that awaits the caller, the payer.

    A payer code scanned for more than the limits of payment without a PIN waits two
    minutes for this; the money moves now. Confirming twice pays once."""
    return await payments.confirm(
        payer_id=claims_of(request).user_id, payment_id=payment_id, pin=data.pin
    )


@post(
    "/payments/{payment_id:int}/refunds",
    operation_id="RefundPayment",
    guards=[requires_role(Role.MERCHANT)],
    middleware=[idempotent],
    responses=problems(
        {
            404: [Problem.PAYMENT_NOT_FOUND],
            409: [
                Problem.REFUND_EXCEEDS_PAYMENT,
                Problem.PAYMENT_NOT_REFUNDABLE,
                Problem.VOUCHER_PAYMENT_REFUNDED_WHOLE,
                Problem.INSUFFICIENT_FUNDS,
            ],
        }
    ),
)
async def refund_payment(
    request: AnyRequest, payment_id: FromPath[RowId], data: JSONBody[RefundIn]
) -> RefundView:
    """Give back all or part of a payment the caller collected (退款).

    Refunds of a payment never add up to more than the payer paid; the money goes back to
    the payer's wallet from the caller's account. A payment a voucher paid part of is
    refunded whole, and the voucher's part goes back to its campaign. Send an
    `Idempotency-Key`: a retry then answers the first refund instead of giving back
    twice."""
    order = strictly(await request.json(), RefundIn)
    return await refunds.refund(
        merchant_id=claims_of(request).user_id, payment_id=payment_id, amount=order.amount_fen
    )


PAY_ROUTES = [
    set_pin,
    unlock_pin,
    my_collection_code,
    my_collection_code_png,
    pay_by_collection_code,
    get_payment,
    confirm_payment,
    refund_payment,
]
