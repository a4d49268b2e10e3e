"""The `yimen` command."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import shutil
import sys
import tempfile
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click

from backend.kernel.commands import command_settings, run_with_database
from backend.kernel.db import close_database, open_database, use_database
from backend.kernel.registry import piccolo_apps
from backend.kernel.services import Services
from backend.kernel.settings import LogFormat, Settings

T = TypeVar("T")

_settings = command_settings


def run_with_host(work: Callable[[Services], Awaitable[T]]) -> T:
    """Run `work` with every part started, as in a worker that runs no crons."""
    from backend.host import Host, load_registry

    settings = _settings()

    async def main() -> T:
        registry = load_registry()
        engine = use_database(settings, piccolo_apps())
        services = Services(settings, registry, engine)
        await open_database(engine)
        host = Host(services)
        try:
            await host.start(runs_jobs=False)
            return await work(services)
        finally:
            await host.stop()
            await close_database(engine)

    return asyncio.run(main())


class YimenCommand(click.Group):
    """The `yimen` group, with each mini-app's commands under a group named like the app."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._miniapp_groups()})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return super().get_command(ctx, name) or self._miniapp_groups().get(name)

    def _miniapp_groups(self) -> dict[str, click.Command]:
        from backend.kernel.registry import installed_miniapps

        groups: dict[str, click.Command] = {}
        for app in installed_miniapps():
            if app.manifest.commands:
                groups[app.manifest.id] = click.Group(
                    app.manifest.id, commands=app.manifest.commands, help=app.manifest.title("en")
                )
        return groups


# Longer than the idle timeout of whatever keeps connections to us (nginx's upstream
# keepalive: 60 s; httpx: 5 s). The server must be the side that waits longer, or a request
# sent just as it closes an idle connection is lost in between. Granian has no keep-alive
# timeout of its own: its header read timeout (30 s unless set) runs whenever a connection
# waits for a request's head, idle keep-alive included, so that is the one set from this.
KEEP_ALIVE = 75


def run_server(
    target: str, *, host: str, port: int, workers: int = 1, json_logs: bool = False
) -> None:
    """Serve the ASGI app `target` ("module:attribute") with Granian until SIGTERM or
    SIGINT, in `workers` processes that each import it and run its lifespan. On the
    signal each stops accepting, closes its idle connections, finishes the requests under
    way, then runs the app's shutdown; the command exits 0 once every worker has."""
    from granian.constants import HTTPModes, Interfaces, Loops
    from granian.http import HTTP1Settings
    from granian.log import LogLevels
    from granian.server import Server

    Server(
        target,
        address=host,
        port=port,
        workers=workers,
        interface=Interfaces.ASGI,
        loop=Loops.asyncio if sys.platform == "win32" else Loops.uvloop,
        http=HTTPModes.http1,  # as before: TLS, and HTTP/2 with it, end at the proxy
        websockets=False,
        http1_settings=HTTP1Settings(header_read_timeout=KEEP_ALIVE * 1000),
        # A worker that dies is replaced (uvicorn did so under --workers); one that dies
        # again within seconds (a database that refuses at start-up) stops the command.
        respawn_failed_workers=True,
        log_level=LogLevels.warning,
        # Granian's own lines (a worker that died and was replaced) as the app's, one JSON
        # object each when the logs are JSON.
        log_dictconfig=_JSON_SERVER_LOGS if json_logs else None,
        log_access=False,  # the app writes its own, with the request's id
    ).serve(target_loader=_imported)


_JSON = {"()": "backend.kernel.logs.JsonFormatter"}
_JSON_SERVER_LOGS = {"formatters": {"generic": _JSON, "access": _JSON}}


def _imported(target: str) -> Any:
    """The object `target` names, imported as any module is. Granian's own loader would
    look for the module under the working directory first, and fail when that directory
    is inside a package (`yimen serve` run from backend/)."""
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


