"""HTTP of how much apps are used: one app's figures for its publisher, every app's for the
platform."""

from __future__ import annotations

from typing import Annotated

from litestar import get
from litestar.params import FromPath, QueryParameter

from backend.sdk import AnyRequest, claims_of, problems
from miniapps.open_platform import usage
from miniapps.open_platform.app_controllers import APP, UNSEEN_APP, AppId
from miniapps.open_platform.publisher_controllers import PLATFORM
from miniapps.open_platform.schemas import UsageReport

Days = Annotated[
    int,
    QueryParameter(description="How many of the city's days back, today included.", ge=1, le=90),
]


@get(f"{APP}/usage", operation_id="GetOpenAppUsage", responses=problems(UNSEEN_APP))
async def app_usage(request: AnyRequest, app_id: FromPath[AppId], days: Days = 30) -> UsageReport:
    """An app's launches and users by district and day, for its publisher.

    The platform's admins read them too. `days` has each day's launches and the users
    who launched it that day; `totals` the span's launches and its unique users, a user
    of several days counted once. Days are the city's (Asia/Shanghai)."""
    return await usage.app_usage(claims_of(request), app_id, days)


@get("/usage", guards=PLATFORM, operation_id="GetOpenPlatformUsage")
async def platform_usage(days: Days = 30) -> UsageReport:
    """Every third-party app's launches and users by district and day, for the platform.

    As an app's own figures, for every app launched in the span."""
    return await usage.platform_usage(days)


USAGE_ROUTES = [app_usage, platform_usage]
