"""The database engine chosen from settings, and transactions that lock on both engines."""

from __future__ import annotations

import json
from typing import Any

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType

from backend.settings import Settings


def engine_for(settings: Settings) -> Engine:
    """PostgreSQL when DATABASE_URL is a postgres URL, else the embedded SQLite file."""
    if settings.uses_postgres:
        return PostgresEngine(config={"dsn": settings.database_url})
    path = settings.database_url.removeprefix("sqlite:///") or settings.sqlite_path
    return SQLiteEngine(path=path, timeout=30)


def current_engine() -> Engine:
    from piccolo_conf import DB

    return DB


def transaction(engine: Engine | None = None) -> PostgresTransaction | SQLiteTransaction:
    """A write transaction; on SQLite an IMMEDIATE one, since SQLite has no row locks."""
    engine = engine or current_engine()
    if isinstance(engine, SQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    assert isinstance(engine, PostgresEngine)
    postgres: PostgresTransaction = engine.transaction()
    return postgres


def is_postgres(engine: Engine | None = None) -> bool:
    return isinstance(engine or current_engine(), PostgresEngine)


_pool_users: dict[int, int] = {}


async def open_database(engine: Engine) -> None:
    """Start the connection pool; several apps in one process share it."""
    if isinstance(engine, PostgresEngine):
        users = _pool_users.get(id(engine), 0)
        if users == 0:
            await engine.start_connection_pool(min_size=2, max_size=20)
        _pool_users[id(engine)] = users + 1


async def close_database(engine: Engine) -> None:
    """Close the pool once its last user is done with it."""
    if isinstance(engine, PostgresEngine):
        users = _pool_users.get(id(engine), 0) - 1
        _pool_users[id(engine)] = max(users, 0)
        if users == 0:
            await engine.close_connection_pool()


async def database_reachable(engine: Engine) -> bool:
    try:
        await engine.run_ddl("SELECT 1")
    except (OSError, ConnectionError) as err:
        del err
        return False
    return True


def json_value(value: Any) -> Any:
    """A piccolo JSON column's value; the engines hand it back as text."""
    return json.loads(value) if isinstance(value, str | bytes) else value
