"""scripts/venv.sh, sourced by the demo, the tests and CI: it installs when a pyproject.toml
changed since the last install that succeeded, and otherwise touches neither pip nor the
package index, so the demo's second start works offline.

Run on a copy of the checkout whose .venv holds a stand-in `python`: it records each pip
call (answering as pip would, or failing when told) and runs everything else with the real
interpreter, so the script's own logic runs for real without installing anything."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNREACHABLE = "http://127.0.0.1:9/"
EXAMPLE = "examples/yimen-library/pyproject.toml"


class Checkout:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.pip_log = root / "pip-calls.log"

    def source(self, *, pip_fails: bool = False) -> subprocess.CompletedProcess[str]:
        """Source the script as scripts/demo does, under `set -euo pipefail`."""
        return subprocess.run(
            ["bash", "-c", 'set -euo pipefail; source scripts/venv.sh; echo "PATH=$PATH"'],
            cwd=self.root,
            env={
                **os.environ,
                "PIP_INDEX_URL": UNREACHABLE,
                "FAKE_PIP_STATUS": "1" if pip_fails else "0",
            },
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def pip_calls(self) -> list[str]:
        return self.pip_log.read_text().splitlines() if self.pip_log.exists() else []

    def stamp(self) -> str | None:
        stamp = self.root / ".venv/.yimen-installed"
        return stamp.read_text() if stamp.exists() else None


@pytest.fixture
def checkout(tmp_path: Path) -> Checkout:
    """The files the script reads, and a .venv as a fresh clone's first run leaves it."""
    for name in ("scripts/venv.sh", "pyproject.toml", EXAMPLE):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, tmp_path / name)
    python = tmp_path / ".venv/bin/python"
    python.parent.mkdir(parents=True)
    python.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = -m ] && [ "$2" = pip ]; then\n'
        f'  echo "$*" >>"{tmp_path}/pip-calls.log"\n'
        '  exit "$FAKE_PIP_STATUS"\n'
        "fi\n"
        f'exec "{sys.executable}" "$@"\n'
    )
    python.chmod(0o755)
    return Checkout(tmp_path)


def test_a_fresh_checkout_installs_yimen_and_the_example(checkout: Checkout) -> None:
    result = checkout.source()
    assert result.returncode == 0, result.stderr
    calls = checkout.pip_calls()
    assert any("-e .[test,bench] -e examples/yimen-library" in call for call in calls), calls
    assert checkout.stamp()
    assert f"PATH={checkout.root}/.venv/bin:" in result.stdout


def test_the_second_start_touches_no_pip(checkout: Checkout) -> None:
    assert checkout.source().returncode == 0
    installed = checkout.pip_calls()
    again = checkout.source()
    assert again.returncode == 0, again.stderr
    assert checkout.pip_calls() == installed


@pytest.mark.parametrize("changed", ["pyproject.toml", EXAMPLE])
def test_a_changed_pyproject_installs_again(checkout: Checkout, changed: str) -> None:
    assert checkout.source().returncode == 0
    before = len(checkout.pip_calls())
    with (checkout.root / changed).open("a") as file:
        file.write("\n# a new dependency would go here\n")
    assert checkout.source().returncode == 0
    assert len(checkout.pip_calls()) > before


def test_a_failed_install_stops_the_script_and_is_tried_again(checkout: Checkout) -> None:
    failed = checkout.source(pip_fails=True)
    assert failed.returncode != 0
    assert "PATH=" not in failed.stdout
    assert "installing into .venv failed" in failed.stderr
    assert checkout.stamp() is None
    tries = len(checkout.pip_calls())
    assert checkout.source().returncode == 0
    assert len(checkout.pip_calls()) > tries