@click.group(cls=YimenCommand)
def main() -> None:
    """Yimen (一门): the backend of a city's single-entry government app."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int)
def serve(host: str, port: int, workers: int) -> None:
    """Serve the API (PostgreSQL/Redis when configured, else SQLite and in-process jobs)."""
    settings = _settings()
    database = "PostgreSQL" if settings.uses_postgres else f"SQLite {settings.sqlite_path}"
    jobs = "arq on Redis" if settings.redis_url else "in-process jobs"
    access = "access log on" if settings.logs_access else "access log off"
    click.echo(
        f"Yimen on http://{host}:{port} ({database}, {jobs}, {settings.mode} mode, {access})"
    )
    with metrics_directory(settings):
        counters_on_own_port(settings)
        run_server(
            "backend.asgi:app",
            host=host,
            port=port,
            workers=workers,
            json_logs=settings.logs_as is LogFormat.JSON,
        )


@contextlib.contextmanager
def metrics_directory(settings: Settings) -> Iterator[None]:
    """Where the processes of this host pool their counters, so that a scrape of any API
    worker reads them all: YIMEN_METRICS_DIR, shared with `yimen worker`, or else a fresh
    directory of this server's own, removed when it stops. Set before the workers start."""
    from backend.kernel.metrics import share_directory

    if settings.metrics_dir:
        share_directory(Path(settings.metrics_dir))
        yield
        return
    own = Path(tempfile.mkdtemp(prefix="yimen-metrics-"))
    try:
        share_directory(own)
        yield
    finally:
        shutil.rmtree(own, ignore_errors=True)


def counters_on_own_port(settings: Settings) -> None:
    """Serve this host's counters on YIMEN_METRICS_PORT when it is set; after
    `metrics_directory`, so that they are the pooled ones."""
    if not settings.metrics_port:
        return
    from backend.kernel.metrics import serve_counters

    try:
        serve_counters(settings.metrics_host, settings.metrics_port)
    except OSError as err:
        where = f"{settings.metrics_host}:{settings.metrics_port}"
        raise click.ClickException(f"YIMEN_METRICS_PORT: cannot listen on {where}: {err}") from err
    click.echo(f"metrics on http://{settings.metrics_host}:{settings.metrics_port}/metrics")


@main.command()
@click.option("--check", is_flag=True, help="exit 0 if a worker reported healthy recently")
@click.option("--burst", is_flag=True, help="stop once the queue is empty")
def worker(check: bool, burst: bool) -> None:
    """Run jobs, crons and event delivery from Redis (arq)."""
    from backend.worker import build_worker, worker_is_healthy

    settings = _settings()
    if not settings.redis_url:
        raise click.ClickException("the worker needs REDIS_URL; without it the API runs jobs")
    if check:
        sys.exit(0 if worker_is_healthy(settings) else 1)
    if settings.metrics_dir:
        from backend.kernel.metrics import share_directory

        share_directory(Path(settings.metrics_dir))
    counters_on_own_port(settings)
    build_worker(settings, burst=burst).run()


@main.group()
def events() -> None:
    """Domain events."""


@events.command("dead")
def dead_letters() -> None:
    """List handlers that failed on their last try."""
    from backend.kernel.events.tables import DeadLetter

    async def work(_: Settings) -> list[dict[str, Any]]:
        return await DeadLetter.select().order_by(DeadLetter.id)

    for row in run_with_database(work):
        click.echo(
            f"{row['id']:>6}  {row['name']}  {row['handler']}  {row['event_id']}  {row['error']}"
        )


@events.command("retry")
@click.argument("dead_letter_id", type=int)
def retry_event(dead_letter_id: int) -> None:
    """Re-run one dead letter's handler now."""
    from backend.kernel.events.delivery import retry_dead_letter

    try:
        error = run_with_host(lambda services: retry_dead_letter(dead_letter_id, services))
    except LookupError as err:
        raise click.ClickException(str(err)) from err
    if error:
        raise click.ClickException(f"failed again: {error}")
    click.echo(f"dead letter {dead_letter_id} handled")


