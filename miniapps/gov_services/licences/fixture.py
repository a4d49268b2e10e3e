"""A licence source that reads its licences from fixtures: people by phone, each with
their licences. The demo city's source is one (`demo.py`); a test makes its own people."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import msgspec

from backend.sdk import Person, Services, Vault, people_by_phone
from miniapps.gov_services.licences.provider import Licence, licence_sha256


class FixtureLicence(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A licence as a fixture states it; its hash is worked out from its content."""

    type: str
    ref: str
    issued_by: str
    fields: dict[str, Any]

    def issued(self) -> Licence:
        return Licence(
            type=self.type,
            ref=self.ref,
            issued_by=self.issued_by,
            fields=self.fields,
            sha256=licence_sha256(
                type=self.type, ref=self.ref, issued_by=self.issued_by, fields=self.fields
            ),
        )


class FixtureLicences:
    """Licences of people known by their phone. The directory finds a person by phone
    without keeping it in clear, so each ask looks the fixture's phones up (a handful, in
    one statement with the asks beside it)."""

    def __init__(self, holders: Mapping[str, Sequence[FixtureLicence]]) -> None:
        self._holders = {phone: [f.issued() for f in held] for phone, held in holders.items()}
        self._by_ref = {lic.ref: lic for held in self._holders.values() for lic in held}
        if len(self._by_ref) != sum(len(held) for held in self._holders.values()):
            raise ValueError("two fixture licences share a reference")
        self._vault: Vault | None = None

    @classmethod
    def from_file(cls, path: Path) -> FixtureLicences:
        """The fixtures of a JSON file `{phone: [licence, ...]}`."""
        raw = json.loads(path.read_text(encoding="utf-8"))
        holders = msgspec.convert(raw, dict[str, list[FixtureLicence]])
        return cls(holders)

    async def start(self, services: Services) -> None:
        self._vault = services.vault

    async def licences_of(self, holder: Person) -> list[Licence]:
        if self._vault is None:
            raise RuntimeError("the fixture licences have not started")
        found = await people_by_phone(self._holders, self._vault)
        for phone, who in found.items():
            if who.id == holder.id:
                return list(self._holders[phone])
        return []

    async def licence(self, ref: str) -> Licence | None:
        return self._by_ref.get(ref)
