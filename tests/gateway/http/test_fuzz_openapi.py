"""Property-based fuzzing of every operation in the served OpenAPI document (schemathesis).

A token holding every scope calls each operation with generated valid and invalid input; no
answer may be a server error (5xx), and every answer must conform to the document: a
documented status code, its media type (``application/problem+json`` for errors) and its
schema. Bounded: a fixed seed, derandomized, a few examples per operation.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from gateway.oauth.scopes import SCOPES_SUPPORTED
from tests.live_gateway import LiveGateway, serve
from tests.seeded_app import seeded_settings_copy

EXAMPLES_PER_OPERATION = 8
FUZZ_TOKEN = "fuzz-token-with-every-scope"  # saved in the token store below
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def fuzzed_gateway(
    seeded_template: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveGateway]:
    fuzz_settings = seeded_settings_copy(
        seeded_template,
        tmp_path_factory,
        "fuzz",
        oauth_api_rate_limit="100000/minute",
        oauth_query_rate_limit="100000/minute",
        federation_node="R320000",  # the federation routes reach their code, not a 409
    )
    for live in serve(fuzz_settings):
        container = live.app.extensions["alliance"]
        office = container.clients.for_member("GAO")[0]
        container.tokens.save(FUZZ_TOKEN, office.client_id, "GAO", " ".join(SCOPES_SUPPORTED), 3600)
        yield live


@pytest.fixture(scope="module")
def served_schema(fuzzed_gateway: LiveGateway) -> Any:
    return schemathesis.openapi.from_url(fuzzed_gateway.url + "/api/openapi.json")


def _fuzz(operation: Any, mode: GenerationMode, base_url: str) -> list[str]:
    """Run one operation's examples; the failures, one line each."""
    failures: list[str] = []

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        try:
            case.call_and_validate(
                base_url=base_url,
                headers={"Authorization": f"Bearer {FUZZ_TOKEN}"},
                checks=CHECKS,
                timeout=30,
            )
        except (AssertionError, FailureGroup) as exc:
            failures.append(f"{operation.label} [{mode.value}]: {str(exc).strip()[:2000]}")

    with contextlib.suppress(Unsatisfiable):  # nothing of it can be made invalid
        run()
    return failures


@pytest.mark.slow
def test_every_operation_answers_within_its_documented_contract(
    served_schema: Any, fuzzed_gateway: LiveGateway
) -> None:
    failures: list[str] = []
    operations = [result.ok() for result in served_schema.get_all_operations()]
    assert len(operations) > 40
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            failures.extend(_fuzz(operation, mode, fuzzed_gateway.url))
    assert not failures, "\n\n".join(failures)
