"""Generate Yimen's API clients from the committed openapi/openapi.json, and check them.

    python scripts/clients.py                        # both, into build/clients/
    python scripts/clients.py --only python --python-out DIR
    python scripts/clients.py --only typescript

The Python client is the package `yimen_client`, made by openapi-python-client with every
warning counted as a failure (a warning means an operation or a schema it could not read,
left out of the client). The TypeScript client is the `paths` and `components` types made by
openapi-typescript into build/clients/typescript/schema.ts, type-checked by `tsc --noEmit`
together with openapi/clients/typescript/flows.ts, which makes the main flows' calls
through them: a renamed operation, parameter or field fails the check. The generator
versions are pinned (the `test` extra; openapi/clients/typescript/package-lock.json).
The exit status is 0 only if every step passed; each step prints how long it took.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCUMENT = ROOT / "openapi" / "openapi.json"
PYTHON_CONFIG = ROOT / "openapi" / "clients" / "python" / "config.yaml"
TYPESCRIPT = ROOT / "openapi" / "clients" / "typescript"
BUILD = ROOT / "build" / "clients"
PACKAGE = "yimen_client"
# Where tsconfig.json's `yimen-api` path points: flows.ts imports the types from there.
TYPES = BUILD / "typescript" / "schema.ts"


class StepFailed(Exception):
    """A generator or the type checker refused; the message holds what it printed."""


def _run(step: str, command: Sequence[str | Path], cwd: Path = ROOT) -> float:
    """Run one step, print its time, and return it; fail with its output."""
    started = time.monotonic()
    done = subprocess.run(  # noqa: S603
        [str(part) for part in command], cwd=cwd, capture_output=True, text=True, check=False
    )
    took = time.monotonic() - started
    if done.returncode != 0:
        raise StepFailed(f"{step} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    print(f"{step}: {took:.1f} s", flush=True)
    return took


def generate_python(out: Path) -> Path:
    """The Python client as the package `out/yimen_client`; returns `out`."""
    target = out / PACKAGE
    shutil.rmtree(target, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    _run(
        "generate the Python client (openapi-python-client)",
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            DOCUMENT,
            "--output-path",
            target,
            "--meta",
            "none",
            "--config",
            PYTHON_CONFIG,
            "--fail-on-warning",
        ],
    )
    return out


def _npm() -> str:
    npm = shutil.which("npm")
    if npm is None:
        raise StepFailed("npm is not installed: the TypeScript client needs Node.js and npm")
    return npm


def install_typescript_tools() -> None:
    """openapi-typescript and tsc at the versions of package-lock.json, installed once (again
    only when the lock file changed)."""
    installed = TYPESCRIPT / "node_modules" / ".package-lock.json"
    lock = TYPESCRIPT / "package-lock.json"
    if installed.exists() and installed.stat().st_mtime >= lock.stat().st_mtime:
        return
    _run("install openapi-typescript and tsc (npm ci)", [_npm(), "ci"], cwd=TYPESCRIPT)


def generate_typescript() -> Path:
    """The TypeScript types of the document, where flows.ts imports them from."""
    TYPES.parent.mkdir(parents=True, exist_ok=True)
    tool = TYPESCRIPT / "node_modules" / ".bin" / "openapi-typescript"
    # A property with a default is optional, as the document says: openapi-typescript would
    # otherwise make it required in every schema, request bodies' components included.
    command = [tool, DOCUMENT, "--default-non-nullable", "false", "-o", TYPES]
    _run("generate the TypeScript client (openapi-typescript)", command)
    return TYPES


def typecheck_typescript() -> None:
    tsc = TYPESCRIPT / "node_modules" / ".bin" / "tsc"
    _run(
        "type-check the TypeScript client and flows.ts (tsc --noEmit)",
        [tsc, "--noEmit"],
        TYPESCRIPT,
    )


def typescript() -> None:
    install_typescript_tools()
    generate_typescript()
    typecheck_typescript()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("python", "typescript"), help="one client only")
    parser.add_argument(
        "--python-out", type=Path, default=BUILD / "python", help="where yimen_client goes"
    )
    args = parser.parse_args()
    try:
        if args.only in (None, "python"):
            generate_python(args.python_out)
        if args.only in (None, "typescript"):
            typescript()
    except StepFailed as failure:
        print(failure, file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
