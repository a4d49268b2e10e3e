"""What a source of electronic licences (电子证照) gives the service engine, and how the
engine finds its sources: the entry-point group `yimen.licence_providers`, each entry an
object that keeps the `LicenseProvider` protocol. A city registers its own beside the demo.

An application keeps a licence's reference and hash, never a copy: the provider stays the
one place the licence lives, and a licence reissued or revoked since is noticed at submit."""

from __future__ import annotations

import hashlib
from importlib.metadata import entry_points
from typing import Any, Protocol, runtime_checkable

import msgspec

from backend.sdk import Person, Services

GROUP = "yimen.licence_providers"


class Licence(msgspec.Struct, frozen=True, kw_only=True):
    """One licence as its issuer keeps it: `type` is the 证照类型 documents name
    (`id_card`, `marriage_certificate`), `fields` its 照面信息, `sha256` the hash of the
    licence as issued (another issue has another hash)."""

    type: str
    ref: str
    issued_by: str
    fields: dict[str, Any]
    sha256: str


def licence_sha256(*, type: str, ref: str, issued_by: str, fields: dict[str, Any]) -> str:
    """The hash of a licence's content, in a canonical JSON (sorted keys), for providers
    whose source gives none of its own."""
    content = {"type": type, "ref": ref, "issued_by": issued_by, "fields": fields}
    return hashlib.sha256(msgspec.json.encode(content, order="sorted")).hexdigest()


@runtime_checkable
class LicenseProvider(Protocol):
    """A source of electronic licences."""

    async def start(self, services: Services) -> None:
        """Once, when the process starts: open connections, read fixtures."""

    async def licences_of(self, holder: Person) -> list[Licence]:
        """Every valid licence `holder` holds at this source."""

    async def licence(self, ref: str) -> Licence | None:
        """The licence of this reference, if this source issued it and it is still valid."""


class Licences:
    """Every licence source of the process, asked together: the runtime the service
    engine's routes receive as `licences`."""

    def __init__(self, providers: dict[str, LicenseProvider]) -> None:
        self.providers = providers

    async def of(self, holder: Person) -> list[Licence]:
        """`holder`'s licences from every source, in the order the sources were named."""
        found: list[Licence] = []
        for provider in self.providers.values():
            found.extend(await provider.licences_of(holder))
        return found

    async def held_by(self, holder: Person) -> dict[str, Licence]:
        """`holder`'s licences by reference."""
        return {licence.ref: licence for licence in await self.of(holder)}

    async def get(self, ref: str) -> Licence | None:
        """The licence of `ref` from whichever source issued it."""
        for provider in self.providers.values():
            found = await provider.licence(ref)
            if found is not None:
                return found
        return None


async def open_licences(providers: dict[str, object], services: Services) -> Licences:
    """The sources, each checked to keep the protocol and started; a start-up failure
    names the source."""
    checked: dict[str, LicenseProvider] = {}
    for name, provider in providers.items():
        if not isinstance(provider, LicenseProvider):
            raise RuntimeError(
                f"licence provider {name!r} ({type(provider).__name__}) lacks "
                "start, licences_of or licence"
            )
        await provider.start(services)
        checked[name] = provider
    return Licences(checked)


async def start_licences(services: Services) -> Licences:
    """The service engine's start hook: every registered licence source, loaded once."""
    found = {entry.name: entry.load() for entry in entry_points(group=GROUP)}
    return await open_licences(found, services)
