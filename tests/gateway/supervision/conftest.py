"""The seeded alliance with supervision limited to the title-repeat rule (two a day)."""

from __future__ import annotations

from typing import Any

import pytest

OTHER_RULES = [
    "wrong-purpose",
    "outside-hours",
    "expired-grant",
    "changed-after-certification",
    "anchoring-lag",
]


@pytest.fixture
def supervised(alliance: Any) -> Any:
    from gateway.supervision.service import rule_evaluator

    container = alliance.container
    settings = container.settings.supervision.model_copy(
        update={"title_repeat_max_per_day": 2, "disabled_rules": OTHER_RULES}
    )
    service = container.supervision
    service.settings = settings
    service.rules = rule_evaluator(container.engine, settings)
    return alliance


@pytest.fixture
def fired(supervised: Any) -> str:
    """Three title inquiries by TAX about one person: one title-repeat case; its id."""
    supervised.title_inquiries(allowed=3)
    report = supervised.container.supervision.run()
    assert len(report.opened) == 1
    return str(report.opened[0])
