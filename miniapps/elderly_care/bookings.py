"""Bookings of home care services: the elder, or a member of their circle on their behalf
(marked so), books a slot; its price is paid first from the elder's allowance, the rest
charged to the booker through the host's cashier, and the provider confirms once it is
paid, then starts and finishes the service; the elder's side rates it once done.

A slot's places are taken by one conditional update, so a full slot takes no more and
two bookings of its last place give one. A cancelled booking frees its place, gives the
allowance back and closes or refunds its charge."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from backend.sdk import (
    ROW_ID_MAX,
    UNIQUE_VIOLATION,
    Audience,
    Cashier,
    ChargeFinished,
    ChargeStatus,
    Claims,
    Conflict,
    Forbidden,
    NotFound,
    Template,
    Unprocessable,
    decode_cursor,
    encode_cursor,
    fetch_rows,
    notify,
    people,
    placeholders,
    unit_of_work,
)
from miniapps.elderly_care.catalogue import service_views
from miniapps.elderly_care.elders import Seen, elder_seen_by, in_circle
from miniapps.elderly_care.errors import CareProblem
from miniapps.elderly_care.rules import COMMUNITY_ADMINS, community_of
from miniapps.elderly_care.runtime import CareRuntime
from miniapps.elderly_care.schemas import Worker
from miniapps.elderly_care.service_schemas import (
    BookingPage,
    BookingStatus,
    BookingView,
    Payment,
    RatingIn,
)
from miniapps.elderly_care.subsidy import draw, give_back

PART = "elderly_care"
INSUFFICIENT_FUNDS = "insufficient_funds"  # the cashier's code for a merchant's empty account
PAY_WITHIN = dt.timedelta(minutes=30)
OPEN = (BookingStatus.REQUESTED, BookingStatus.CONFIRMED)
SETTLED = (Payment.NONE, Payment.PAID, Payment.WAIVED)

NEW_BOOKING = Template(
    key="elderly_care.new_booking",
    category="elderly_care",
    titles={"zh-CN": "新的服务预约", "en": "New booking"},
    bodies={"zh-CN": "{service}有新的预约,请确认", "en": "A new booking of {service}"},
)
BOOKING_CONFIRMED = Template(
    key="elderly_care.booking_confirmed",
    category="elderly_care",
    titles={"zh-CN": "预约已确认", "en": "Booking confirmed"},
    bodies={"zh-CN": "{service}已确认,请按时在家", "en": "{service} is confirmed"},
)
BOOKING_CANCELLED = Template(
    key="elderly_care.booking_cancelled",
    category="elderly_care",
    titles={"zh-CN": "预约已取消", "en": "Booking cancelled"},
    bodies={"zh-CN": "{service}的预约已取消", "en": "The booking of {service} is cancelled"},
)
TOLD = {BookingStatus.CONFIRMED: BOOKING_CONFIRMED, BookingStatus.CANCELLED: BOOKING_CANCELLED}


def reference_of(booking_id: int) -> str:
    return f"booking-{booking_id}"


def booking_link(booking_id: int) -> str:
    return f"yimen://miniapps/elderly_care/bookings/{booking_id}"


async def book(*, actor: Claims, seen: Seen, slot_id: int, care: CareRuntime) -> int:
    """Book a slot of a service of the elder's community for the elder."""
    own = seen.own
    if not own and not await in_circle(seen.id, actor.user_id):
        raise Forbidden(CareProblem.ELDER_OR_FAMILY)
    rows = await fetch_rows(
        "SELECT s.starts_at, v.* FROM elderly_care_slot s JOIN elderly_care_service v"
        " ON v.id = s.service_id WHERE s.id = $1",
        slot_id,
    )
    if not rows or rows[0]["community_path"] != community_of(str(seen.elder["grid_path"])):
        raise NotFound(CareProblem.SLOT_NOT_FOUND)
    service = rows[0]
    now = care.clock()
    if service["starts_at"] <= now:
        raise Unprocessable(CareProblem.SLOT_IN_PAST)
    try:
        async with unit_of_work():
            return await _book(actor, seen, slot_id, service, care)
    except UNIQUE_VIOLATION as err:
        raise Conflict(CareProblem.ALREADY_BOOKED) from err


