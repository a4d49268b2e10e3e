"""The host's nightly cron over every part's partitioned tables, with the settings' keeps."""

from __future__ import annotations

from typing import TYPE_CHECKING

from backend.kernel.clock import utc_now
from backend.kernel.partitions.declaration import Retention, parse_retentions
from backend.kernel.partitions.maintenance import TableCare, maintain
from backend.kernel.settings import Settings, SettingsError

if TYPE_CHECKING:
    from backend.kernel.registry import Registry
    from backend.kernel.services import Services


def table_keeps(registry: Registry, settings: Settings) -> dict[str, Retention | None]:
    """The keeps `YIMEN_RETENTION` sets; naming a table no part splits by month is an error
    at start-up, not a keep silently never applied."""
    keeps = parse_retentions(settings.retention)
    known = {declared.table for declared in registry.partitioned()}
    unknown = sorted(set(keeps) - known)
    if unknown:
        raise SettingsError(
            f"YIMEN_RETENTION: no table split by month is named {unknown[0]!r} "
            f"(known: {', '.join(sorted(known))})"
        )
    return keeps


async def care_for_partitions(services: Services) -> list[TableCare]:
    return await maintain(
        services.registry.partitioned(),
        keeps=table_keeps(services.registry, services.settings),
        ahead=services.settings.partitions_ahead,
        now=utc_now(),
    )
