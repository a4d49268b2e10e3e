"""Schemathesis against a live Yimen, from the committed OpenAPI document, as four roles.

Every operation of openapi/openapi.json is called with generated valid and invalid input,
with the token of a resident, a grid worker, a community admin and a platform admin, and
each answer is checked: never a server error, a status and content type the document
declares for the operation, and shaped as the document says.

    python scripts/fuzz.py                    # long run: a fresh SQLite demo city, own server
    python scripts/fuzz.py --max-examples 500 --seed 7
    python scripts/fuzz.py --url http://127.0.0.1:8000 --token resident=eyJ...   # a running API

Without --url it migrates and seeds a fresh database (a temporary SQLite file, or
DATABASE_URL if set; that one is changed by the run), serves it on a free port and mints
the tokens with `yimen dev-token`. The exit status is 0 only if every role's run passed.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCUMENT = ROOT / "openapi" / "openapi.json"
ROLES = ("resident", "grid_worker", "community_admin", "platform_admin")
CHECKS = ",".join(
    (
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
    )
)


def _bin(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_ready(url: str, server: subprocess.Popen[bytes], deadline: float) -> None:
    """Poll /readyz until it answers 200; the server dying or the deadline passing fails."""
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with {server.returncode}")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{url}/readyz", timeout=2) as answer,  # noqa: S310
        ):
            if answer.status == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{url} was not ready in time")


@contextlib.contextmanager
def serving(env: dict[str, str], log: Path, *, timeout: float = 60) -> Iterator[str]:
    """`yimen serve` on a free port of 127.0.0.1 with this environment, logging to `log`;
    its base URL."""
    port = _free_port()
    with log.open("ab") as output:
        server = subprocess.Popen(  # noqa: S603
            [_bin("yimen"), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(url, server, time.monotonic() + timeout)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def yimen(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603
        [_bin("yimen"), *args], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def st_command(url: str, token: str, *, max_examples: int, seed: int, phases: str) -> list[str]:
    """One schemathesis run as the holder of one token."""
    return [
        _bin("st"),
        "run",
        str(DOCUMENT),
        "--url",
        url,
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        CHECKS,
        "--max-examples",
        str(max_examples),
        "--seed",
        str(seed),
        # One thread per run: Hypothesis parses lambdas with `ast` and Python 3.11's parser
        # fails ("AST constructor recursion depth mismatch") when two threads do it at once.
        # The roles run as parallel processes instead.
        "--workers",
        "1",
        "--request-timeout",
        "30",
        "--no-shrink",
        "--warnings",
        "off",
        "--phases",
        phases,
    ]


def fuzz(url: str, tokens: dict[str, str], *, max_examples: int, seed: int, phases: str) -> int:
    """Run every role at once (the runs wait on the server far more than they compute), then
    print each role's report in turn; 0 if all passed."""
    with tempfile.TemporaryDirectory(prefix="yimen-fuzz-logs-") as logs:
        runs = {}
        for role, token in tokens.items():
            log = open(os.path.join(logs, role), "w+b")  # noqa: SIM115
            command = st_command(url, token, max_examples=max_examples, seed=seed, phases=phases)
            # In a scratch directory: schemathesis leaves its caches in the working directory.
            run = subprocess.Popen(command, cwd=logs, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
            runs[role] = (run, log)
        failed = []
        for role, (run, log) in runs.items():
            if run.wait() != 0:
                failed.append(role)
            log.seek(0)
            print(f"== schemathesis as {role}", flush=True)
            sys.stdout.write(log.read().decode(errors="replace"))
            log.close()
    print(f"== failed as: {', '.join(failed)}" if failed else "== every role passed", flush=True)
    return 1 if failed else 0


def server_errors(log: str) -> list[str]:
    """The first and last line of every traceback the server logged."""
    lines = log.splitlines()
    errors = []
    for number, line in enumerate(lines):
        if line.startswith("Traceback"):
            end = next(
                (n for n in range(number + 1, len(lines)) if not lines[n].startswith(" ")),
                len(lines) - 1,
            )
            errors.append(f"{lines[number - 1] if number else ''} -> {lines[end]}")
    return errors


def _own_city(workdir: str) -> dict[str, str]:
    env = {
        **os.environ,
        "YIMEN_ENV": "dev",
        "YIMEN_SQLITE_PATH": os.path.join(workdir, "fuzz.sqlite3"),
        "YIMEN_MEDIA_DIR": os.path.join(workdir, "media"),
        "YIMEN_LOG_LEVEL": "ERROR",
    }
    yimen(env, "migrate")
    yimen(env, "seed-demo")
    return env


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running API; default: serve a fresh demo city")
    parser.add_argument(
        "--token", action="append", default=[], help="ROLE=TOKEN, with --url (repeatable)"
    )
    parser.add_argument("--max-examples", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--phases", default="examples,coverage,fuzzing,stateful", help="schemathesis phases"
    )
    args = parser.parse_args()
    options = {"max_examples": args.max_examples, "seed": args.seed, "phases": args.phases}
    if args.url:
        tokens = dict(item.split("=", 1) for item in args.token)
        if not tokens:
            parser.error("--url needs at least one --token ROLE=TOKEN")
        return fuzz(args.url, tokens, **options)
    with tempfile.TemporaryDirectory(prefix="yimen-fuzz-") as workdir:
        env = _own_city(workdir)
        tokens = {role: yimen(env, "dev-token", "--role", role) for role in ROLES}
        log = Path(workdir) / "server.log"
        with serving(env, log) as url:
            status = fuzz(url, tokens, **options)
        if status:
            print("== the server's errors", flush=True)
            print("\n".join(server_errors(log.read_text(errors="replace"))), flush=True)
        return status


if __name__ == "__main__":
    sys.exit(main())
