"""How a part reaches the service engine (掌上办事) without importing it.

A mini-app that needs a government service for a resident — legal aid opening a 法律援助申请,
elderly care an 高龄津贴 — starts the application through `ServiceDesk`, which routes find
by naming a `service_desk` parameter; the resident completes and submits it in the service
engine. It learns where the application went from the `application_moved` event, whose
payload is defined here so that its subscribers need nothing of the engine's package."""

from __future__ import annotations

import abc
import enum
from collections.abc import Mapping
from typing import Any

import msgspec

from backend.kernel.claims import Claims

APPLICATION_MOVED = "gov_services.application_moved"


class Outcome(enum.StrEnum):
    """What a decision (决定) of the service engine says of an application."""

    APPROVED = "approved"  # 准予
    REJECTED = "rejected"  # 不予


class ApplicationMoved(msgspec.Struct, frozen=True, kw_only=True):
    """`gov_services.application_moved`: one per change of an application, written in the
    change's transaction. Notices to the resident and to staff are made from it, so that a
    change writes exactly one outbox row whoever hears of it."""

    application_id: int
    ref: str
    applicant_id: int
    item_id: int
    item_version_id: int
    bundle_id: int | None
    action: str
    from_status: str | None
    to_status: str
    step: str | None
    assignee_org: str
    actor_id: int
    # The item's code (事项编码), by which a part picks the applications it follows.
    item_code: str = ""
    # Once decided; a decision moves the application to `decided` either way.
    outcome: Outcome | None = None


class StartedApplication(msgspec.Struct, frozen=True, kw_only=True):
    """A draft application the resident finishes in the service engine."""

    application_id: int
    item_code: str
    status: str
    deep_link: str  # opens the draft in the app


class ServiceDesk(abc.ABC):
    """The service engine as other parts see it. An abstract class, not a Protocol: a
    route given it checks the type on every request (see `PlatformKeys`)."""

    @abc.abstractmethod
    async def start_application(
        self,
        *,
        applicant: Claims,
        item_code: str,
        answers: Mapping[str, Any],
        locale: str | None = None,
    ) -> StartedApplication:
        """A draft of `item_code` for `applicant`, on the version in force, checked for
        eligibility and filled in from their licences, with `answers` kept as a draft's
        are (checked, none required yet). Refused as the engine's own start is: an unknown
        item 404, an ineligible applicant or a bad answer 422."""
