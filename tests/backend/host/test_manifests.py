"""A manifest that breaks the contract stops start-up with a message naming package and field."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from litestar import Router

from backend.app import create_app
from backend.kernel.contract import Subscription
from backend.kernel.registry import ManifestError, installed_miniapps
from backend.kernel.roles import Role
from backend.kernel.settings import Settings
from tests.backend.host.sample_apps import app, remember, tile


def _refused(settings: Settings, *apps: Any) -> str:
    with pytest.raises(ManifestError) as caught:
        create_app(settings, miniapps=list(apps))
    return str(caught.value)


def test_the_example_package_is_discovered_through_its_entry_point() -> None:
    found = {a.manifest.id: a.package for a in installed_miniapps()}
    assert found.get("library") == "yimen-library"


def test_duplicate_ids_are_refused(settings: Settings) -> None:
    first = app("permits")
    second = msgspec.structs.replace(app("permits"), package="yimen-permits-fork")
    message = _refused(settings, first, second)
    assert "yimen-permits-fork" in message
    assert "'id'" in message


def test_an_unknown_role_is_refused(settings: Settings) -> None:
    bad = app(
        "permits",
        msgspec.structs.replace(tile("apply", Role.RESIDENT), roles=frozenset({"emperor"})),
    )
    message = _refused(settings, bad)
    assert message == (
        "mini-app 'permits' (package 'yimen-permits'): field 'tiles[0].roles': "
        "unknown role 'emperor'"
    )


def test_an_unknown_event_is_refused(settings: Settings) -> None:
    bad = app("permits", subscribes=[Subscription("nowhere.happened", remember, "permits.x")])
    assert "field 'subscribes[0].event': unknown event 'nowhere.happened'" in _refused(
        settings, bad
    )


def test_an_incompatible_host_version_is_refused(settings: Settings) -> None:
    bad = app("permits", requires_host=">=2.0")
    assert "field 'requires_host': needs host >=2.0" in _refused(settings, bad)


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"router": Router(path="/v1/other", route_handlers=[])}, "router"),
        ({"emits": {"elsewhere.done": msgspec.Struct}}, "emits"),
        ({"version": "one"}, "version"),
        ({"names": {"en": "Permits"}}, "names"),
        ({"piccolo_app": "yimen_library.piccolo_app"}, "piccolo_app"),
        ({"personal_routers": [Router(path="/v1/me", route_handlers=[])]}, "personal_routers[0]"),
        (
            {"personal_routers": [Router(path="/v1/admin/x", route_handlers=[])]},
            "personal_routers[0]",
        ),
    ],
)
def test_other_contract_breaches_name_their_field(
    settings: Settings, extra: dict[str, Any], field: str
) -> None:
    assert f"field {field!r}" in _refused(settings, app("permits", **extra))


def test_two_apps_never_serve_the_same_personal_path(settings: Settings) -> None:
    first = app("permits", personal_routers=[Router(path="/v1/me/permits", route_handlers=[])])
    second = app("visas", personal_routers=[Router(path="/v1/me/permits", route_handlers=[])])
    message = _refused(settings, first, second)
    assert "field 'personal_routers': '/v1/me/permits' is already served by 'permits'" in message


def test_an_unknown_badge_source_is_refused(settings: Settings) -> None:
    bad = app("permits", tile("apply", Role.RESIDENT, badge="permits.nothing"))
    assert "field 'tiles[0].badge'" in _refused(settings, bad)


def test_a_bad_target_is_refused(settings: Settings) -> None:
    bad = app(
        "permits",
        msgspec.structs.replace(tile("apply", Role.RESIDENT), target="javascript:alert(1)"),
    )
    assert "field 'tiles[0].target'" in _refused(settings, bad)


def test_one_slug_everywhere_for_the_installed_apps() -> None:
    import importlib

    for installed in installed_miniapps():
        manifest = installed.manifest
        assert manifest.piccolo_app is not None
        config = importlib.import_module(manifest.piccolo_app).APP_CONFIG
        assert config.app_name == manifest.id
        assert all(t._meta.tablename.startswith(f"{manifest.id}_") for t in config.table_classes)
        assert all(name.startswith(f"{manifest.id}.") for name in manifest.emits)


def test_the_hosts_own_app_id_is_refused(settings: Settings) -> None:
    """The launcher shows the host's console under app id "host": an app of that name would
    have its tiles taken for the host's."""
    assert "field 'id': 'host' is the host's own" in _refused(settings, app("host"))
