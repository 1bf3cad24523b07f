"""Fixtures for the cryptography tests: the shared FISCO BCOS vectors and the SM2 backends."""

from __future__ import annotations

import pytest

from gateway.crypto import backend as sm2_backends


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
