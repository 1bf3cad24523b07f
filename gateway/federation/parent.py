"""The child's HTTP client of its parent gateway: OAuth token, catalogue, checkpoints, queries.

The child authenticates as its member at the parent with the client credentials grant and
``private_key_jwt`` (RFC 7523), the assertion signed with the child's gateway key
(``SM2SM3``), which is the key the parent registered for it on ``MemberRegistry``; no secret
is shared between levels. Tokens are cached until shortly before they expire and fetched
again once when the parent says a token is no longer valid (a suspension in between, say).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import requests
from joserfc import jwt

from gateway.crypto.sm2 import Sm2PrivateKey
from gateway.federation.errors import ParentUnreachable
from gateway.federation.identity import ParentLink
from gateway.federation.registry import CHILD_SCOPES
from gateway.oauth.jws_sm2 import ALGORITHM, Sm2Jwk, register_sm2_jws

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_SECONDS = 60
TOKEN_MARGIN_SECONDS = 30
CONNECT_TIMEOUT = 5.0


class ParentRefused(ParentUnreachable):
    """The parent answered with a problem (``parent_code`` is its code)."""

    code = "parent_refused"
    status = 502
    title = "The parent gateway refused"


class ParentClient:
    def __init__(
        self,
        link: Callable[[], ParentLink],
        key: Callable[[], Sm2PrivateKey],
        *,
        url: str = "",
        timeout: float = 20.0,
    ) -> None:
        self.link = link
        self.key = key
        self.url_override = url
        self.timeout = timeout
        self.session = requests.Session()
        self._lock = threading.Lock()
        self._token: tuple[str, float] | None = None

    @property
    def base_url(self) -> str:
        return (self.url_override or self.link().url).rstrip("/")

    # -- tokens ------------------------------------------------------------------------------

    def _assertion(self, link: ParentLink) -> str:
        register_sm2_jws()
        now = int(time.time())
        claims = {
            "iss": link.client_id,
            "sub": link.client_id,
            "aud": link.issuer + "/oauth/token",
            "iat": now,
            "exp": now + ASSERTION_SECONDS,
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode({"alg": ALGORITHM}, claims, Sm2Jwk(self.key()))

    def token(self, fresh: bool = False) -> str:
        with self._lock:
            if not fresh and self._token is not None and self._token[1] > time.monotonic():
                return self._token[0]
            link = self.link()
            response = self._send(
                "POST",
                "/oauth/token",
                data={
                    "grant_type": "client_credentials",
                    "scope": " ".join(CHILD_SCOPES),
                    "client_assertion_type": ASSERTION_TYPE,
                    "client_assertion": self._assertion(link),
                },
            )
            body = self._json(response)
            if response.status_code != 200 or not isinstance(body.get("access_token"), str):
                raise ParentRefused(
                    f"the parent refused a token: {body.get('error', response.status_code)}",
                    parent_code=body.get("error"),
                )
            lifetime = float(body.get("expires_in", 60))
            expiry = time.monotonic() + max(lifetime - TOKEN_MARGIN_SECONDS, 1.0)
            self._token = (body["access_token"], expiry)
            return self._token[0]

    # -- transport ---------------------------------------------------------------------------

    def _send(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        try:
            return self.session.request(
                method,
                self.base_url + path,
                timeout=(min(self.timeout, 5.0), self.timeout),
                **kwargs,
            )
        except requests.RequestException as exc:
            raise ParentUnreachable(
                f"cannot reach the parent at {self.base_url}: {type(exc).__name__}"
            ) from exc

    @staticmethod
    def _json(response: requests.Response) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError as exc:
            raise ParentUnreachable(
                f"the parent answered HTTP {response.status_code} without JSON"
            ) from exc
        if not isinstance(body, dict):
            raise ParentUnreachable("the parent's answer is not a JSON object")
        return body

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """An authenticated call; one fresh token and one more try on 401."""
        headers = dict(kwargs.pop("headers", None) or {})
        for attempt in range(2):
            headers["Authorization"] = f"Bearer {self.token(fresh=attempt > 0)}"
            response = self._send(method, path, headers=headers, **kwargs)
            if response.status_code != 401:
                return response
        return response

    def _ok(self, response: requests.Response) -> dict[str, Any]:
        body = self._json(response)
        if response.status_code >= 400:
            code = body.get("code") or body.get("error") or str(response.status_code)
            raise ParentRefused(
                f"the parent refused ({code}): {body.get('detail', '')}".rstrip(": "),
                parent_code=code,
                parent_status=response.status_code,
                **{k: v for k, v in body.items() if k in ("reason", "accepted_tree_size")},
            )
        return body

    # -- the federation API -----------------------------------------------------------------

    def catalog(self) -> dict[str, Any]:
        return self._ok(self.call("GET", "/api/v1/federation/catalog"))

    def latest_checkpoint(self) -> dict[str, Any] | None:
        latest = self._ok(self.call("GET", "/api/v1/federation/checkpoints/latest")).get("latest")
        return latest if isinstance(latest, dict) else None

    def push_checkpoint(self, document: dict[str, Any], proof: list[str]) -> dict[str, Any]:
        return self._ok(
            self.call(
                "POST",
                "/api/v1/federation/checkpoints",
                json={"checkpoint": document, "proof": proof},
            )
        )

    def query(self, entry_id: str, body: dict[str, Any], idempotency_key: str) -> requests.Response:
        return self.call(
            "POST",
            f"/api/v1/query/{entry_id}",
            json=body,
            headers={"Idempotency-Key": idempotency_key},
        )
