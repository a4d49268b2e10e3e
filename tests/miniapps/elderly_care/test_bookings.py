"""Home care services: a community's admins keep the catalogue and its slots; the elder,
or a family member on their behalf, books a slot, paid first from the elder's allowance
and the rest through the payment app's cashier; the provider confirms once paid, starts
and finishes; the elder's side rates it. A slot in the past or a full one is refused and
nothing is written; a cancelled booking gives back its place, allowance and money."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import msgspec
from litestar import Litestar

from backend.kernel.roles import Role
from backend.kernel.services import services_of
from backend.kernel.settings import UnpaidBookings
from backend.sdk import fetch_rows
from miniapps.elderly_care.tables import Booking, CareSlot, Subsidy
from miniapps.payment.payments import close_unconfirmed_payments
from push.tables import InboxItem
from tests.conftest import Client, TokenFor, TokenForPhone, bearer
from tests.miniapps.elderly_care.circle import (
    APP,
    C03,
    DAUGHTER,
    SON,
    CareClock,
    Person,
    enrolled_elder,
    join_circle,
    someone,
)
from tests.miniapps.payment.helpers import fund, set_pin, user_id_of, wallet_balance
from tests.support import eventually, notices_recorded

PAY = "/v1/miniapps/payment"
BATH = 3_000  # fen


class Setting:
    def __init__(self, elder: Person, elder_id: int, member: Person, admin: dict[str, str]):
        self.elder = elder
        self.elder_id = elder_id
        self.member = member
        self.admin = admin
        self.provider: Person
        self.service_id = 0


async def _setting(
    app: Litestar, client: Client, token_for: TokenFor, token_for_phone: TokenForPhone
) -> tuple[Setting, CareClock]:
    clock = CareClock(app)
    elder, elder_id = await enrolled_elder(client, token_for_phone)
    daughter = await someone(client, token_for_phone, DAUGHTER)
    await join_circle(client, elder, elder_id, daughter)
    await fund(daughter.user_id, 10_000)
    await set_pin(client, daughter.token)
    setting = Setting(elder, elder_id, daughter, bearer(await token_for(Role.COMMUNITY_ADMIN)))
    merchant = await token_for(Role.MERCHANT)
    setting.provider = Person(merchant, await user_id_of(client, merchant))
    added = await client.post(
        f"{APP}/services",
        json={
            "community": C03,
            "kind": "bathing",
            "name": "上门助浴",
            "provider_id": setting.provider.user_id,
            "price_fen": BATH,
            "minutes": 60,
        },
        headers=setting.admin,
    )
    assert added.status_code == 201, added.text
    setting.service_id = added.json()["id"]
    return setting, clock


async def _slot(client: Client, setting: Setting, at: dt.datetime, capacity: int = 1) -> int:
    opened = await client.post(
        f"{APP}/services/{setting.service_id}/slots",
        json={"starts_at": at.isoformat(), "capacity": capacity},
        headers=setting.admin,
    )
    assert opened.status_code == 201, opened.text
    return int(opened.json()["id"])


async def _allowance(client: Client, setting: Setting, fen: int) -> None:
    given = await client.put(
        f"{APP}/elders/{setting.elder_id}/subsidy", json={"monthly_fen": fen}, headers=setting.admin
    )
    assert given.status_code == 200, given.text


async def _book(client: Client, setting: Setting, slot_id: int, by: Person) -> Any:
    return await client.post(
        f"{APP}/elders/{setting.elder_id}/bookings", json={"slot_id": slot_id}, headers=by.headers
    )


async def _charge_id(app: Litestar, booking_id: int) -> int:
    charge = await services_of(app).cashier.charge_of(
        part="elderly_care", reference=f"booking-{booking_id}"
    )
    assert charge is not None
    return charge.payment_id


async def _pay(app: Litestar, client: Client, payer: Person, booking_id: int) -> None:
    payment_id = await _charge_id(app, booking_id)
    paid = await client.post(
        f"{PAY}/payments/{payment_id}/confirm", json={"pin": "260417"}, headers=payer.headers
    )
    assert paid.status_code == 200, paid.text


async def _payment_is(booking_id: int, payment: str) -> None:
    async def there() -> bool:
        row = await Booking.select(Booking.payment).where(Booking.id == booking_id).first()
        return row is not None and row["payment"] == payment

    await eventually(there, what=f"booking {booking_id} {payment}")


async def test_a_member_books_for_the_elder_pays_the_rest_and_the_provider_serves(
    app: Litestar, client: Client, token_for: TokenFor, token_for_phone: TokenForPhone
) -> None:
    setting, clock = await _setting(app, client, token_for, token_for_phone)
    await _allowance(client, setting, 1_000)
    slot_id = await _slot(client, setting, clock.now + dt.timedelta(days=1))
    booked = await _book(client, setting, slot_id, setting.member)
    assert booked.status_code == 201, booked.text
    shown = booked.json()
    assert (shown["status"], shown["on_behalf"], shown["booked_by"]["id"]) == (
        "requested",
        True,
        setting.member.user_id,
    )
    assert (shown["subsidy_fen"], shown["charge_fen"], shown["payment"]) == (
        1_000,
        2_000,
        "awaiting_payer",
    )
    assert shown["pay_link"]
    booking = f"{APP}/bookings/{shown['id']}"
    provider = setting.provider.headers
    early = await client.post(f"{booking}/confirm", headers=provider)
    assert (early.status_code, early.json()["code"]) == (409, "care_booking_unpaid")

    await _pay(app, client, setting.member, shown["id"])
    assert await wallet_balance(client, setting.member.token) == 10_000 - 2_000
    await _payment_is(shown["id"], "paid")
    by_elder = await client.post(f"{booking}/confirm", headers=setting.elder.headers)
    assert (by_elder.status_code, by_elder.json()["code"]) == (403, "care_provider_only")
    for action, status in (("confirm", "confirmed"), ("start", "in_service"), ("finish", "done")):
        moved = await client.post(f"{booking}/{action}", headers=provider)
        assert moved.status_code == 200, moved.text
        assert moved.json()["status"] == status
    again = await client.post(f"{booking}/finish", headers=provider)
    assert (again.status_code, again.json()["code"]) == (409, "care_booking_moved_on")
    await notices_recorded()
    told = await InboxItem.select(InboxItem.title).where(InboxItem.user_id == setting.elder.user_id)
    assert "预约已确认" in [row["title"] for row in told]

    rated = await client.post(
        f"{booking}/rate", json={"stars": 5, "comment": "很细心"}, headers=setting.elder.headers
    )
    assert rated.status_code == 200, rated.text
    assert (rated.json()["stars"], rated.json()["comment"]) == (5, "很细心")
    twice = await client.post(f"{booking}/rate", json={"stars": 1}, headers=setting.member.headers)
    assert (twice.status_code, twice.json()["code"]) == (409, "care_already_rated")
    subsidy = await client.get(f"{APP}/elders/{setting.elder_id}/subsidy", headers=setting.admin)
    assert (subsidy.json()["monthly_fen"], subsidy.json()["balance_fen"]) == (1_000, 0)
    listed = await client.get(f"{APP}/services/{setting.service_id}/bookings", headers=provider)
    assert [b["id"] for b in listed.json()["items"]] == [shown["id"]]


async def test_a_slot_in_the_past_or_full_is_refused_and_nothing_is_written(
    app: Litestar, client: Client, token_for: TokenFor, token_for_phone: TokenForPhone
) -> None:
    setting, clock = await _setting(app, client, token_for, token_for_phone)
    await _allowance(client, setting, 5_000)
    past = await client.post(
        f"{APP}/services/{setting.service_id}/slots",
        json={"starts_at": (clock.now - dt.timedelta(minutes=1)).isoformat(), "capacity": 2},
        headers=setting.admin,
    )
    assert (past.status_code, past.json()["code"]) == (422, "care_slot_in_past")
    soon = clock.now + dt.timedelta(hours=2)
    slot_id = await _slot(client, setting, soon)
    twice = await client.post(
        f"{APP}/services/{setting.service_id}/slots",
        json={"starts_at": soon.isoformat(), "capacity": 2},
        headers=setting.admin,
    )
    assert (twice.status_code, twice.json()["code"]) == (409, "care_slot_exists")
    for far in ("9999-12-31T23:30:00-05:00", (clock.now + dt.timedelta(days=400)).isoformat()):
        too_far = await client.post(
            f"{APP}/services/{setting.service_id}/slots",
            json={"starts_at": far, "capacity": 2},
            headers=setting.admin,
        )
        assert (too_far.status_code, too_far.json()["code"]) == (422, "care_slot_too_far")

    # Two taps at once by the elder hold one place.
    taps = await asyncio.gather(*(_book(client, setting, slot_id, setting.elder) for _ in range(3)))
    assert sorted(t.status_code for t in taps) == [201, 409, 409], [t.text for t in taps]
    assert {t.json()["code"] for t in taps if t.status_code == 409} <= {
        "care_already_booked",
        "care_slot_full",
    }
    # Another elder of the community finds it full.
    other = await someone(client, token_for_phone, DAUGHTER)
    enrolled = await client.post(f"{APP}/elders", json={}, headers=other.headers)
    assert enrolled.status_code == 201, enrolled.text
    full = await client.post(
        f"{APP}/elders/{enrolled.json()['id']}/bookings",
        json={"slot_id": slot_id},
        headers=other.headers,
    )
    assert (full.status_code, full.json()["code"]) == (409, "care_slot_full")

    later = await _slot(client, setting, clock.now + dt.timedelta(hours=3), capacity=5)
    clock.now += dt.timedelta(hours=4)
    gone = await _book(client, setting, later, setting.elder)
    assert (gone.status_code, gone.json()["code"]) == (422, "care_slot_in_past")
    assert await Booking.count() == 1
    [slot] = await CareSlot.select(CareSlot.booked).where(CareSlot.id == later)
    assert slot["booked"] == 0
    [allowance] = await Subsidy.select(Subsidy.balance_fen)
    assert allowance["balance_fen"] == 5_000 - BATH
    unknown = await _book(client, setting, 999_999, setting.elder)
    assert (unknown.status_code, unknown.json()["code"]) == (404, "care_slot_not_found")


async def test_cancelling_gives_back_the_place_the_allowance_and_the_money(
    app: Litestar, client: Client, token_for: TokenFor, token_for_phone: TokenForPhone
) -> None:
    setting, clock = await _setting(app, client, token_for, token_for_phone)
    await _allowance(client, setting, 500)
    slot_id = await _slot(client, setting, clock.now + dt.timedelta(days=2))
    booked = (await _book(client, setting, slot_id, setting.member)).json()
    await _pay(app, client, setting.member, booked["id"])
    await _payment_is(booked["id"], "paid")
    by_provider = await client.post(
        f"{APP}/bookings/{booked['id']}/cancel", json={}, headers=setting.provider.headers
    )
    assert (by_provider.status_code, by_provider.json()["code"]) == (422, "reason_required")
    cancelled = await client.post(
        f"{APP}/bookings/{booked['id']}/cancel", json={}, headers=setting.elder.headers
    )
    assert cancelled.status_code == 200, cancelled.text
    assert (cancelled.json()["status"], cancelled.json()["payment"]) == ("cancelled", "refunded")
    assert await wallet_balance(client, setting.member.token) == 10_000
    [slot] = await CareSlot.select(CareSlot.booked)
    assert slot["booked"] == 0
    [allowance] = await Subsidy.select(Subsidy.balance_fen)
    assert allowance["balance_fen"] == 500
    # An allowance lowered after it was spent gets back no more than its new amount.
    spent = (await _book(client, setting, slot_id, setting.elder)).json()
    assert spent["subsidy_fen"] == 500
    await _allowance(client, setting, 200)
    await client.post(
        f"{APP}/bookings/{spent['id']}/cancel", json={}, headers=setting.elder.headers
    )
    shown = await client.get(f"{APP}/elders/{setting.elder_id}/subsidy", headers=setting.admin)
    assert (shown.json()["monthly_fen"], shown.json()["balance_fen"]) == (200, 200)
    again = await client.post(
        f"{APP}/bookings/{booked['id']}/cancel", json={}, headers=setting.elder.headers
    )
    assert (again.status_code, again.json()["code"]) == (409, "care_booking_moved_on")

    # A charge left unpaid past its time cancels its booking the same way.
    rebooked = (await _book(client, setting, slot_id, setting.elder)).json()
    assert rebooked["payment"] == "awaiting_payer"
    await fetch_rows(
        "UPDATE payment_payment SET expires_at = $1 WHERE id = $2",
        dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1),
        await _charge_id(app, rebooked["id"]),
    )
    assert await close_unconfirmed_payments() == 1
    await _payment_is(rebooked["id"], "closed")
    shown = await client.get(f"{APP}/bookings/{rebooked['id']}", headers=setting.elder.headers)
    assert shown.json()["status"] == "cancelled"
    [slot] = await CareSlot.select(CareSlot.booked)
    assert slot["booked"] == 0


async def test_without_a_payment_app_paid_bookings_are_refused_or_free_by_configuration(
    app: Litestar, client: Client, token_for: TokenFor, token_for_phone: TokenForPhone
) -> None:
    setting, clock = await _setting(app, client, token_for, token_for_phone)
    slot_id = await _slot(client, setting, clock.now + dt.timedelta(days=1))
    services = services_of(app)
    cashier, settings = services.cashier, services.settings
    services.cashier = None  # as when the payment mini-app is not installed
    try:
        refused = await _book(client, setting, slot_id, setting.elder)
        assert (refused.status_code, refused.json()["code"]) == (422, "care_payment_unavailable")
        assert await Booking.count() == 0
        [slot] = await CareSlot.select(CareSlot.booked)
        assert slot["booked"] == 0
        services.settings = msgspec.structs.replace(
            settings, care_unpaid_bookings=UnpaidBookings.FREE
        )
        free = await _book(client, setting, slot_id, setting.elder)
        assert free.status_code == 201, free.text
        assert (free.json()["payment"], free.json()["charge_fen"]) == ("waived", BATH)
        confirmed = await client.post(
            f"{APP}/bookings/{free.json()['id']}/confirm", headers=setting.provider.headers
        )
        assert confirmed.status_code == 200, confirmed.text
    finally:
        services.cashier, services.settings = cashier, settings


async def test_who_keeps_the_catalogue_and_who_sees_a_booking(
    app: Litestar, client: Client, token_for: TokenFor, token_for_phone: TokenForPhone
) -> None:
    setting, clock = await _setting(app, client, token_for, token_for_phone)
    body = {
        "community": C03,
        "kind": "meals",
        "name": "助餐",
        "provider_id": setting.provider.user_id,
        "price_fen": 0,
        "minutes": 30,
    }
    other_admin = bearer(await token_for_phone("13800000015"))
    not_theirs = await client.post(f"{APP}/services", json=body, headers=other_admin)
    assert (not_theirs.status_code, not_theirs.json()["code"]) == (403, "community_not_yours")
    # The provider, in the elder's circle, does not pay themselves.
    provider_son = await someone(client, token_for_phone, SON)
    assert provider_son.user_id == setting.provider.user_id
    await join_circle(client, setting.elder, setting.elder_id, provider_son)
    own_slot = await _slot(client, setting, clock.now + dt.timedelta(days=3))
    own = await _book(client, setting, own_slot, provider_son)
    assert (own.status_code, own.json()["code"]) == (409, "care_own_service")
    not_merchant = await client.post(
        f"{APP}/services",
        json={**body, "provider_id": setting.elder.user_id},
        headers=setting.admin,
    )
    assert (not_merchant.status_code, not_merchant.json()["code"]) == (
        422,
        "care_provider_not_merchant",
    )
    catalogue = await client.get(
        f"{APP}/services", params={"community": C03}, headers=setting.elder.headers
    )
    assert [s["name"] for s in catalogue.json()["items"]] == ["上门助浴"]

    slot_id = await _slot(client, setting, clock.now + dt.timedelta(days=1), capacity=3)
    booked = (await _book(client, setting, slot_id, setting.elder)).json()
    stranger = await someone(client, token_for_phone, "13800000004")  # g08's grid worker
    hidden = await client.get(f"{APP}/bookings/{booked['id']}", headers=stranger.headers)
    assert (hidden.status_code, hidden.json()["code"]) == (404, "care_booking_not_found")
    for viewer in (setting.member, setting.provider):
        assert (
            await client.get(f"{APP}/bookings/{booked['id']}", headers=viewer.headers)
        ).status_code == 200
    by_stranger = await client.post(
        f"{APP}/elders/{setting.elder_id}/bookings",
        json={"slot_id": slot_id},
        headers=stranger.headers,
    )
    assert by_stranger.status_code == 404
