"""Licences the engine's own cases issue, for a licence source that learns of them.

Some items' result is a licence (电子证照): a delivered 出生医学证明签发 is a birth certificate.
In a city, the issuing department's system files it with the city's licence library, which
a licence source reads; the engine has no part in that. The demo city has no such library,
so its source learns of deliveries itself: `IssuedLicences` keeps, for the items its rules
name, the licence each delivered case issued (the case's answers, and a number from its
ref) in a table, and serves it like a fixture. A source that learns so keeps the
`LearnsOfDeliveries` protocol; the engine tells every such source of each approved
delivery before it starts the bundle members that wait for it."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import msgspec

from backend.sdk import Person, ReadTogether, Services, fetch_where_in, json_value
from miniapps.gov_services.licences.provider import Licence, licence_sha256
from miniapps.gov_services.tables import IssuedLicence


class Delivered(msgspec.Struct, frozen=True, kw_only=True):
    """A case delivered with its request granted, as a learning source hears of it."""

    application_id: int
    ref: str  # 办件编号
    item_code: str
    applicant_id: int
    answers: dict[str, Any]


@runtime_checkable
class LearnsOfDeliveries(Protocol):
    async def learn(self, delivered: Delivered) -> None:
        """Record the licence the delivered case issued, if its item issues one; once,
        however often it is told."""


class IssuingRule(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The licence an item's delivery issues: its type, issuer, the field that holds its
    number (`number_prefix` and the case's ref), and licence field → the answer it copies."""

    type: str
    issued_by: str
    number_field: str
    number_prefix: str
    fields: dict[str, str]


class IssuedLicences:
    """A licence source of the licences the engine's deliveries issued (item code → rule)."""

    def __init__(self, rules: Mapping[str, IssuingRule]) -> None:
        self.rules = dict(rules)

    @classmethod
    def from_file(cls, path: Path) -> IssuedLicences:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return cls(msgspec.convert(raw, dict[str, IssuingRule]))

    async def start(self, services: Services) -> None:
        """Nothing to open: the licences live in the engine's database."""

    async def licences_of(self, holder: Person) -> list[Licence]:
        return [_licence(row) for row in await _HELD_READS.one(holder.id) or ()]

    async def licence(self, ref: str) -> Licence | None:
        row = await IssuedLicence.select().where(IssuedLicence.licence_ref == ref).first()
        return None if row is None else _licence(row)

    async def learn(self, delivered: Delivered) -> None:
        rule = self.rules.get(delivered.item_code)
        if rule is None:
            return
        if await IssuedLicence.exists().where(
            IssuedLicence.application_id == delivered.application_id
        ):
            return
        fields = {rule.number_field: rule.number_prefix + delivered.ref}
        fields |= {
            k: delivered.answers[a] for k, a in rule.fields.items() if a in delivered.answers
        }
        ref = f"issued:{rule.type}:{delivered.ref}"
        # Told twice at once, the second insert breaks the unique application_id and its
        # transaction is tried again later, when the check above finds the first one's row.
        await IssuedLicence.insert(
            IssuedLicence(
                application_id=delivered.application_id,
                holder_id=delivered.applicant_id,
                type=rule.type,
                licence_ref=ref,
                issued_by=rule.issued_by,
                fields=fields,
                sha256=licence_sha256(
                    type=rule.type, ref=ref, issued_by=rule.issued_by, fields=fields
                ),
            )
        )


# Asked on every start, save and submit: a statement prepared once. The latest issue first.
async def _held(holders: Iterable[int]) -> dict[int, list[Mapping[str, Any]]]:
    found: dict[int, list[Mapping[str, Any]]] = {}
    for row in await fetch_where_in(_HELD, "holder_id", holders, then="ORDER BY id DESC"):
        found.setdefault(int(row["holder_id"]), []).append(row)
    return found


# Asked by every submit: the holders asked at once are read together, latest issue first.
_HELD = f"""
SELECT holder_id, type, licence_ref, issued_by, fields, sha256
FROM {IssuedLicence._meta.tablename}"""  # noqa: S608 - the table's own name
_HELD_READS: ReadTogether[int, list[Mapping[str, Any]]] = ReadTogether(_held)


def _licence(row: Mapping[str, Any]) -> Licence:
    return Licence(
        type=row["type"],
        ref=row["licence_ref"],
        issued_by=row["issued_by"],
        fields=json_value(row["fields"]) or {},
        sha256=row["sha256"],
    )
