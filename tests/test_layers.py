"""The import contract's own completeness: CI runs `lint-imports` over the layers named in
pyproject.toml, so a module the contract does not name would escape it."""

from __future__ import annotations

import tomllib
from pathlib import Path

import backend.sdk

ROOT = Path(__file__).resolve().parent.parent


def _contracts() -> list[dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contracts: list[dict[str, object]] = config["tool"]["importlinter"]["contracts"]
    return contracts


def _layers() -> list[str]:
    layered = next(c for c in _contracts() if c["type"] == "layers")
    layers = layered["layers"]
    assert isinstance(layers, list)
    return layers


def test_every_module_of_the_root_is_in_its_layer() -> None:
    named = {m.strip() for m in _layers()[0].split(":")}
    on_disk = {
        f"backend.{path.stem}"
        for path in (ROOT / "backend").glob("*.py")
        if path.stem not in ("__init__", "sdk")
    }
    assert named == on_disk


def test_every_package_of_backend_is_a_layer() -> None:
    layered = {m.strip() for layer in _layers() for m in layer.replace("|", ":").split(":")}
    packages = {
        f"backend.{path.name}"
        for path in (ROOT / "backend").iterdir()
        if (path / "__init__.py").exists()
    }
    assert packages <= layered


def test_every_mini_app_is_held_to_the_sdk() -> None:
    forbidden = next(c for c in _contracts() if c["type"] == "forbidden")
    assert forbidden["source_modules"] == ["miniapps", "yimen_library"]
    assert set(forbidden["forbidden_modules"]) >= {  # type: ignore[arg-type]
        "backend.kernel",
        "backend.directory",
        "auth",
        "push",
    }


def test_the_guide_documents_exactly_the_sdk() -> None:
    guide = (ROOT / "docs" / "write-a-miniapp.md").read_text()
    section = guide.split("## The SDK", 1)[1].split("\n## ", 1)[0]
    documented = {line.split("`")[1] for line in section.splitlines() if line.startswith("- `")}
    assert documented == set(backend.sdk.__all__)
