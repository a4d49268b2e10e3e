"""Apply piccolo migrations of every app, in dependency order."""

from __future__ import annotations

import contextlib
import io

from piccolo.apps.migrations.commands.forwards import run_forwards


class MigrationFailed(Exception):
    pass


async def apply_migrations() -> None:
    """Run every pending migration; a second run finds none and changes nothing."""
    chatter = io.StringIO()
    with contextlib.redirect_stdout(chatter):
        result = await run_forwards(app_name="all")
    if not result.success:
        raise MigrationFailed(result.message or chatter.getvalue())
