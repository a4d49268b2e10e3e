"""How long to wait before trying again."""

import random


def backoff(attempt: int, cap: float = 300.0) -> float:
    """Seconds before try `attempt + 1`: exponential, capped, with jitter over its upper half."""
    base = min(2.0**attempt, cap)
    return base / 2 + random.uniform(0, base / 2)  # noqa: S311 - jitter, not a secret
