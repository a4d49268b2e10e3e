"""The service engine's desk for other parts (`backend.sdk.ServiceDesk`): they start a draft
for a resident through it, never by importing this package."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backend.sdk import Claims, ServiceDesk, Services, StartedApplication, unit_of_work
from miniapps.gov_services.applying import save_answers, start
from miniapps.gov_services.licences.provider import Licences, start_licences

APP_LINK = "yimen://miniapps/gov_services/applications/{id}"


class EngineDesk(ServiceDesk):
    def __init__(self, licences: Licences) -> None:
        self._licences = licences

    async def start_application(
        self,
        *,
        applicant: Claims,
        item_code: str,
        answers: Mapping[str, Any],
        locale: str | None = None,
    ) -> StartedApplication:
        # One transaction: an answer refused leaves no draft behind.
        async with unit_of_work():
            draft = await start(
                actor=applicant, item_code=item_code, licences=self._licences, locale=locale
            )
            if answers:
                draft = await save_answers(
                    actor=applicant,
                    application_id=draft.id,
                    answers=answers,
                    expected_version=draft.version,
                    licences=self._licences,
                    locale=locale,
                )
        return StartedApplication(
            application_id=draft.id,
            item_code=draft.item_code,
            status=draft.status,
            deep_link=APP_LINK.format(id=draft.id),
        )


async def start_engine(services: Services) -> Licences:
    """The service engine's start hook: its licence sources, loaded once, and its desk
    offered to every other part of the process."""
    licences = await start_licences(services)
    services.service_desk = EngineDesk(licences)
    return licences


async def stop_engine(services: Services) -> None:
    services.service_desk = None
