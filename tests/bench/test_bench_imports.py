"""Every bench runs from a fresh clone with the README's setup alone: whatever a bench imports
is the standard library, this project, the bench's own files, or a dependency the project
declares (its own, or its `test` and `bench` extras, which scripts/venv.sh installs)."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench"
OURS = {"backend", "auth", "push", "miniapps", "tests", "piccolo_conf", "migrations"}


def normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement(line: str) -> tuple[str, set[str]]:
    """The distribution a requirement names, and the extras it asks for."""
    found = re.match(r"\s*([A-Za-z0-9_.\-]+)\s*(?:\[([^\]]*)\])?", line)
    assert found, line
    extras = {e.strip() for e in (found.group(2) or "").split(",") if e.strip()}
    return normalised(found.group(1)), extras


def declared_distributions() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    lines = [*project["dependencies"], *extras["test"], *extras["bench"]]
    declared = set()
    for line in lines:
        name, wanted = requirement(line)
        declared.add(name)
        # What an extra of a dependency brings is declared too: piccolo[postgres] is asyncpg.
        for needed in importlib.metadata.requires(name) or []:
            marker = needed.partition(";")[2]
            if any(re.search(rf"extra\s*==\s*['\"]{e}['\"]", marker) for e in wanted):
                declared.add(requirement(needed)[0])
    return declared


def modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def bench_files() -> list[Path]:
    """The benches' files, and the test parts they run (the FCM stand-in)."""
    files = sorted(BENCH.rglob("*.py"))
    for path in list(files):
        for name in modules(path):
            part = ROOT / (name.replace(".", "/") + ".py")
            if name.startswith("tests.") and part.exists() and part not in files:
                files.append(part)
    return files


def test_benches_import_only_what_the_project_declares() -> None:
    providers = importlib.metadata.packages_distributions()
    declared = declared_distributions()
    # A bench's folder is importable as a package once bench/ is on the path.
    own_files = {p.stem for p in BENCH.rglob("*.py")} | {p.name for p in BENCH.iterdir()}
    undeclared = {}
    for path in bench_files():
        tops = {name.split(".")[0] for name in modules(path)}
        for name in tops - OURS - own_files - set(sys.stdlib_module_names):
            if not {normalised(d) for d in providers.get(name, [])} & declared:
                undeclared.setdefault(str(path.relative_to(ROOT)), []).append(name)
    assert undeclared == {}


def test_the_venv_script_installs_the_bench_extra() -> None:
    assert '".[test,bench]"' in (ROOT / "scripts" / "venv.sh").read_text(encoding="utf-8")


def runtime_distributions() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = set()
    for line in project["dependencies"]:
        name, wanted = requirement(line)
        declared.add(name)
        for needed in importlib.metadata.requires(name) or []:
            marker = needed.partition(";")[2]
            if any(re.search(rf"extra\s*==\s*['\"]{e}['\"]", marker) for e in wanted):
                declared.add(requirement(needed)[0])
    return declared


def test_the_server_imports_only_its_own_dependencies() -> None:
    """A production install has no test or bench extras: what the served code imports,
    even lazily (an SMS vendor's SDK), is one of the project's own dependencies or one they
    bring."""
    providers = importlib.metadata.packages_distributions()
    declared = runtime_distributions()
    for name in list(declared):
        for needed in importlib.metadata.requires(name) or []:
            if ";" not in needed:
                declared.add(requirement(needed)[0])
    undeclared = {}
    for part in ("backend", "auth", "push", "miniapps"):
        for path in sorted((ROOT / part).rglob("*.py")):
            tops = {name.split(".")[0] for name in modules(path)}
            for name in tops - OURS - set(sys.stdlib_module_names):
                if not {normalised(d) for d in providers.get(name, [])} & declared:
                    undeclared.setdefault(str(path.relative_to(ROOT)), []).append(name)
    assert undeclared == {}
