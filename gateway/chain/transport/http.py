"""JSON-RPC 2.0 over HTTP(S) with ``requests``: FISCO 2.x (port 8545) and 3.x (port 20200).

2.x RPC is plain HTTP. 3.x RPC has TLS on by default with the chain's CA and an SDK
certificate (``ca.crt``, ``sdk.crt``, ``sdk.key``); those are passed as :class:`TlsOptions`.
SM-TLS (3.x ``sm_ssl``) cannot be spoken by Python's ``ssl`` and needs a TLS-terminating proxy.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from typing import Any

import requests

from gateway.chain.errors import ChainUnavailable, ResponseFormatError, RpcError, RpcTimeout


@dataclass(frozen=True)
class TlsOptions:
    """TLS settings for a node's RPC port (mutual TLS on FISCO 3.x)."""

    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None
    verify: bool = True


def unwrap_response(method: str, payload: object) -> Any:
    """The ``result`` of a JSON-RPC 2.0 response; raises :class:`RpcError` for ``error``."""
    if not isinstance(payload, dict):
        raise ResponseFormatError(f"{method}: the response is not a JSON-RPC object")
    error = payload.get("error")
    if error is not None:
        if not isinstance(error, dict) or not isinstance(error.get("code"), int):
            raise ResponseFormatError(f"{method}: malformed JSON-RPC error {error!r:.200}")
        raise RpcError(error["code"], str(error.get("message", "")), error.get("data"))
    if "result" not in payload:
        raise ResponseFormatError(f"{method}: the response has neither result nor error")
    return payload["result"]


class HttpTransport:
    """One JSON-RPC request per HTTP POST, over a pooled :class:`requests.Session`."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 10.0,
        connect_timeout: float | None = None,
        tls: TlsOptions | None = None,
        session: requests.Session | None = None,
    ) -> None:
        self.url = url
        self.timeout = timeout
        self.connect_timeout = connect_timeout if connect_timeout is not None else min(timeout, 5.0)
        self._session = session or requests.Session()
        self._ids = itertools.count(1)
        tls = tls or TlsOptions()
        self._verify: bool | str = tls.ca_file if (tls.verify and tls.ca_file) else tls.verify
        self._cert: tuple[str, str] | str | None = None
        if tls.cert_file and tls.key_file:
            self._cert = (tls.cert_file, tls.key_file)
        elif tls.cert_file:
            self._cert = tls.cert_file

    def request(self, method: str, params: list[Any]) -> Any:
        body = {"jsonrpc": "2.0", "method": method, "params": params, "id": next(self._ids)}
        try:
            response = self._session.post(
                self.url,
                data=json.dumps(body),
                headers={"Content-Type": "application/json"},
                timeout=(self.connect_timeout, self.timeout),
                verify=self._verify,
                cert=self._cert,
            )
        except requests.exceptions.ConnectTimeout as exc:
            raise ChainUnavailable(f"{method}: cannot connect to {self.url}: {exc}") from exc
        except requests.exceptions.Timeout as exc:
            raise RpcTimeout(f"{method}: no answer from {self.url} in {self.timeout:g} s") from exc
        except requests.exceptions.RequestException as exc:
            raise ChainUnavailable(f"{method}: {self.url} unreachable: {exc}") from exc
        return self._result(method, response)

    def _result(self, method: str, response: requests.Response) -> Any:
        try:
            payload = response.json()
        except ValueError as exc:
            if response.status_code >= 500:
                raise ChainUnavailable(
                    f"{method}: HTTP {response.status_code} from {self.url}"
                ) from exc
            raise ResponseFormatError(
                f"{method}: HTTP {response.status_code}, body is not JSON"
            ) from exc
        if response.status_code >= 500 and not (isinstance(payload, dict) and "error" in payload):
            raise ChainUnavailable(f"{method}: HTTP {response.status_code} from {self.url}")
        return unwrap_response(method, payload)

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> HttpTransport:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"HttpTransport({self.url!r})"
