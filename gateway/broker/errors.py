"""Broker errors, each with a stable code; every one is also recorded as evidence."""

from __future__ import annotations

from typing import Any

from gateway.errors import GatewayError


class QueryDenied(GatewayError):
    """The gateway refused the query (no grant, wrong purpose, …); ``code`` is the reason."""

    code = "query_denied"
    status = 403
    title = "Query denied"

    def __init__(self, reason: str, detail: str, status: int = 403, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.code = reason  # type: ignore[misc]
        self.status = status  # type: ignore[misc]


class ProviderFailure(GatewayError):
    """The provider's system could not give a usable answer."""

    code = "provider_unavailable"
    status = 502
    title = "The provider did not answer usably"


class ProviderTimeout(ProviderFailure):
    code = "provider_timeout"
    status = 504
    title = "The provider did not answer in time"


class ProviderCircuitOpen(ProviderFailure):
    code = "provider_circuit_open"
    status = 503
    title = "The provider is failing; calls are paused"


class BadProviderSignature(ProviderFailure):
    code = "bad_provider_signature"
    title = "The provider's answer is not signed by its registered key"


class MalformedProviderAnswer(ProviderFailure):
    code = "malformed_provider_response"
    title = "The provider's answer does not match the catalogue entry"


class NoRecord(GatewayError):
    code = "no_record"
    status = 404
    title = "The provider holds no matching record"


class InvalidParameters(GatewayError):
    code = "invalid_params"
    status = 422
    title = "The query parameters do not match the catalogue entry"


class AnchoringLagExceeded(GatewayError):
    code = "evidence_lag_exceeded"
    status = 503
    title = "Evidence anchoring is too far behind for this entry"


class UpstreamUnavailable(ProviderFailure):
    """The parent gateway gave no answer this gateway could check (down, timed out, no receipt)."""

    code = "upstream_unavailable"
    status = 503
    title = "The parent gateway cannot be reached"


class BadUpstreamReceipt(ProviderFailure):
    """The parent's answer is not receipted by the parent's key, or not what it receipted."""

    code = "bad_upstream_receipt"
    title = "The parent gateway's answer does not match its signed receipt"


class UpstreamFailed(ProviderFailure):
    """The parent receipted a failure (its provider failed); ``upstream_code`` says which."""

    code = "upstream_failed"
    title = "The parent gateway could not get an answer"
