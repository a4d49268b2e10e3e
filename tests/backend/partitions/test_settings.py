"""How long each table keeps its rows is the settings' to override, checked at start-up."""

from __future__ import annotations

import msgspec
import pytest

from backend.app import create_app
from backend.host import load_registry
from backend.kernel.partitions import Retention
from backend.kernel.partitions.care import table_keeps
from backend.kernel.settings import Settings, SettingsError, load_settings


@pytest.mark.parametrize(
    ("environ", "variable"),
    [
        ({"YIMEN_RETENTION": "health_code_scan=28x"}, "YIMEN_RETENTION"),
        ({"YIMEN_RETENTION": "health_code_scan"}, "YIMEN_RETENTION"),
        ({"YIMEN_RETENTION": "=28d"}, "YIMEN_RETENTION"),
        ({"YIMEN_RETENTION": "health_code_scan=0d"}, "YIMEN_RETENTION"),
        ({"YIMEN_PARTITIONS_AHEAD": "0"}, "YIMEN_PARTITIONS_AHEAD"),
        ({"YIMEN_PARTITIONS_AHEAD": "many"}, "YIMEN_PARTITIONS_AHEAD"),
    ],
)
def test_a_bad_keep_names_its_variable(environ: dict[str, str], variable: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(environ)
    assert str(caught.value).startswith(f"{variable}:")


def test_the_settings_override_each_tables_own_keep() -> None:
    settings = load_settings(
        {"YIMEN_RETENTION": "health_code_scan=14d, audit_entry=72m,push_delivery=forever"}
    )
    assert table_keeps(load_registry(), settings) == {
        "health_code_scan": Retention(days=14),
        "audit_entry": Retention(months=72),
        "push_delivery": None,
    }


def test_a_keep_for_a_table_nobody_splits_stops_start_up(settings: Settings) -> None:
    wrong = msgspec.structs.replace(settings, retention="health_code_scans=28d")
    with pytest.raises(SettingsError, match=r"^YIMEN_RETENTION: .*'health_code_scans'"):
        create_app(wrong)
