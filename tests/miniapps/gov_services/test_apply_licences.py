"""Licence sources: found through their entry points and started once, a broken one named at
start-up; the demo city's licences, each identity card's number telling its birth date."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from litestar import Litestar

import miniapps.gov_services.licences.demo as demo
from backend.kernel.id_cards import age_on, birth_date_of, check_character
from backend.kernel.services import services_of
from backend.sdk import Person, person_by_phone
from miniapps.gov_services.licences.provider import Licences, open_licences, start_licences
from tests.conftest import Client, TokenForPhone
from tests.miniapps.gov_services.applying_support import RESIDENT

DEMO_FILE = Path(demo.__file__).with_name("demo_licences.json")


async def test_the_sources_of_the_entry_points_are_the_runtime_routes_are_given(
    client: Client, app: Litestar
) -> None:
    services = services_of(app)
    assert set(services.runtime(Licences).providers) == {"demo"}
    assert set((await start_licences(services)).providers) == {"demo"}


async def test_a_source_that_does_not_keep_the_protocol_stops_the_start(
    client: Client, app: Litestar
) -> None:
    with pytest.raises(RuntimeError, match="'broken'"):
        await open_licences({"broken": object()}, services_of(app))


async def test_a_demo_resident_holds_the_demo_licences(
    client: Client, app: Litestar, token_for_phone: TokenForPhone
) -> None:
    await token_for_phone(RESIDENT)  # seeds the demo city
    licences = services_of(app).runtime(Licences)
    wang = await person_by_phone(RESIDENT, services_of(app).vault)
    assert wang is not None
    held = await licences.of(wang)
    assert {lic.type for lic in held} == {
        "id_card",
        "household_register",
        "marriage_certificate",
        "property_certificate",
    }
    assert await licences.get(held[0].ref) == held[0]
    stranger = Person(id=10**9, name="无名", home_path=None, locale="zh-CN")
    assert await licences.of(stranger) == []


def test_every_demo_identity_card_tells_its_birth_date() -> None:
    fixture = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    cards = [lic for held in fixture.values() for lic in held if lic["type"] == "id_card"]
    assert len(cards) == 3
    for card in cards:
        born = birth_date_of(card["fields"]["number"])
        assert born is not None
        assert born.isoformat() == card["fields"]["birth_date"]


def test_a_number_with_a_wrong_check_character_tells_nothing() -> None:
    assert check_character("41010219910512003") == "X"
    assert birth_date_of("41010219910512003X") == dt.date(1991, 5, 12)
    assert birth_date_of("410102199105120031") is None
    no_such_month = "41010219911332003"
    assert birth_date_of(no_such_month + check_character(no_such_month)) is None
    assert birth_date_of("4101021991") is None


def test_an_age_grows_on_the_birthday() -> None:
    born = dt.date(1966, 12, 2)
    assert age_on(born, dt.date(2026, 12, 1)) == 59
    assert age_on(born, dt.date(2026, 12, 2)) == 60
    leap = dt.date(1964, 2, 29)
    assert age_on(leap, dt.date(2025, 2, 28)) == 60
    assert age_on(leap, dt.date(2025, 3, 1)) == 61