async def _book(
    actor: Claims, seen: Seen, slot_id: int, service: Mapping[str, Any], care: CareRuntime
) -> int:
    now = care.clock()
    taken = await fetch_rows(
        "UPDATE elderly_care_slot SET booked = booked + 1 WHERE id = $1 AND booked < capacity"
        " AND starts_at > $2 RETURNING id",
        slot_id,
        now,
    )
    if not taken:
        raise Conflict(CareProblem.SLOT_FULL)
    price = int(service["price_fen"])
    subsidy, month = await draw(seen.id, price, care)
    charge = price - subsidy
    payment = Payment.NONE
    if charge:
        payment = Payment.AWAITING_PAYER if care.services.has_cashier else Payment.WAIVED
        if payment is Payment.WAIVED and care.services.settings.care_unpaid_bookings == "refuse":
            raise Unprocessable(CareProblem.PAYMENT_UNAVAILABLE)
    rows = await fetch_rows(
        "INSERT INTO elderly_care_booking (elder_id, service_id, slot_id, status, booked_by,"
        " on_behalf, price_fen, subsidy_fen, charge_fen, payment, subsidy_month, booked_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        seen.id,
        service["id"],
        slot_id,
        BookingStatus.REQUESTED.value,
        actor.user_id,
        not seen.own,
        price,
        subsidy,
        charge,
        payment.value,
        month,
        now,
    )
    booking_id = int(rows[0]["id"])
    if payment is Payment.AWAITING_PAYER:
        if actor.user_id == int(service["provider_id"]):
            raise Conflict(CareProblem.OWN_SERVICE)
        asked = await care.services.cashier.request_charge(
            part=PART,
            reference=reference_of(booking_id),
            payer_id=actor.user_id,
            merchant_id=int(service["provider_id"]),
            amount_fen=charge,
            purpose=str(service["name"]),
            expires_in=PAY_WITHIN,
        )
        await fetch_rows(
            "UPDATE elderly_care_booking SET pay_link = $2 WHERE id = $1",
            booking_id,
            asked.deep_link,
        )
    await notify(
        audience=Audience.users(int(service["provider_id"])),
        template=NEW_BOOKING,
        data={"service": str(service["name"])},
        source=PART,
        deep_link=booking_link(booking_id),
    )
    return booking_id


class Stands:
    """How the caller stands to a booking: the elder's side (the elder or their circle),
    its provider, or the admins over its community."""

    def __init__(self, booking: Mapping[str, Any], *, elder_side: bool, provider: bool) -> None:
        self.booking = booking
        self.elder_side = elder_side
        self.provider = provider


def require_provider(actor: Claims, service: Mapping[str, Any]) -> None:
    """The service's provider, or an admin over its community."""
    if int(service["provider_id"]) != actor.user_id and not actor.covers(
        str(service["community_path"]), *COMMUNITY_ADMINS
    ):
        raise Forbidden(CareProblem.PROVIDER_ONLY)


async def booking_seen_by(actor: Claims, booking_id: int) -> Stands:
    """The booking, for whoever sees its elder and for its provider; else not found."""
    rows = await fetch_rows(
        "SELECT b.*, v.provider_id, v.community_path FROM elderly_care_booking b"
        " JOIN elderly_care_service v ON v.id = b.service_id WHERE b.id = $1",
        booking_id,
    )
    if rows:
        booking = rows[0]
        provider = int(booking["provider_id"]) == actor.user_id or actor.covers(
            str(booking["community_path"]), *COMMUNITY_ADMINS
        )
        try:
            seen = await elder_seen_by(actor, int(booking["elder_id"]))
        except NotFound:
            if provider:
                return Stands(booking, elder_side=False, provider=True)
        else:
            elder_side = seen.own or await in_circle(seen.id, actor.user_id)
            return Stands(booking, elder_side=elder_side, provider=provider)
    raise NotFound(CareProblem.BOOKING_NOT_FOUND)


# Each move: from which statuses, to which, and who may make it.
MOVES = {
    "confirm": ((BookingStatus.REQUESTED,), BookingStatus.CONFIRMED),
    "start": ((BookingStatus.CONFIRMED,), BookingStatus.IN_SERVICE),
    "finish": ((BookingStatus.IN_SERVICE,), BookingStatus.DONE),
}


async def move(*, actor: Claims, booking_id: int, action: str, care: CareRuntime) -> None:
    """The provider (or the admins over the community) confirms a paid booking, starts
    and finishes the service."""
    stands = await booking_seen_by(actor, booking_id)
    if not stands.provider:
        raise Forbidden(CareProblem.PROVIDER_ONLY)
    from_, to = MOVES[action]
    booking = stands.booking
    if to is BookingStatus.CONFIRMED and booking["payment"] not in SETTLED:
        raise Conflict(CareProblem.BOOKING_UNPAID)
    async with unit_of_work():
        if not await _set_status(booking_id, to, from_):
            raise Conflict(CareProblem.BOOKING_NOT_THERE)
        if to is BookingStatus.CONFIRMED:
            await _tell_elder_side(booking, to)


