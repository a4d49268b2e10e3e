"""Controllers parse, guard, call a service and shape; they build no query. What a
controller calls in grid events is a service, or one of the helpers that read a request;
and no service sees a request."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest

PACKAGE = "miniapps.grid_events"
ROOT = Path(__file__).parents[3]
CONTROLLERS = [f"{PACKAGE}.controllers", f"{PACKAGE}.open311.controllers"]
SERVICES = {
    f"{PACKAGE}.{name}"
    for name in ("service", "duty", "photos", "rules", "sensors", "stats", "open311.service")
}
# They read the app's state or a form from the request: a controller's work.
REQUEST_READERS = {f"{PACKAGE}.open311.form.report_of"}


def _imported(tree: ast.Module) -> dict[str, str]:
    """What each name a module imports from grid events stands for, as a dotted path."""
    names = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(PACKAGE):
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _called_in_grid_events(module: str) -> list[tuple[int, str]]:
    """(line, dotted path) of each call into grid events, by name or through a module."""
    tree = ast.parse((ROOT / (module.replace(".", "/") + ".py")).read_text())
    imported = _imported(tree)
    calls = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        callee = node.func
        if isinstance(callee, ast.Name) and callee.id in imported:
            calls.append((node.lineno, imported[callee.id]))
        elif (
            isinstance(callee, ast.Attribute)
            and isinstance(callee.value, ast.Name)
            and callee.value.id in imported
        ):
            calls.append((node.lineno, f"{imported[callee.value.id]}.{callee.attr}"))
    return calls


def _allowed(path: str) -> bool:
    owner = path.rpartition(".")[0]
    return path in REQUEST_READERS or owner in SERVICES or _is_data(owner)


def _is_data(path: str) -> bool:
    """Whether `path` names a value kept in a module, not a module, function or class: a
    method of one reads data, as the catalogue's `CATEGORIES.values()` does."""
    module, _, name = path.rpartition(".")
    try:
        value = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return False
    return not (inspect.ismodule(value) or callable(value))


@pytest.mark.parametrize("module", CONTROLLERS)
def test_a_controller_calls_only_services(module: str) -> None:
    strays = [(line, path) for line, path in _called_in_grid_events(module) if not _allowed(path)]
    assert strays == [], "move the work into a service; the controller calls it"


@pytest.mark.parametrize("module", sorted(SERVICES))
def test_no_service_sees_a_request(module: str) -> None:
    source = (ROOT / (module.replace(".", "/") + ".py")).read_text()
    imported = {
        alias.name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("litestar")
        for alias in node.names
    }
    assert "Request" not in imported
