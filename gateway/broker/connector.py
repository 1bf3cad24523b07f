"""HTTP provider connector: signed requests out, signed answers in (docs/providers.md).

The gateway signs each request with its SM2 key and verifies that each answer is signed by
the provider's key registered on ``MemberRegistry``. Timeouts are bounded, connection
failures are retried once (queries are reads), answers larger than the limit are refused,
and a circuit breaker (pybreaker) per provider stops calling a failing system for a while.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any

import pybreaker
import requests

from gateway.broker.errors import (
    BadProviderSignature,
    MalformedProviderAnswer,
    ProviderCircuitOpen,
    ProviderFailure,
    ProviderTimeout,
)
from gateway.crypto.canonical import message_digest
from gateway.crypto.sm2 import Sm2PrivateKey, Sm2PublicKey
from gateway.providers.protocol import (
    KEY_ID_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    format_timestamp,
    sign,
    verify,
)


@dataclass(frozen=True)
class ProviderAnswer:
    status: int
    body: dict[str, Any]
    digest: str  # SM3 of the canonical answer body, as the provider signed it


@dataclass(frozen=True)
class ConnectorOptions:
    connect_timeout: float = 2.0
    read_timeout: float = 10.0
    retries: int = 1
    max_answer_bytes: int = 1 << 20
    breaker_failures: int = 5
    breaker_reset_seconds: float = 30.0
    verify_tls: bool | str = True
    client_cert: tuple[str, str] | None = None


class HttpConnector:
    def __init__(
        self, key: Sm2PrivateKey, key_id: str, options: ConnectorOptions | None = None
    ) -> None:
        self.key = key
        self.key_id = key_id
        self.options = options or ConnectorOptions()
        self.session = requests.Session()
        self._breakers: dict[str, pybreaker.CircuitBreaker] = {}
        self._lock = threading.Lock()

    def _breaker(self, provider: str) -> pybreaker.CircuitBreaker:
        with self._lock:
            if provider not in self._breakers:
                self._breakers[provider] = pybreaker.CircuitBreaker(
                    fail_max=self.options.breaker_failures,
                    reset_timeout=self.options.breaker_reset_seconds,
                    exclude=[lambda exc: not isinstance(exc, ProviderFailure)],
                    name=provider,
                )
            return self._breakers[provider]

    def ask(
        self,
        provider: str,
        url: str,
        body: dict[str, Any],
        provider_key: Sm2PublicKey,
        extra_headers: dict[str, str] | None = None,
    ) -> ProviderAnswer:
        try:
            return self._breaker(provider).call(
                self._exchange, url, body, provider_key, extra_headers or {}
            )
        except pybreaker.CircuitBreakerError as exc:
            raise ProviderCircuitOpen(
                f"calls to {provider} are paused after repeated failures", provider=provider
            ) from exc

    def _exchange(
        self, url: str, body: dict[str, Any], provider_key: Sm2PublicKey, extra: dict[str, str]
    ) -> ProviderAnswer:
        timestamp = format_timestamp()
        headers = {
            "Content-Type": "application/json",
            KEY_ID_HEADER: self.key_id,
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign(self.key, body, timestamp),
            **extra,
        }
        payload = json.dumps(body, ensure_ascii=False).encode()
        response = self._post(url, payload, headers)
        try:
            raw = self._read_limited(response)
        finally:
            response.close()
        if response.status_code >= 500:
            raise ProviderFailure(f"the provider failed with HTTP {response.status_code}")
        try:
            answer = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise MalformedProviderAnswer(
                f"the answer is not JSON ({response.status_code})"
            ) from exc
        if not isinstance(answer, dict):
            raise MalformedProviderAnswer("the answer is not a JSON object")
        stamp = response.headers.get(TIMESTAMP_HEADER, "")
        signature = response.headers.get(SIGNATURE_HEADER, "")
        if not verify(provider_key, answer, stamp, signature):
            raise BadProviderSignature(
                f"answer ({response.status_code}) is not signed by the provider's registered key"
            )
        return ProviderAnswer(response.status_code, answer, "0x" + message_digest(answer).hex())

    def _post(self, url: str, payload: bytes, headers: dict[str, str]) -> requests.Response:
        attempts = self.options.retries + 1
        for attempt in range(attempts):
            try:
                return self.session.post(
                    url,
                    data=payload,
                    headers=headers,
                    timeout=(self.options.connect_timeout, self.options.read_timeout),
                    stream=True,
                    verify=self.options.verify_tls,
                    cert=self.options.client_cert,
                )
            except requests.Timeout as exc:
                raise ProviderTimeout(f"no answer within {self.options.read_timeout} s") from exc
            except requests.ConnectionError as exc:
                if attempt + 1 == attempts:
                    raise ProviderFailure(
                        f"cannot reach the provider: {type(exc).__name__}"
                    ) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _read_limited(self, response: requests.Response) -> bytes:
        limit = self.options.max_answer_bytes
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise MalformedProviderAnswer(f"the answer is larger than {limit} bytes")
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_content(65536):
                size += len(chunk)
                if size > limit:
                    raise MalformedProviderAnswer(f"the answer is larger than {limit} bytes")
                chunks.append(chunk)
        except requests.Timeout as exc:
            raise ProviderTimeout("the answer stalled") from exc
        except requests.RequestException as exc:
            raise ProviderFailure(f"the answer broke off: {type(exc).__name__}") from exc
        return b"".join(chunks)
