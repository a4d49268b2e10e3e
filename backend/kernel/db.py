"""The database engine chosen from settings, and transactions that lock on both engines.

Piccolo binds an engine to each table class, so a process talks to one database: the one
`use_database` last bound every table to. `piccolo_conf.py` names it only for piccolo's CLI.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from typing import Any

import aiosqlite
import asyncpg
import msgspec
from piccolo.columns import Column
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType
from piccolo.table import Table

from backend.kernel.readers import Lender
from backend.kernel.settings import Settings

# What an INSERT that breaks a unique index raises, on either engine.
UNIQUE_VIOLATION = (asyncpg.UniqueViolationError, sqlite3.IntegrityError)


def engine_for(settings: Settings) -> Engine:
    """PostgreSQL when DATABASE_URL is a postgres URL, else the embedded SQLite file; one
    engine per database, so that apps of one process share its connection pool."""
    if settings.uses_postgres:
        return _engine(settings.database_url, "")
    return _engine("", settings.database_url.removeprefix("sqlite:///") or settings.sqlite_path)


@functools.cache
def _engine(dsn: str, path: str) -> Engine:
    if dsn:
        return PostgresEngine(config={"dsn": dsn})
    return SQLiteEngine(path=path, timeout=30)


_bound: Engine | None = None


def use_database(settings: Settings, piccolo_apps: Iterable[str]) -> Engine:
    """Bind every table of these piccolo apps to the database the settings name."""
    global _bound
    engine = engine_for(settings)
    for module in piccolo_apps:
        for table in importlib.import_module(module).APP_CONFIG.table_classes:
            table._meta.db = engine
    _bound = engine
    return engine


def current_engine() -> Engine:
    """The engine the tables are bound to: `use_database`'s, or piccolo_conf's."""
    if _bound is not None:
        return _bound
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


@contextlib.asynccontextmanager
async def all_or_nothing() -> AsyncIterator[None]:
    """Statements that take effect together or not at all, inside a transaction that is
    already open: a savepoint, rolled back to when the block raises, so that a caller who
    catches the error goes on with its own writes and none of the block's. Outside a
    transaction it opens one (`transaction()`)."""
    current = current_engine().current_transaction.get()
    if current is None:
        async with transaction():
            yield
        return
    savepoint = await current.savepoint()
    try:
        yield
    except BaseException:
        await savepoint.rollback_to()
        raise
    await savepoint.release()


def in_transaction() -> bool:
    """A transaction is open in this context: statements run on its connection."""
    return current_engine().current_transaction.get() is not None


def is_postgres(engine: Engine | None = None) -> bool:
    return isinstance(engine or current_engine(), PostgresEngine)


_pool_users: dict[int, int] = {}
_lenders: dict[int, Lender] = {}
POOL_SIZE = 20
# Beside the pool: connections for single statements outside a transaction (fetch_rows).
LENT_SIZE = 10


async def open_database(engine: Engine) -> None:
    """Start the connection pool; several apps in one process share it. An SQLite file is
    switched to write-ahead logging, so readers never wait for a writer's commit."""
    if isinstance(engine, SQLiteEngine):
        await engine.run_ddl("PRAGMA journal_mode=WAL")
    if isinstance(engine, PostgresEngine):
        users = _pool_users.get(id(engine), 0)
        if users == 0:
            await engine.start_connection_pool(min_size=2, max_size=POOL_SIZE, reset=_keep_session)
            _lenders[id(engine)] = Lender(engine.config, LENT_SIZE)
        _pool_users[id(engine)] = users + 1


async def _keep_session(connection: object) -> None:
    """Release a pooled connection without asyncpg's reset query, a round trip on every
    release. The pool still rolls back an open transaction; nothing here leaves session
    state behind (no session advisory locks, LISTEN, SET or held cursors)."""


async def close_database(engine: Engine) -> None:
    """Close the pool once its last user is done with it."""
    if isinstance(engine, PostgresEngine):
        users = _pool_users.get(id(engine), 0) - 1
        _pool_users[id(engine)] = max(users, 0)
        if users == 0:
            lender = _lenders.pop(id(engine), None)
            if lender is not None:
                await lender.close()
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
    return msgspec.json.decode(value) if isinstance(value, str | bytes) else value


async def fetch_rows(sql: str, *args: Any) -> Sequence[Mapping[str, Any]]:
    """Rows of one statement written for PostgreSQL (`$1`, `$2`… as placeholders), on either
    engine, joining the current transaction if there is one. For the hottest reads: the
    statement is prepared once per connection and its rows come back as the driver reads
    them (read a column by name), where a piccolo query is built, rendered and its rows
    copied into dicts on every call. JSON columns come back as text (`json_value`)."""
    engine = current_engine()
    if isinstance(engine, PostgresEngine):
        current = engine.current_transaction.get()
        lender = _lenders.get(id(engine))
        if current is not None:
            rows: Sequence[Mapping[str, Any]] = await current.connection.fetch(sql, *args)
        elif lender is not None:
            rows = await lender.fetch(sql, args)
        elif engine.pool is not None:
            async with engine.pool.acquire() as connection:
                rows = await connection.fetch(sql, *args)
        else:
            connection = await engine.get_new_connection()
            try:
                rows = await connection.fetch(sql, *args)
            finally:
                await connection.close()
        return rows
    assert isinstance(engine, SQLiteEngine)
    return await _fetch_from_sqlite(engine, for_sqlite(sql), args)


