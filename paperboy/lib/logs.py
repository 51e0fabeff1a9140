"""Log lines for operators: time, level and logger on every line, plain or JSON.

``settings.LOGGING`` picks the format (``PAPERBOY_LOG_FORMAT``: ``plain``, the default, or
``json``); ``gunicorn_conf.py`` gives gunicorn's own logs (start-up, access log) the same.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

PLAIN = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ``time`` (ISO 8601, UTC), ``level``, ``logger``, ``message``,
    and ``exception`` when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def formatters() -> dict:
    return {"plain": {"format": PLAIN}, "json": {"()": "paperboy.lib.logs.JsonFormatter"}}


def gunicorn_logconfig(fmt: str) -> dict:
    """gunicorn's ``logconfig_dict``: its error and access logs in ``fmt`` on stderr/stdout."""
    return {
        "formatters": formatters(),
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": fmt,
                "stream": "ext://sys.stdout",
            },
            "error_console": {
                "class": "logging.StreamHandler",
                "formatter": fmt,
                "stream": "ext://sys.stderr",
            },
        },
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
        },
    }
