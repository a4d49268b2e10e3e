"""Domain events with an outbox: emit inside a unit of work, delivered after commit."""

from backend.kernel.events.outbox import emit, on_commit, unit_of_work

__all__ = ["emit", "on_commit", "unit_of_work"]