async def fetch_each(sql: str, arg_rows: Sequence[Sequence[Any]]) -> Sequence[Mapping[str, Any]]:
    """`fetch_rows` of one statement for each row of arguments, inside the current
    transaction: the rows of every run, in order. On PostgreSQL the runs go out together
    (one round trip), as `INSERT … RETURNING` of many rows wants."""
    engine = current_engine()
    current = engine.current_transaction.get()
    if current is None:
        raise RuntimeError("fetch_each() needs a transaction around it")
    if isinstance(engine, PostgresEngine):
        found: Sequence[Mapping[str, Any]] = await current.connection.fetchmany(sql, arg_rows)
        return found
    assert isinstance(engine, SQLiteEngine)
    rows: list[Mapping[str, Any]] = []
    for args in arg_rows:
        rows += await _fetch_from_sqlite(engine, for_sqlite(sql), args)
    return rows


# A quoted string or name (kept as written), or a placeholder.
_SQLITE_MARK = re.compile(r"""('(?:[^']|'')*'|"(?:[^"]|"")*")|\$(\d+)""")


def for_sqlite(sql: str) -> str:
    """The statement with SQLite's numbered placeholders (?1, ?2…) for PostgreSQL's ($1,
    $2…), taking the same arguments; a `$1` inside quotes is text and stays as it is."""
    return _SQLITE_MARK.sub(lambda m: m.group(1) or f"?{m.group(2)}", sql)


def placeholders(first: int, count: int) -> str:
    """`$first, …` for a list of `count` values, as in `IN ({placeholders(2, 3)})`. SQL has
    no empty list: ask only for one or more."""
    if count < 1:
        raise ValueError("an IN list needs at least one value")
    return ", ".join(f"${n}" for n in range(first, first + count))


# Lists of keys are padded to a power of two with their last key again, up to this many:
# a handful of statements for every length, so that they stay prepared on the connection.
_PADDED_UP_TO = 1024


async def fetch_where_in(
    select: str, column: str, keys: Iterable[Any], *, then: str = ""
) -> Sequence[Mapping[str, Any]]:
    """The rows of `select` (`SELECT … FROM …`, no WHERE) whose `column` is one of `keys`,
    `then` (`ORDER BY …`) after: the reads of `ReadTogether`, many keys in one statement.
    Each key is asked once; none at all reads nothing."""
    wanted = sorted(set(keys))
    if not wanted:
        return []
    if len(wanted) == 1:
        return await fetch_rows(f"{select} WHERE {column} = $1 {then}", wanted[0])
    if len(wanted) <= _PADDED_UP_TO:
        wanted += wanted[-1:] * ((1 << (len(wanted) - 1).bit_length()) - len(wanted))
    marks = placeholders(1, len(wanted))
    return await fetch_rows(f"{select} WHERE {column} IN ({marks}) {then}", *wanted)


def _as_dict(cursor: sqlite3.Cursor, row: tuple[Any, ...]) -> dict[str, Any]:
    return {column[0]: value for column, value in zip(cursor.description, row, strict=True)}


async def _fetch_from_sqlite(
    engine: SQLiteEngine, sql: str, args: Sequence[Any]
) -> Sequence[Mapping[str, Any]]:
    current = engine.current_transaction.get()
    if current is not None:
        cursor = await current.connection.execute(sql, args)
        rows: Sequence[Mapping[str, Any]] = await cursor.fetchall()
        return rows
    async with aiosqlite.connect(**engine.connection_kwargs) as connection:
        connection.row_factory = _as_dict  # type: ignore[assignment]
        cursor = await connection.execute(sql, args)
        found: Sequence[Mapping[str, Any]] = await cursor.fetchall()  # type: ignore[assignment]
        await connection.commit()  # a write outside a transaction is kept, as piccolo's are
        return found


async def insert_rows(
    table: type[Table], columns: Sequence[Column], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert plain rows with one prepared statement, joining the current transaction if
    there is one. For hot paths: it skips the piccolo object that `Table.insert` builds and
    renders for every row, so values must already be what the columns hold."""
    if not rows:
        return
    engine = table._meta.db
    names = ", ".join(f'"{column._meta.db_column_name}"' for column in columns)
    into = f'INSERT INTO "{table._meta.tablename}" ({names}) VALUES'
    if isinstance(engine, PostgresEngine):
        marks = ", ".join(f"${n}" for n in range(1, len(columns) + 1))
        await _insert_into_postgres(engine, f"{into} ({marks})", rows)
    else:
        assert isinstance(engine, SQLiteEngine)
        await _insert_into_sqlite(engine, f"{into} ({', '.join('?' for _ in columns)})", rows)


async def _insert_into_postgres(
    engine: PostgresEngine, sql: str, rows: Sequence[Sequence[Any]]
) -> None:
    current = engine.current_transaction.get()
    if current is not None:
        await _execute(current.connection, sql, rows)
    elif engine.pool is not None:
        async with engine.pool.acquire() as connection:
            await _execute(connection, sql, rows)
    else:
        connection = await engine.get_new_connection()
        try:
            await _execute(connection, sql, rows)
        finally:
            await connection.close()


async def _execute(connection: Any, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    # One row is the common case (a step, an outbox event): asyncpg's executemany costs
    # about half as much again as a plain execute of the same prepared statement.
    if len(rows) == 1:
        await connection.execute(sql, *rows[0])
    else:
        await connection.executemany(sql, rows)


async def _insert_into_sqlite(
    engine: SQLiteEngine, sql: str, rows: Sequence[Sequence[Any]]
) -> None:
    current = engine.current_transaction.get()
    if current is not None:
        await current.connection.executemany(sql, rows)
        return
    async with aiosqlite.connect(**engine.connection_kwargs) as connection:
        # piccolo's connections autocommit: one transaction, not one per row
        await connection.execute("BEGIN IMMEDIATE")
        await connection.executemany(sql, rows)
        await connection.commit()
