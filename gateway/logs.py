"""Structured logging: one JSON object per line, each carrying the request id."""

from __future__ import annotations

import logging
import sys

from pythonjsonlogger.json import JsonFormatter

from gateway.settings import LogSettings

_HANDLER_NAME = "alliance"


class RequestIdFilter(logging.Filter):
    """Stamp every record with the id of the HTTP request being served, if any."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            from flask import g, has_request_context

            record.request_id = g.get("request_id") if has_request_context() else None
        return True


class DemoteToDebug(logging.Filter):
    """Turn a logger's INFO records into DEBUG ones, shown only when DEBUG is enabled.

    For chatty third-party lines such as APScheduler's "Running job …" / "… executed
    successfully", logged at INFO on every run of every job."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno != logging.INFO:
            return True
        record.levelno, record.levelname = logging.DEBUG, logging.getLevelName(logging.DEBUG)
        return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)


def demote_to_debug(logger_name: str) -> None:
    """Install :class:`DemoteToDebug` on ``logger_name`` (idempotent)."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(existing, DemoteToDebug) for existing in logger.filters):
        logger.addFilter(DemoteToDebug())


def configure_logging(settings: LogSettings) -> None:
    """Install the gateway's handler on the root logger (idempotent)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == _HANDLER_NAME:
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.addFilter(RequestIdFilter())
    if settings.format == "json":
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
        )
    root.addHandler(handler)
    root.setLevel(settings.level)
    # Authlib logs every issued token (and client) at DEBUG; tokens must never reach a log.
    logging.getLogger("authlib").setLevel(logging.INFO)
