"""Per-client rate limits and quotas on brokered queries."""

from __future__ import annotations

from gateway.settings import Settings
from tests.alliance_support import start_alliance


def test_each_client_has_its_own_query_limit(seeded_settings: Settings) -> None:
    settings = seeded_settings.model_copy(
        update={"oauth": seeded_settings.oauth.model_copy(update={"query_rate_limit": "3/minute"})}
    )
    context = start_alliance(settings)
    alliance = next(context)
    tax_sample = alliance.sample("NRD-TITLE", consumer="TAX")
    court_sample = alliance.sample("NRD-TITLE", consumer="COURT")
    tax, court = alliance.token("TAX"), alliance.token("COURT")
    statuses = [
        alliance.query(
            tax, "NRD-TITLE", {"purpose": tax_sample["purpose"], "params": tax_sample["params"]}
        ).status_code
        for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    limited = alliance.query(
        tax, "NRD-TITLE", {"purpose": tax_sample["purpose"], "params": tax_sample["params"]}
    )
    assert limited.get_json()["code"] == "rate_limited"
    assert "Retry-After" in limited.headers
    other = alliance.query(
        court, "NRD-TITLE", {"purpose": court_sample["purpose"], "params": court_sample["params"]}
    )
    assert other.status_code == 200
    next(context, None)
