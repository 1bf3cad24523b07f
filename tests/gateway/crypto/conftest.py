"""Fixtures for the cryptography tests: the shared FISCO BCOS vectors and the SM2 backends."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gateway.crypto import backend as sm2_backends

DATA = Path(__file__).resolve().parents[2] / "data"


def load_vectors(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def accounts() -> Any:
    return load_vectors("accounts.json")


@pytest.fixture(scope="session")
def transactions() -> Any:
    return load_vectors("transactions_v2.json")


@pytest.fixture(scope="session")
def selectors_topics() -> Any:
    return load_vectors("selectors_topics.json")


@pytest.fixture(params=sm2_backends.SIGN_PREFERENCE)
def sign_backend(request: pytest.FixtureRequest) -> sm2_backends.Sm2SignBackend:
    """Every SM2 signing backend; a backend missing on this platform is skipped."""
    try:
        return sm2_backends.sign_backend(request.param)
    except sm2_backends.BackendUnavailableError as exc:
        pytest.skip(f"SM2 backend {request.param} unavailable: {exc}")


@pytest.fixture(params=sm2_backends.VERIFY_PREFERENCE)
def verify_backend(request: pytest.FixtureRequest) -> sm2_backends.Sm2VerifyBackend:
    """Every SM2 verifying backend; a backend missing on this platform is skipped."""
    try:
        return sm2_backends.verify_backend(request.param)
    except sm2_backends.BackendUnavailableError as exc:
        pytest.skip(f"SM2 backend {request.param} unavailable: {exc}")
