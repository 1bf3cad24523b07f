"""Scheduled runs do not bury the request log: APScheduler's per-run lines are DEBUG."""

from __future__ import annotations

import logging
import time

import pytest

from gateway.bootstrap.jobs import start_in_process
from gateway.jobs.history import JobHistory
from gateway.jobs.schedule import RUN_LINES_LOGGER
from tests.alliance_support import Alliance

RUN_LINES = ("Running job", "executed successfully")


def _run_a_few_times(alliance: Alliance, runs: int = 3) -> None:
    container = alliance.container
    settings = alliance.settings
    container.settings = settings.model_copy(
        update={"jobs": settings.jobs.model_copy(update={"intervals": {"anchoring": 0.2}})}
    )
    history = JobHistory(container.engine)
    scheduler = start_in_process(container)
    try:
        deadline = time.monotonic() + 20
        while len(history.recent("anchoring")) < runs:
            assert time.monotonic() < deadline, "the anchoring job did not run"
            time.sleep(0.1)
    finally:
        scheduler.shutdown(wait=True)


def _run_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if any(text in r.getMessage() for text in RUN_LINES)]


def test_no_info_line_for_each_run(alliance: Alliance, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    _run_a_few_times(alliance)
    assert _run_lines(caplog) == []
    assert any("scheduled anchoring" in r.getMessage() for r in caplog.records)


def test_the_run_lines_are_there_at_debug(
    alliance: Alliance, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger=RUN_LINES_LOGGER)
    _run_a_few_times(alliance)
    lines = _run_lines(caplog)
    assert len(lines) >= 6
    assert {r.levelname for r in lines} == {"DEBUG"}
