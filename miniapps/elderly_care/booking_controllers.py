"""HTTP of bookings of home care services."""

from __future__ import annotations

from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from backend.sdk import (
    AnyRequest,
    PageCursor,
    PageLimit,
    RowId,
    claims_of,
    problems,
    strictly,
)
from miniapps.elderly_care import bookings, elders
from miniapps.elderly_care.catalogue import service_row
from miniapps.elderly_care.errors import CareProblem as Problem
from miniapps.elderly_care.runtime import CareRuntime
from miniapps.elderly_care.service_schemas import (
    BookingIn,
    BookingPage,
    BookingView,
    CancelIn,
    RatingIn,
)

BOOKING = "/bookings/{booking_id:int}"
MOVING = problems(
    {
        403: [Problem.PROVIDER_ONLY],
        404: [Problem.BOOKING_NOT_FOUND],
        409: [Problem.BOOKING_NOT_THERE, Problem.BOOKING_UNPAID],
    }
)


@post(
    "/elders/{elder_id:int}/bookings",
    operation_id="BookCareService",
    responses=problems(
        {
            403: [Problem.ELDER_OR_FAMILY],
            404: [Problem.ELDER_NOT_FOUND, Problem.SLOT_NOT_FOUND],
            409: [Problem.SLOT_FULL, Problem.ALREADY_BOOKED, Problem.OWN_SERVICE],
            422: [Problem.SLOT_IN_PAST, Problem.PAYMENT_UNAVAILABLE],
        }
    ),
)
async def book(
    request: AnyRequest,
    elder_id: FromPath[RowId],
    data: JSONBody[BookingIn],
    care: NamedDependency[CareRuntime],
) -> BookingView:
    """Book a service slot of the elder's community, by the elder or a family member.

    A member's booking is marked `on_behalf`. The price is paid first from the elder's
    allowance; the rest is charged to the booker's wallet, confirmed with their PIN at
    `pay_link` within 30 minutes, else the booking is cancelled. The provider confirms it
    once paid."""
    slot_id = strictly(await request.json(), BookingIn).slot_id
    actor = claims_of(request)
    seen = await elders.elder_seen_by(actor, elder_id)
    booking_id = await bookings.book(actor=actor, seen=seen, slot_id=slot_id, care=care)
    return await bookings.booking_view(booking_id)


@get(
    "/elders/{elder_id:int}/bookings",
    operation_id="ListElderBookings",
    responses=problems({404: [Problem.ELDER_NOT_FOUND]}),
)
async def list_bookings(
    request: AnyRequest,
    elder_id: FromPath[RowId],
    cursor: PageCursor = None,
    limit: PageLimit = 20,
) -> BookingPage:
    """The elder's bookings, newest first, for whoever sees the elder."""
    seen = await elders.elder_seen_by(claims_of(request), elder_id)
    return await bookings.bookings_of(elder_id=seen.id, cursor=cursor, limit=limit)


@get(
    "/services/{service_id:int}/bookings",
    operation_id="ListServiceBookings",
    responses=problems({403: [Problem.PROVIDER_ONLY], 404: [Problem.SERVICE_NOT_FOUND]}),
)
async def service_bookings(
    request: AnyRequest,
    service_id: FromPath[RowId],
    cursor: PageCursor = None,
    limit: PageLimit = 20,
) -> BookingPage:
    """A service's bookings, newest first, for its provider and the community's admins."""
    service = await service_row(service_id)
    bookings.require_provider(claims_of(request), service)
    return await bookings.bookings_of(service_id=service_id, cursor=cursor, limit=limit)


@get(BOOKING, operation_id="GetCareBooking", responses=problems({404: [Problem.BOOKING_NOT_FOUND]}))
async def get_booking(request: AnyRequest, booking_id: FromPath[RowId]) -> BookingView:
    """A booking, for whoever sees its elder and for its provider."""
    await bookings.booking_seen_by(claims_of(request), booking_id)
    return await bookings.booking_view(booking_id)


async def _move(
    request: AnyRequest, booking_id: int, action: str, care: CareRuntime
) -> BookingView:
    await bookings.move(actor=claims_of(request), booking_id=booking_id, action=action, care=care)
    return await bookings.booking_view(booking_id)


@post(f"{BOOKING}/confirm", status_code=200, operation_id="ConfirmCareBooking", responses=MOVING)
async def confirm(
    request: AnyRequest, booking_id: FromPath[RowId], care: NamedDependency[CareRuntime]
) -> BookingView:
    """Confirm a requested booking, by its provider, once it is paid (or costs nothing)."""
    return await _move(request, booking_id, "confirm", care)


@post(f"{BOOKING}/start", status_code=200, operation_id="StartCareBooking", responses=MOVING)
async def start(
    request: AnyRequest, booking_id: FromPath[RowId], care: NamedDependency[CareRuntime]
) -> BookingView:
    """The provider is at the elder's home and begins the service."""
    return await _move(request, booking_id, "start", care)


@post(f"{BOOKING}/finish", status_code=200, operation_id="FinishCareBooking", responses=MOVING)
async def finish(
    request: AnyRequest, booking_id: FromPath[RowId], care: NamedDependency[CareRuntime]
) -> BookingView:
    """The service is done; the elder's side may rate it."""
    return await _move(request, booking_id, "finish", care)


@post(
    f"{BOOKING}/cancel",
    status_code=200,
    operation_id="CancelCareBooking",
    responses=problems(
        {
            403: [Problem.ELDER_OR_FAMILY],
            404: [Problem.BOOKING_NOT_FOUND],
            409: [Problem.BOOKING_NOT_THERE],
            422: [Problem.REASON_REQUIRED],
        }
    ),
)
async def cancel(
    request: AnyRequest,
    booking_id: FromPath[RowId],
    data: JSONBody[CancelIn],
    care: NamedDependency[CareRuntime],
) -> BookingView:
    """Call a booking off before the service starts.

    By the elder's side, or by the provider or the community's admins with a `reason`.
    The slot's place is freed, the allowance given back, and the charge closed, or, if
    paid, refunded to the booker's wallet."""
    reason = strictly(await request.json(), CancelIn).reason
    await bookings.cancel(actor=claims_of(request), booking_id=booking_id, reason=reason, care=care)
    return await bookings.booking_view(booking_id)


@post(
    f"{BOOKING}/rate",
    status_code=200,
    operation_id="RateCareBooking",
    responses=problems(
        {
            403: [Problem.ELDER_OR_FAMILY],
            404: [Problem.BOOKING_NOT_FOUND],
            409: [Problem.BOOKING_NOT_DONE, Problem.ALREADY_RATED],
        }
    ),
)
async def rate(
    request: AnyRequest, booking_id: FromPath[RowId], data: JSONBody[RatingIn]
) -> BookingView:
    """Rate a service once it is done, 1 to 5 stars, by the elder's side; once."""
    rating = strictly(await request.json(), RatingIn)
    await bookings.rate(actor=claims_of(request), booking_id=booking_id, rating=rating)
    return await bookings.booking_view(booking_id)


BOOKING_ROUTES = [
    book,
    list_bookings,
    service_bookings,
    get_booking,
    confirm,
    start,
    finish,
    cancel,
    rate,
]
