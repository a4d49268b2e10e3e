"""The limits of a kind of traffic, per user and per address, as the settings set them."""

from __future__ import annotations

import enum

import msgspec

from backend.kernel.codes import KernelCode
from backend.kernel.ratelimit.rates import Limit, Rate
from backend.kernel.settings import Settings


class Quota(enum.StrEnum):
    """What a route is limited as. Login has limits of its own, on the phone as well as the
    address (see `auth.login`); these are for routes that name a quota."""

    REPORTS = "reports"  # reports of events, by a resident, a grid worker or through Open311
    SCANS = "scans"  # health code scans at checkpoints: hot, so generous
    PUBLIC = "public"  # every route open without a login
    PIN = "pin"  # routes that hash a payment PIN: each try costs about 35 ms of a core
    LAUNCHES = "launches"  # launch codes of third-party apps, each good for five minutes
    OPEN_API = "open_api"  # a third-party app's server calling the open API, per app
    OPEN_NOTICES = "open_notices"  # a third-party app's notifications to one user
    OPEN_NOTICES_DAILY = "open_notices_daily"  # a third-party app's notifications in a day


class Rates(msgspec.Struct, frozen=True):
    per_user: Rate | None
    per_address: Rate


def rates_of(settings: Settings, quota: Quota) -> Rates:
    user: str | None
    match quota:
        case Quota.REPORTS:
            user, address = settings.rate_reports_per_user, settings.rate_reports_per_address
        case Quota.SCANS:
            user, address = settings.rate_scans_per_user, settings.rate_scans_per_address
        case Quota.PIN:
            user, address = settings.rate_pin_per_user, settings.rate_pin_per_address
        case Quota.LAUNCHES:
            user, address = settings.rate_launches_per_user, settings.rate_launches_per_address
        case Quota.OPEN_API:
            user, address = settings.rate_open_api_per_app, settings.rate_public_per_address
        case Quota.OPEN_NOTICES:
            user, address = settings.rate_open_notices_per_user, settings.rate_public_per_address
        case Quota.OPEN_NOTICES_DAILY:
            user, address = settings.rate_open_notices_per_app, settings.rate_public_per_address
        case Quota.PUBLIC:
            user, address = None, settings.rate_public_per_address
    return Rates(Rate.parse(user) if user else None, Rate.parse(address))


# The limits' names, made once: formatting an enum member costs more than the rest of a check.
_NAMES = {quota: (f"{quota.value}.per_address", f"{quota.value}.per_user") for quota in Quota}


def limits_for(quota: Quota, rates: Rates, *, user: str | None, address: str) -> list[Limit]:
    """The limits one request counts against: its address's, and its user's if signed in."""
    per_address, per_user = _NAMES[quota]
    limits = [Limit(per_address, address, rates.per_address, KernelCode.RATE_LIMITED)]
    if user is not None and rates.per_user is not None:
        limits.append(Limit(per_user, user, rates.per_user, KernelCode.RATE_LIMITED))
    return limits