async def _set_status(
    booking_id: int, to: BookingStatus, from_: Sequence[BookingStatus], **also: Any
) -> bool:
    sets = "".join(f", {column} = ${n}" for n, column in enumerate(also, start=3))
    among = placeholders(3 + len(also), len(from_))
    rows = await fetch_rows(
        f"UPDATE elderly_care_booking SET status = $2{sets}"  # noqa: S608 - our own columns
        f" WHERE id = $1 AND status IN ({among}) RETURNING id",
        booking_id,
        to.value,
        *also.values(),
        *[s.value for s in from_],
    )
    return bool(rows)


async def cancel(*, actor: Claims, booking_id: int, reason: str | None, care: CareRuntime) -> None:
    """Called off before the service starts: by the elder's side, or by the provider or
    admins with a reason. Its place is freed, the allowance given back, the charge closed
    (or, if paid, refunded whole)."""
    stands = await booking_seen_by(actor, booking_id)
    if not (stands.elder_side or stands.provider):
        raise Forbidden(CareProblem.ELDER_OR_FAMILY)
    if not stands.elder_side and not (reason and reason.strip()):
        raise Unprocessable(CareProblem.REASON_REQUIRED)
    async with unit_of_work():
        if not await end_booking(stands.booking, actor.user_id, reason, care):
            raise Conflict(CareProblem.BOOKING_NOT_THERE)
        told = stands.booking
        if stands.elder_side:
            await notify(
                audience=Audience.users(int(told["provider_id"])),
                template=BOOKING_CANCELLED,
                data={"service": await _service_name(told)},
                source=PART,
                deep_link=booking_link(booking_id),
            )
        else:
            await _tell_elder_side(told, BookingStatus.CANCELLED)


async def end_booking(
    booking: Mapping[str, Any], by: int | None, reason: str | None, care: CareRuntime
) -> bool:
    """Cancel an open booking and undo what it took; False if it was no longer open."""
    booking_id = int(booking["id"])
    if not await _set_status(
        booking_id, BookingStatus.CANCELLED, OPEN, cancelled_by=by, cancel_reason=reason
    ):
        return False
    await fetch_rows(
        "UPDATE elderly_care_slot SET booked = booked - 1 WHERE id = $1", booking["slot_id"]
    )
    await give_back(
        int(booking["elder_id"]), int(booking["subsidy_fen"]), str(booking["subsidy_month"]), care
    )
    payment = Payment(booking["payment"])
    if payment in (Payment.AWAITING_PAYER, Payment.PAID) and care.services.has_cashier:
        payment = await _undo_charge(care.services.cashier, reference_of(booking_id)) or payment
        await fetch_rows(
            "UPDATE elderly_care_booking SET payment = $2 WHERE id = $1", booking_id, payment.value
        )
    return True


async def _undo_charge(cashier: Cashier, reference: str) -> Payment | None:
    """Close the booking's charge, or give back what the payer's wallet paid and was not
    given back yet; what stands of its payment then."""
    charge = await cashier.charge_of(part=PART, reference=reference)
    if charge is not None and charge.status is ChargeStatus.AWAITING_PAYER:
        try:
            charge = await cashier.cancel_charge(part=PART, reference=reference)
        except Conflict:  # paid meanwhile: it is refunded instead
            charge = await cashier.charge_of(part=PART, reference=reference)
    if charge is None:
        return None
    if charge.status is not ChargeStatus.PAID:
        return Payment.CLOSED
    owed = charge.amount_fen - charge.subsidy_fen - charge.refunded_fen
    if owed > 0:
        try:
            await cashier.refund_charge(
                part=PART, reference=reference, refund_key="cancelled", amount_fen=owed
            )
        except Conflict as err:
            if err.code != INSUFFICIENT_FUNDS:
                raise
            # Settled to the provider's bank already: the booking ends, and shows the
            # refund as the provider's to make.
            return Payment.REFUND_OWED
    return Payment.REFUNDED


async def rate(*, actor: Claims, booking_id: int, rating: RatingIn) -> None:
    """The elder's side rates a service once it is done, once."""
    stands = await booking_seen_by(actor, booking_id)
    if not stands.elder_side:
        raise Forbidden(CareProblem.ELDER_OR_FAMILY)
    if stands.booking["status"] != BookingStatus.DONE.value:
        raise Conflict(CareProblem.BOOKING_NOT_DONE)
    rows = await fetch_rows(
        "UPDATE elderly_care_booking SET stars = $2, comment = $3 WHERE id = $1"
        " AND stars IS NULL RETURNING id",
        booking_id,
        rating.stars,
        rating.comment,
    )
    if not rows:
        raise Conflict(CareProblem.ALREADY_RATED)


