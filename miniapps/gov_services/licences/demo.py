"""The demo city's licences (电子证照): the residents of `backend/seed.py` with the licences
their applications need, read from `demo_licences.json`, and the licences the demo's own
cases issue them (a 出生医学证明 once delivered), by the rules of `demo_issues.json`."""

from __future__ import annotations

from pathlib import Path

from backend.sdk import Person, Services
from miniapps.gov_services.licences.fixture import FixtureLicences
from miniapps.gov_services.licences.issued import Delivered, IssuedLicences
from miniapps.gov_services.licences.provider import Licence

HERE = Path(__file__).parent


class DemoLicences:
    """The fixtures, and what the demo's deliveries issued (the latest issue first)."""

    def __init__(self, fixtures: FixtureLicences, issued: IssuedLicences) -> None:
        self.fixtures = fixtures
        self.issued = issued

    async def start(self, services: Services) -> None:
        await self.fixtures.start(services)
        await self.issued.start(services)

    async def licences_of(self, holder: Person) -> list[Licence]:
        # One after the other: each is one read joined with the asks beside it, and a task
        # to ask them side by side would cost more than the wait.
        issued = await self.issued.licences_of(holder)
        return [*issued, *await self.fixtures.licences_of(holder)]

    async def licence(self, ref: str) -> Licence | None:
        return await self.fixtures.licence(ref) or await self.issued.licence(ref)

    async def learn(self, delivered: Delivered) -> None:
        await self.issued.learn(delivered)


DEMO_LICENCES = DemoLicences(
    FixtureLicences.from_file(HERE / "demo_licences.json"),
    IssuedLicences.from_file(HERE / "demo_issues.json"),
)
