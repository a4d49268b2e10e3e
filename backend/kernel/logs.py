"""Logs: one JSON object per line in production (text for a person in development), each
line written while serving a request carrying that request's id.

The id lives in a context variable set where a request enters the app; every log record
made in that context is stamped with it when it is made (a record factory, so that any
handler sees it, the test suite's included), and problem details carry the same id.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
import sys
from typing import Any

import msgspec

from backend.kernel.settings import LogFormat

REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "yimen_request_id", default=None
)
ACCESS_LOGGER = "yimen.access"
TEXT_FORMAT = "%(levelname)s:%(name)s:%(message)s"
# The access log's own text line has the time of day: the app's text format has none.
ACCESS_TEXT_FORMAT = "%(asctime)s %(message)s"
_MARK = "_yimen_handler"


def current_request_id() -> str | None:
    """The id of the request being served in this context, if any."""
    return REQUEST_ID.get()


class JsonFormatter(logging.Formatter):
    """`{"time", "level", "logger", "message", "request_id"?, ...fields, "error"?}` on one
    line: JSON escapes a newline inside a message, so a message cannot forge a line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id is not None:
            entry["request_id"] = request_id
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["error"] = record.exc_text
        return msgspec.json.encode(entry, enc_hook=str).decode()


def _stamp_request_ids() -> None:
    """Every record made from now on carries `request_id`: the id of the request in whose
    context it was made, or None."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, _MARK, False):
        return

    def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        record.request_id = REQUEST_ID.get()
        return record

    setattr(make, _MARK, True)
    logging.setLogRecordFactory(make)


def _handler(fmt: LogFormat, text_format: str) -> logging.Handler:
    handler = logging.StreamHandler(sys.stderr)
    formatter = JsonFormatter() if fmt is LogFormat.JSON else logging.Formatter(text_format)
    handler.setFormatter(formatter)
    setattr(handler, _MARK, True)
    return handler


def _replace_handler(logger: logging.Logger, handler: logging.Handler) -> None:
    for old in [h for h in logger.handlers if getattr(h, _MARK, False)]:
        logger.removeHandler(old)
    logger.addHandler(handler)


def configure_logging(level: str, fmt: LogFormat, *, access_log: bool = False) -> None:
    """The process's logging: the root at `level` in `fmt`, and, when asked, the access log
    at INFO whatever `level` says (it is asked for by name, and the level is for the app's
    own messages). Safe to call again: it replaces only what it added."""
    _stamp_request_ids()
    root = logging.getLogger()
    root.setLevel(level.upper())
    if not any(not getattr(h, _MARK, False) for h in root.handlers):
        # As logging.basicConfig: a handler someone else installed (a test runner's) stays.
        _replace_handler(root, _handler(fmt, TEXT_FORMAT))
    if access_log:
        access = logging.getLogger(ACCESS_LOGGER)
        _replace_handler(access, _handler(fmt, ACCESS_TEXT_FORMAT))
        access.setLevel(logging.INFO)
        access.propagate = False


__all__ = [
    "ACCESS_LOGGER",
    "REQUEST_ID",
    "JsonFormatter",
    "LogFormat",
    "configure_logging",
    "current_request_id",
]