async def charge_finished(finished: ChargeFinished, care: CareRuntime) -> None:
    """The payment app's word on a booking's charge: paid, the provider may confirm it;
    closed unpaid, the booking is cancelled and its place freed."""
    if finished.part != PART or not finished.reference.startswith("booking-"):
        return
    booking_id = int(finished.reference.removeprefix("booking-"))
    if finished.status is ChargeStatus.PAID:
        await fetch_rows(
            "UPDATE elderly_care_booking SET payment = $2 WHERE id = $1 AND payment = $3",
            booking_id,
            Payment.PAID.value,
            Payment.AWAITING_PAYER.value,
        )
        return
    rows = await fetch_rows(
        "SELECT b.*, v.provider_id FROM elderly_care_booking b JOIN elderly_care_service v"
        " ON v.id = b.service_id WHERE b.id = $1 AND b.payment = $2",
        booking_id,
        Payment.AWAITING_PAYER.value,
    )
    if rows and await end_booking(rows[0], None, "未按时支付", care):
        await _tell_elder_side(rows[0], BookingStatus.CANCELLED)


async def _tell_elder_side(booking: Mapping[str, Any], status: BookingStatus) -> None:
    elder = await fetch_rows(
        "SELECT user_id FROM elderly_care_elder WHERE id = $1", booking["elder_id"]
    )
    told = {int(elder[0]["user_id"]), int(booking["booked_by"])}
    await notify(
        audience=Audience.users(*sorted(told)),
        template=TOLD[status],
        data={"service": await _service_name(booking)},
        source=PART,
        deep_link=booking_link(int(booking["id"])),
    )


async def _service_name(booking: Mapping[str, Any]) -> str:
    rows = await fetch_rows(
        "SELECT name FROM elderly_care_service WHERE id = $1", booking["service_id"]
    )
    return str(rows[0]["name"])


async def bookings_of(
    *, elder_id: int | None = None, service_id: int | None = None, cursor: str | None, limit: int
) -> BookingPage:
    """An elder's bookings, or a service's, newest first."""
    before = decode_cursor(cursor) if cursor else ROW_ID_MAX
    column, value = ("elder_id", elder_id) if elder_id is not None else ("service_id", service_id)
    rows = await fetch_rows(
        f"SELECT * FROM elderly_care_booking WHERE {column} = $1 AND id < $2"  # noqa: S608 - one of two columns
        " ORDER BY id DESC LIMIT $3",
        value,
        before,
        limit + 1,
    )
    items = await booking_views(rows[:limit])
    more = len(rows) > limit
    return BookingPage(items=items, next_cursor=encode_cursor(items[-1].id) if more else None)


async def booking_views(rows: Sequence[Mapping[str, Any]]) -> list[BookingView]:
    if not rows:
        return []
    service_ids = sorted({int(r["service_id"]) for r in rows})
    services = await fetch_rows(
        "SELECT * FROM elderly_care_service WHERE id IN"  # noqa: S608 - placeholders only
        f" ({placeholders(1, len(service_ids))})",
        *service_ids,
    )
    by_id = {v.id: v for v in await service_views(services)}
    slot_ids = sorted({int(r["slot_id"]) for r in rows})
    slots = await fetch_rows(
        "SELECT id, starts_at FROM elderly_care_slot WHERE id IN"  # noqa: S608 - placeholders only
        f" ({placeholders(1, len(slot_ids))})",
        *slot_ids,
    )
    starts = {int(s["id"]): s["starts_at"] for s in slots}
    named = await people({int(r["booked_by"]) for r in rows})
    return [
        BookingView(
            id=int(r["id"]),
            elder_id=int(r["elder_id"]),
            service=by_id[int(r["service_id"])],
            starts_at=starts[int(r["slot_id"])],
            status=BookingStatus(r["status"]),
            booked_by=Worker(
                id=int(r["booked_by"]),
                name=named[int(r["booked_by"])].name if int(r["booked_by"]) in named else "",
            ),
            on_behalf=bool(r["on_behalf"]),
            price_fen=int(r["price_fen"]),
            subsidy_fen=int(r["subsidy_fen"]),
            charge_fen=int(r["charge_fen"]),
            payment=Payment(r["payment"]),
            pay_link=r["pay_link"],
            stars=r["stars"],
            comment=r["comment"],
            cancel_reason=r["cancel_reason"],
        )
        for r in rows
    ]


async def booking_view(booking_id: int) -> BookingView:
    rows = await fetch_rows("SELECT * FROM elderly_care_booking WHERE id = $1", booking_id)
    return (await booking_views(rows))[0]
