"""What the service engine knows of an applicant: their home (from the directory) and their
licences (电子证照), and what follows from them: the facts eligibility is judged on and the
answers their licences fill in.

The directory keeps no birth date, and publishes no ID-card number: an applicant's age is
read from the identity card among their licences (its `number`, whose digits 7–14 are the
birth date), as a counter clerk reads it off the card. Without one, no age is known, and a
rule asking for one is not met."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

import msgspec

from backend.sdk import FieldError, Person, age_on, birth_date_of, district_of, utc_now
from miniapps.gov_services.document import Facts, ItemDocument, prefill_values
from miniapps.gov_services.licences.provider import Licence, Licences

CITY_TIME = ZoneInfo("Asia/Shanghai")
ID_CARD = "id_card"  # the 证照类型 of the resident identity card
_LICENCE_GONE = ("所依据的电子证照已失效或已变更", "the licence it came from is no longer valid")


def said(texts: tuple[str, str], locale: str | None) -> str:
    """The zh-CN or en one of `texts`: English for a locale that is English, else Chinese."""
    return texts[1] if locale and locale.lower().startswith("en") else texts[0]


class Applicant(msgspec.Struct, frozen=True, kw_only=True):
    person: Person
    licences: list[Licence]

    @property
    def by_type(self) -> dict[str, Licence]:
        """One licence of each type: the first a source gave, as sources list the current
        issue first."""
        found: dict[str, Licence] = {}
        for licence in self.licences:
            found.setdefault(licence.type, licence)
        return found


async def applicant(person: Person, licences: Licences) -> Applicant:
    return Applicant(person=person, licences=await licences.of(person))


def city_today() -> dt.date:
    """Today's date in the city, where ages and due dates are counted."""
    return utc_now().astimezone(CITY_TIME).date()


def profile_of(who: Applicant, today: dt.date) -> dict[str, Any]:
    """The profile part of the facts: home, district and, when an identity card says it,
    age in full years."""
    home = who.person.home_path
    profile: dict[str, Any] = {"home": home, "district": district_of(home) if home else None}
    card = who.by_type.get(ID_CARD)
    birth = birth_date_of(str(card.fields.get("number", ""))) if card else None
    if birth is not None:
        profile["age"] = age_on(birth, today)
    return profile


def facts_of(who: Applicant, answers: Mapping[str, Any], today: dt.date) -> Facts:
    """`{profile, licences, answers}`: what an item's eligibility rules are judged on."""
    return Facts(
        profile=profile_of(who, today),
        licences={kind: dict(licence.fields) for kind, licence in who.by_type.items()},
        answers=dict(answers),
    )


def prefill(doc: ItemDocument, who: Applicant) -> tuple[dict[str, Any], dict[str, str]]:
    """The answers the applicant's licences fill in, and for each such field the reference
    of the licence it came from."""
    by_type = who.by_type
    values = prefill_values(doc, {kind: licence.fields for kind, licence in by_type.items()})
    refs = {p.field: by_type[p.licence].ref for p in doc.prefill if p.field in values}
    return values, refs


def prefilled_now(
    doc: ItemDocument,
    prefilled: Mapping[str, str],
    held: Mapping[str, Licence],
    locale: str | None = None,
) -> tuple[dict[str, Any], list[FieldError]]:
    """The value each prefilled field must keep, read again from the licence it came from
    among those `held` now; a field whose licence is gone or lacks it is a problem."""
    sources = {p.field: p for p in doc.prefill}
    values: dict[str, Any] = {}
    problems: list[FieldError] = []
    for field, ref in prefilled.items():
        licence = held.get(ref)
        source = sources.get(field)
        if licence is None or source is None or source.licence_field not in licence.fields:
            problems.append(
                FieldError(field=f"/answers/{field}", message=said(_LICENCE_GONE, locale))
            )
            continue
        values[field] = licence.fields[source.licence_field]
    return values, problems
