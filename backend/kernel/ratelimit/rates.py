"""A rate as settings write it, and the limits a request is held to."""

from __future__ import annotations

import msgspec

from backend.kernel.codes import ErrorCode

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class Rate(msgspec.Struct, frozen=True):
    """`count` requests in any `period` seconds, all of them at once if the caller has
    been quiet: a burst of `count`, then one every `period / count` seconds."""

    count: int
    period: float

    @classmethod
    def parse(cls, text: str) -> Rate:
        """ "5/h", "120/m", "10/30s": the settings' pattern has already checked the form."""
        count, _, per = text.partition("/")
        return cls(int(count), float(int(per[:-1] or 1) * _UNITS[per[-1]]))

    @property
    def interval(self) -> float:
        """Seconds between two requests at the sustained rate."""
        return self.period / self.count


class Limit(msgspec.Struct, frozen=True):
    """A named limit on one key: an address, a user, a phone. `name` labels the refusal
    (in logs and metrics); `code` is the problem code a refusal answers with."""

    name: str
    key: str
    rate: Rate
    code: ErrorCode


class Refusal(msgspec.Struct, frozen=True):
    """The limit that refused, and the seconds until it would allow the request."""

    limit: Limit
    wait: float
