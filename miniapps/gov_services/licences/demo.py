"""The demo city's licences (电子证照): the residents of `backend/seed.py` with the
licences their applications need, read from `demo_licences.json`."""

from pathlib import Path

from miniapps.gov_services.licences.fixture import FixtureLicences

DEMO_LICENCES = FixtureLicences.from_file(Path(__file__).with_name("demo_licences.json"))