@main.command()
def migrate() -> None:
    """Apply every pending migration of the host and the mini-apps; safe to run twice."""
    from backend.migrate import apply_migrations

    run_with_database(lambda _: apply_migrations())
    click.echo("migrations applied")


@main.command("seed-demo")
def seed_demo() -> None:
    """Load the demo city, one user for every role, and each mini-app's demo data."""
    from backend.kernel.registry import installed_miniapps
    from backend.kernel.vault import vault_for
    from backend.seed import DemoUser, seed_miniapp_demos
    from backend.seed import seed_demo as seed

    async def seed_all(settings: Settings) -> tuple[list[DemoUser], list[str]]:
        users = await seed(vault_for(settings.secret))
        return users, await seed_miniapp_demos(installed_miniapps())

    users, apps = run_with_database(seed_all)
    click.echo(f"{'phone':<13} {'name':<8} role")
    for user in users:
        role = f"{user.role} @ {user.scope}" if user.role else f"resident @ {user.home}"
        click.echo(f"{user.phone:<13} {user.name:<8} {role}")
    if apps:
        click.echo(f"demo data of {', '.join(apps)}")


@main.command("dev-token")
@click.option("--phone", help="a seeded user's phone")
@click.option("--role", help="any seeded user holding this role")
def dev_token(phone: str | None, role: str | None) -> None:
    """Print an access token for a seeded user (development only)."""
    from backend.devtools import mint_dev_token

    if not _settings().is_dev:
        raise click.ClickException("dev-token refuses to run when YIMEN_ENV=prod")
    if bool(phone) == bool(role):
        raise click.UsageError("give exactly one of --phone and --role")
    try:
        token = run_with_database(lambda s: mint_dev_token(s, phone=phone, role=role))
    except LookupError as err:
        raise click.ClickException(f"no seeded user for {err}") from err
    click.echo(token)


@main.command()
@click.option("--output", default="openapi/openapi.json", show_default=True, type=click.Path())
def openapi(output: str) -> None:
    """Write the OpenAPI document of the app."""
    from backend.devtools import openapi_document

    Path(output).parent.mkdir(parents=True, exist_ok=True)
    Path(output).write_bytes(openapi_document(_settings()))
    click.echo(f"wrote {output}")


@main.group()
def keys() -> None:
    """Access-token signing keys."""


@keys.command()
def rotate() -> None:
    """Make a new signing key; old keys keep verifying until their tokens expire."""
    from auth.keys import create_signing_key, prune_retired_keys
    from backend.kernel.vault import vault_for

    async def work(settings: Settings) -> str:
        await prune_retired_keys()
        return await create_signing_key(settings, vault_for(settings.secret))

    click.echo(f"new signing key {run_with_database(work)}")


@main.group()
def orgs() -> None:
    """The org tree."""


@orgs.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_orgs(file: Path) -> None:
    """Load org units from JSON or CSV; on any bad row nothing is imported."""
    from backend.directory.orgs.service import import_units, parse_units
    from backend.kernel.errors import YimenError

    fmt = "csv" if file.suffix.lower() == ".csv" else "json"

    text = file.read_text(encoding="utf-8")

    async def work(_: Settings) -> Any:
        units = parse_units(text, fmt=fmt)
        with click.progressbar(length=len(units), label="importing", file=sys.stderr) as bar:
            return await import_units(units, progress=bar.update)

    try:
        report = run_with_database(work)
    except YimenError as err:
        for error in err.errors or []:
            click.echo(f"row {error.row}: {error.field}: {error.message}", err=True)
        raise click.ClickException("nothing imported") from err
    except (ValueError, json.JSONDecodeError) as err:
        raise click.ClickException(f"cannot read {file}: {err}") from err
    click.echo(f"{report.created} created, {report.updated} updated")


if __name__ == "__main__":
    main()
