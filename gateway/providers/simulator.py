"""A department's system as the gateway sees it: a small WSGI app answering signed queries.

One :class:`ProviderSimulator` stands in for one member: ``POST <service.path>`` for each of
its catalogue entries, ``GET /healthz``. Every JSON answer, errors included, is signed with the
member's SM2 key (see :mod:`gateway.providers.protocol`) and sent as the exact canonical bytes
that were signed. The ``X-Sim-Fault`` request header makes it misbehave on purpose, for the
gateway's fault tests (see :func:`parse_faults`).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from werkzeug.wrappers import Request, Response

from gateway.catalog.model import EntrySpec
from gateway.crypto.canonical import canonical_json
from gateway.crypto.errors import CanonicalJsonError
from gateway.crypto.signing import address_of
from gateway.crypto.sm2 import Sm2PrivateKey, Sm2PublicKey
from gateway.providers import protocol
from gateway.providers.answers import ProviderAnswerError, answer
from gateway.providers.dataset import Dataset
from gateway.providers.fieldtypes import wrong_value

log = logging.getLogger("gateway.providers.simulator")

MAX_BODY_BYTES = 1 << 20
MAX_SLOW_MS = 120_000
FAULTS = ("slow", "error", "bad-signature", "malformed", "truncated")
_ENVELOPE = {"request_id": str, "entry_id": str, "consumer": str, "purpose": str, "params": dict}


class FaultSpecError(ValueError):
    code = "invalid_fault"


@dataclass(frozen=True)
class Faults:
    slow_ms: int = 0
    error: bool = False
    bad_signature: bool = False
    malformed: bool = False
    truncated: bool = False

    @property
    def label(self) -> str:
        names = [
            name
            for name in ("error", "bad_signature", "malformed", "truncated")
            if getattr(self, name)
        ]
        if self.slow_ms:
            names.insert(0, f"slow:{self.slow_ms}")
        return ",".join(names)


def parse_faults(header: str | None) -> Faults:
    """``X-Sim-Fault``: comma-separated ``slow:<ms>``, ``error``, ``bad-signature``,
    ``malformed``, ``truncated``."""
    if not header or not header.strip():
        return Faults()
    values: dict[str, Any] = {}
    for item in (part.strip().lower() for part in header.split(",")):
        name, _, argument = item.partition(":")
        if name == "slow" and argument.isdigit() and int(argument) <= MAX_SLOW_MS:
            values["slow_ms"] = int(argument)
        elif name in FAULTS[1:] and not argument:
            values[name.replace("-", "_")] = True
        else:
            raise FaultSpecError(
                f"unknown fault {item!r}; use slow:<ms> (<= {MAX_SLOW_MS}), {', '.join(FAULTS[1:])}"
            )
    return Faults(**values)


class _Reject(Exception):
    """Stops handling with a signed error answer."""

    def __init__(self, status: int, error: str, message: str, request_id: str | None) -> None:
        super().__init__(message)
        self.status, self.error, self.request_id = status, error, request_id


class ProviderSimulator:
    """The WSGI app of one member's simulated system."""

    def __init__(
        self,
        member: str,
        entries: Sequence[EntrySpec],
        dataset: Dataset,
        key: Sm2PrivateKey,
        *,
        gateway_key: Sm2PublicKey | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.member = member
        self.entries = {entry.service.path: entry for entry in entries if entry.provider == member}
        self.dataset = dataset
        self.key = key
        self.address = address_of(key.public_key)
        self.gateway_key = gateway_key
        self.gateway_address = address_of(gateway_key) if gateway_key else None
        self.clock = clock
        self.sleep = sleep

    # --- WSGI ----------------------------------------------------------------------------

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        request = Request(environ)
        started = time.perf_counter()
        response, entry_id, request_id, fault = self._dispatch(request)
        log.info(
            json.dumps(
                {
                    "member": self.member,
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "entry_id": entry_id,
                    "request_id": request_id,
                    "fault": fault,
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                },
                ensure_ascii=False,
            )
        )
        return response(environ, start_response)

    def _dispatch(self, request: Request) -> tuple[Response, str | None, str | None, str]:
        if request.path == "/healthz":
            if request.method != "GET":
                return (
                    self._signed(405, self._error(None, "method_not_allowed", "use GET")),
                    None,
                    None,
                    "",
                )
            body = {
                "status": "ok",
                "provider": self.member,
                "key_id": self.address,
                "entries": sorted(entry.id for entry in self.entries.values()),
            }
            return self._signed(200, body), None, None, ""
        entry = self.entries.get(request.path)
        if entry is None:
            message = f"{self.member} serves no entry at {request.path}"
            return self._signed(404, self._error(None, "unknown_service", message)), None, None, ""
        if request.method != "POST":
            return (
                self._signed(405, self._error(None, "method_not_allowed", "use POST")),
                entry.id,
                None,
                "",
            )
        try:
            faults = parse_faults(request.headers.get(protocol.FAULT_HEADER))
        except FaultSpecError as exc:
            return (
                self._signed(400, self._error(None, "invalid_fault", str(exc))),
                entry.id,
                None,
                "",
            )
        if faults.slow_ms:
            self.sleep(faults.slow_ms / 1000)
        if faults.error:
            failure = Response("simulated provider failure\n", 500, mimetype="text/plain")
            return failure, entry.id, None, faults.label
        request_id: str | None = None
        try:
            body = self._read_body(request)
            given = body.get("request_id")
            request_id = given if isinstance(given, str) else None
            self._check_gateway_signature(request, body, request_id)
            self._check_envelope(body, entry, request_id)
            status, answer_body = self._answer(entry, body, faults)
        except _Reject as reject:
            status, answer_body = (
                reject.status,
                self._error(reject.request_id, reject.error, str(reject)),
            )
        return self._signed(status, answer_body, faults), entry.id, request_id, faults.label

    # --- request checks ------------------------------------------------------------------

    def _read_body(self, request: Request) -> dict[str, Any]:
        if (request.content_length or 0) > MAX_BODY_BYTES:
            raise _Reject(413, "invalid_request", "request body too large", None)
        raw = request.get_data(cache=False)
        if len(raw) > MAX_BODY_BYTES:
            raise _Reject(413, "invalid_request", "request body too large", None)
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise _Reject(400, "invalid_request", f"body is not UTF-8 JSON: {exc}", None) from exc
        if not isinstance(body, dict):
            raise _Reject(400, "invalid_request", "body must be a JSON object", None)
        try:
            canonical_json(body)
        except CanonicalJsonError as exc:
            raise _Reject(
                400, "invalid_request", f"body has no RFC 8785 form: {exc}", None
            ) from exc
        return body

    def _check_gateway_signature(
        self, request: Request, body: dict[str, Any], request_id: str | None
    ) -> None:
        if self.gateway_key is None:
            return
        timestamp = request.headers.get(protocol.TIMESTAMP_HEADER, "")
        signature = request.headers.get(protocol.SIGNATURE_HEADER, "")
        key_id = request.headers.get(protocol.KEY_ID_HEADER, "")
        if key_id.lower() != self.gateway_address:
            raise _Reject(
                401, "bad_signature", "X-Alliance-Key-Id is not the gateway's address", request_id
            )
        try:
            moment = protocol.parse_timestamp(timestamp)
            valid = protocol.verify(self.gateway_key, body, timestamp, signature)
        except (protocol.TimestampError, ValueError) as exc:
            raise _Reject(401, "bad_signature", f"X-Alliance-Timestamp: {exc}", request_id) from exc
        if not valid:
            raise _Reject(
                401, "bad_signature", "signature does not verify with the gateway's key", request_id
            )
        if not protocol.within_skew(moment, self.clock()):
            raise _Reject(
                401,
                "stale_request",
                "timestamp is more than 300 s from the provider's clock",
                request_id,
            )

    def _check_envelope(
        self, body: dict[str, Any], entry: EntrySpec, request_id: str | None
    ) -> None:
        for name, kind in _ENVELOPE.items():
            if not isinstance(body.get(name), kind) or (kind is str and not body[name]):
                raise _Reject(
                    400,
                    "invalid_request",
                    f"{name} must be a non-empty {kind.__name__}",
                    request_id,
                )
        if body["entry_id"] != entry.id:
            raise _Reject(
                400,
                "invalid_request",
                f"{entry.service.path} answers {entry.id}, not {body['entry_id']}",
                request_id,
            )

    # --- answers -------------------------------------------------------------------------

    def _answer(
        self, entry: EntrySpec, body: dict[str, Any], faults: Faults
    ) -> tuple[int, dict[str, Any]]:
        request_id = body["request_id"]
        if faults.malformed:
            data = {spec.name: wrong_value(spec.type) for spec in entry.fields}
        else:
            try:
                data = answer(self.dataset, entry, body["params"])
            except ProviderAnswerError as exc:
                return exc.status, self._error(request_id, exc.code, str(exc))
        return 200, {
            "request_id": request_id,
            "entry_id": entry.id,
            "provider": self.member,
            "answered_at": protocol.format_timestamp(self.clock()),
            "data": data,
        }

    @staticmethod
    def _error(request_id: str | None, error: str, message: str) -> dict[str, Any]:
        return {"request_id": request_id, "error": error, "message": message}

    def _signed(self, status: int, body: dict[str, Any], faults: Faults | None = None) -> Response:
        faults = faults or Faults()
        timestamp = protocol.format_timestamp(self.clock())
        payload = canonical_json(body)
        signed_over: object = body
        if faults.bad_signature:  # a genuine signature, but of another body
            signed_over = {"tampered": body}
        headers = {
            protocol.KEY_ID_HEADER: self.address,
            protocol.TIMESTAMP_HEADER: timestamp,
            protocol.SIGNATURE_HEADER: protocol.sign(self.key, signed_over, timestamp),
        }
        if faults.truncated:
            payload = payload[: max(1, len(payload) // 2)]
        return Response(payload, status, headers=headers, content_type="application/json")
