"""Grid events hears of elders who need a visit through an event whose payload the SDK
defines: it starts, and reads that payload, without elderly care installed."""

from __future__ import annotations

from backend.kernel.registry import build_registry, host_parts, installed_miniapps
from backend.sdk import ELDER_NEEDS_VISIT, ElderNeedsVisit


def test_grid_events_alone_subscribes_to_and_reads_the_contract_event() -> None:
    alone = [a for a in installed_miniapps() if a.manifest.id == "grid_events"]
    registry = build_registry(alone, host_parts=list(host_parts()))
    assert registry.events[ELDER_NEEDS_VISIT] is ElderNeedsVisit
    assert [s.name for s in registry.subscribers[ELDER_NEEDS_VISIT]] == [
        "grid_events.open_care_visit"
    ]
