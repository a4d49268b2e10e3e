"""One suite, two engines: SQLite by default, PostgreSQL (and Redis) when the
YIMEN_TEST_DATABASE_URL / YIMEN_TEST_REDIS_URL variables name them."""

from __future__ import annotations

import atexit
import base64
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from tests.support import auth_of
from tests.workers import take_worker_services

take_worker_services()
_TEST_DB = os.environ.get("YIMEN_TEST_DATABASE_URL", "")
_TMP = tempfile.mkdtemp(prefix="yimen-test-")
atexit.register(shutil.rmtree, _TMP, ignore_errors=True)
_SQLITE = os.path.join(_TMP, "yimen.sqlite3")
os.environ.update(
    {
        "DATABASE_URL": _TEST_DB,
        "YIMEN_SQLITE_PATH": _SQLITE,
        "YIMEN_MEDIA_DIR": os.path.join(_TMP, "media"),
        "REDIS_URL": "",
        "FIREBASE_CREDENTIALS": "",
        "YIMEN_ENV": "dev",
        "YIMEN_SECRET_KEY": base64.urlsafe_b64encode(b"t" * 32).decode(),
        "YIMEN_LOG_LEVEL": "WARNING",
        # A test runs a cron by calling it, and counts what it did: no timer may run it too.
        "YIMEN_CRONS": "false",
    }
)

import asyncpg  # noqa: E402
import httpx  # noqa: E402
from litestar import Litestar  # noqa: E402

from auth.sessions import grant_for  # noqa: E402
from backend.app import create_app  # noqa: E402
from backend.directory.users.service import PHONE_PURPOSE  # noqa: E402
from backend.directory.users.tables import UserAccount  # noqa: E402
from backend.kernel.db import close_database, current_engine, is_postgres, open_database  # noqa: E402
from backend.kernel.roles import Role  # noqa: E402
from backend.kernel.services import services_of  # noqa: E402
from backend.kernel.settings import Settings, get_settings  # noqa: E402
from backend.kernel.vault import Vault, vault_for  # noqa: E402
from backend.migrate import apply_migrations  # noqa: E402
from backend.seed import demo_user_with_role, seed_demo  # noqa: E402
from tests.problem_ledger import ProblemLedger  # noqa: E402
from tests.support import (  # noqa: E402
    RecordingSms,
    all_tables,
    empty_sqlite_tables,
    free_port,
    remember_seeded_calendar,
    restore_seeded_calendar,
    running,
)

Client = httpx.AsyncClient


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(ProblemLedger(), "yimen-problem-ledger")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Groups for pytest-xdist's `--dist loadgroup` (scripts/test): a file's tests run in one
    process, for its module fixtures, and every test that starts servers and workers of its
    own (tests/e2e) in one process too, one after another: two at once on a 2-core machine
    starve each other past their timeouts."""
    for item in items:
        path = item.nodeid.split("::", 1)[0]
        item.add_marker(pytest.mark.xdist_group("e2e" if path.startswith("tests/e2e/") else path))


def pytest_report_header() -> str:
    engine = "PostgreSQL" if _TEST_DB else f"SQLite ({_SQLITE})"
    redis = os.environ.get("YIMEN_TEST_REDIS_URL") or "not configured"
    return f"yimen: database {engine}; redis {redis}"


@pytest.fixture(scope="session")
def settings() -> Settings:
    return get_settings()


@pytest.fixture(scope="session")
def vault(settings: Settings) -> Vault:
    return vault_for(settings.secret)


@pytest.fixture(scope="session", autouse=True)
async def database() -> AsyncIterator[None]:
    engine = current_engine()
    if is_postgres(engine):
        await engine.run_ddl("DROP SCHEMA public CASCADE")
        await engine.run_ddl("CREATE SCHEMA public")
    await open_database(engine)
    await apply_migrations()
    await remember_seeded_calendar()
    yield
    await close_database(engine)


@pytest.fixture(autouse=True)
async def clean_tables(database: None) -> None:
    engine = current_engine()
    names = [table._meta.tablename for table in all_tables()]
    if is_postgres(engine):
        await _truncate(engine, names)
    else:
        await empty_sqlite_tables(engine, names)
    await restore_seeded_calendar()


async def _truncate(engine: Any, names: list[str]) -> None:
    """Empty every table; if another session holds a lock past a while, fail naming it
    rather than hang until the test times out, and end that session: a transaction left
    open by one test fails that test, not every test after it."""
    try:
        async with engine.transaction():
            await engine.run_ddl("SET LOCAL lock_timeout = '20s'")
            await engine.run_ddl(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE")
    except asyncpg.LockNotAvailableError as err:
        holders = await engine.run_ddl(
            "SELECT pid, state, xact_start, left(query, 200) AS query,"
            " pg_terminate_backend(pid) AS ended FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND state <> 'idle'"
        )
        raise AssertionError(f"tables held by another session: {holders}") from err


@pytest.fixture
def sms() -> RecordingSms:
    return RecordingSms()


@pytest.fixture
async def app(settings: Settings) -> Litestar:
    return create_app(settings)


@pytest.fixture
async def client(app: Litestar, sms: RecordingSms) -> AsyncIterator[Client]:
    async with running(app) as test_client:
        services_of(app).sms = sms
        yield test_client


@pytest.fixture
async def demo(vault: Vault) -> None:
    await seed_demo(vault)


TokenFor = Callable[[Role], Awaitable[str]]
TokenForPhone = Callable[[str], Awaitable[str]]


@pytest.fixture
def token_for_phone(app: Litestar, vault: Vault, demo: None, client: Client) -> TokenForPhone:
    """An access token for a demo user by phone (the client must be started)."""

    async def mint(phone: str) -> str:
        lookup = vault.lookup(phone, purpose=PHONE_PURPOSE)
        user = (
            await UserAccount.select(UserAccount.id)
            .where(UserAccount.phone_lookup == lookup)
            .first()
        )
        assert user is not None
        token, _ = auth_of(app).tokens.issue(await grant_for(user["id"]))
        return str(token)

    return mint


@pytest.fixture
def token_for(token_for_phone: TokenForPhone) -> TokenFor:
    """An access token for the demo user who holds a role."""

    async def mint(role: Role) -> str:
        return await token_for_phone(await demo_user_with_role(role))

    return mint


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def unused_port() -> int:
    return free_port()
