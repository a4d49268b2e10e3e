"""Running a command of `yimen` (the host's or a part's) with the database open."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import click

from backend.kernel.db import close_database, open_database, use_database
from backend.kernel.registry import piccolo_apps
from backend.kernel.settings import Settings, SettingsError, get_settings

T = TypeVar("T")


def command_settings() -> Settings:
    """The settings from the environment, or a clean message naming what is wrong."""
    try:
        return get_settings()
    except SettingsError as err:
        raise click.ClickException(f"configuration: {err}") from err


def run_with_database(work: Callable[[Settings], Awaitable[T]]) -> T:
    """Run `work` with the database of the settings open, as most commands do."""
    settings = command_settings()

    async def main() -> T:
        engine = use_database(settings, piccolo_apps())
        await open_database(engine)
        try:
            return await work(settings)
        finally:
            await close_database(engine)

    return asyncio.run(main())
