"""The brokered query: token → consumer → grant → log → provider → check → mask → receipt.

Order matters for evidence: the canonical request and its SM3 digest are committed to the
evidence log (with an outbox row for anchoring) before the provider is called, and the
response digest and signed receipt are committed before the answer leaves. A denied or failed
request is logged and receipted the same way, with its reason.
"""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from gateway.broker.authorisation import Authoriser
from gateway.broker.connector import HttpConnector
from gateway.broker.errors import (
    AnchoringLagExceeded,
    InvalidParameters,
    NoRecord,
    ProviderFailure,
    QueryDenied,
    UpstreamFailed,
)
from gateway.broker.fields import check_answer, check_parameters, project
from gateway.broker.upstream import ForwardedQuery, Upstream
from gateway.catalog.model import Entry
from gateway.crypto.canonical import canonical_json, message_digest
from gateway.crypto.errors import CanonicalJsonError
from gateway.crypto.sm2 import Sm2PrivateKey, Sm2PublicKey
from gateway.crypto.sm4 import seal, unseal
from gateway.errors import GatewayError, NotFound
from gateway.evidence.digests import IdentifierKeyError, keyed_identifier
from gateway.evidence.log import AccessClosing, AccessOpening, EvidenceLog
from gateway.evidence.receipt import sign_receipt
from gateway.privacy.masking import redact_identifiers


@dataclass(frozen=True)
class QueryRequest:
    entry_id: str
    consumer: str
    client_id: str
    purpose: str | None
    params: dict[str, Any]
    case_ref: str | None
    fields: list[str] | None
    idempotency_key: str | None
    request_id: str | None = None
    provider_headers: dict[str, str] | None = None


@dataclass(frozen=True)
class QueryResult:
    status: int
    body: dict[str, Any]
    replayed: bool = False


@dataclass(frozen=True)
class ProviderContact:
    url: str
    public_key: Sm2PublicKey


class QueryService:
    def __init__(
        self,
        *,
        catalog: Any,
        grants: Any,
        members: Any,
        log: EvidenceLog,
        connector: HttpConnector,
        gateway_key: Sm2PrivateKey,
        storage_key: bytes,
        lag_limit: Callable[[str], float],
        anchoring_lag: Callable[[], float],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        upstream: Upstream | None = None,
    ) -> None:
        self.catalog = catalog
        self.grants = grants
        self.members = members
        self.log = log
        self.connector = connector
        self.gateway_key = gateway_key
        self.storage_key = storage_key
        self.lag_limit = lag_limit
        self.anchoring_lag = anchoring_lag
        self.clock = clock
        self.upstream = upstream
        self.authoriser = Authoriser(grants, members, upstream, clock)

    def query(self, request: QueryRequest) -> QueryResult:
        if request.idempotency_key:
            previous = self.log.by_idempotency_key(request.consumer, request.idempotency_key)
            if previous is not None and previous.reply is not None:
                reply = json.loads(
                    unseal(self.storage_key, previous.reply, previous.request_id.encode())
                )
                return QueryResult(reply["status"], reply["body"], replayed=True)
        entry = self._entry(request.entry_id)
        received_at = self.clock()
        request_id = request.request_id or uuid.uuid4().hex
        canonical_request = {
            "request_id": request_id,
            "entry_id": entry.id,
            "consumer": request.consumer,
            "purpose": request.purpose,
            "params": request.params,
            "case_ref": request.case_ref,
            "fields": request.fields,
        }
        try:
            digest = "0x" + message_digest(canonical_request).hex()
        except CanonicalJsonError as exc:  # refused before anything is recorded
            raise InvalidParameters(f"the request has no RFC 8785 form: {exc}") from exc
        grant_id: str | None = None
        denial: QueryDenied | InvalidParameters | AnchoringLagExceeded | None = None
        allowed_fields: tuple[str, ...] | None = None
        try:
            grant_id, allowed_fields = self.authoriser.authorise(
                entry, request.consumer, request.purpose, request.fields
            )
            check_parameters(entry.spec, request.params)
            self._check_lag(entry.id)
        except (QueryDenied, InvalidParameters, AnchoringLagExceeded) as exc:
            denial = exc
        record_id = self.log.open(
            AccessOpening(
                request_id=request_id,
                entry_id=entry.id,
                entry_version=entry.version_hash,
                consumer=request.consumer,
                provider=entry.spec.provider,
                purpose=redact_identifiers(request.purpose),
                grant_id=grant_id,
                case_ref=redact_identifiers(request.case_ref),
                client_id=request.client_id,
                idempotency_key=request.idempotency_key,
                request_digest=digest,
                received_at=received_at,
                subject_key=self._subject_key(entry.id, request.params),
            )
        )
        if denial is not None:
            return self._finish(record_id, request_id, entry, request, digest, "denied", denial)
        if entry.spec.service.upstream:
            return self._forward(record_id, request_id, entry, request, digest, allowed_fields)
        try:
            contact = self._provider(entry)
            answer = self.connector.ask(
                entry.spec.provider,
                contact.url + entry.spec.service.path,
                {
                    "request_id": request_id,
                    "entry_id": entry.id,
                    "consumer": request.consumer,
                    "purpose": request.purpose,
                    "params": request.params,
                },
                contact.public_key,
                request.provider_headers,
            )
            if answer.status == 404:
                raise NoRecord("the provider holds no record matching the parameters")
            if answer.status >= 400:
                raise InvalidParameters(
                    "the provider refused the parameters",
                    provider_error=str(answer.body.get("error", answer.status)),
                )
            data = check_answer(entry.spec, answer.body.get("data"))
        except (ProviderFailure, InvalidParameters) as exc:
            return self._finish(record_id, request_id, entry, request, digest, "failed", exc)
        except NoRecord as exc:
            return self._finish(
                record_id, request_id, entry, request, digest, "allowed", exc, answer.digest
            )
        shown = project(entry.spec, data, allowed_fields)
        return self._finish(
            record_id, request_id, entry, request, digest, "allowed", None, answer.digest, shown
        )

    def _forward(
        self,
        record_id: int,
        request_id: str,
        entry: Entry,
        request: QueryRequest,
        digest: str,
        allowed_fields: tuple[str, ...] | None,
    ) -> QueryResult:
        """Ask the parent gateway (an entry mirrored from it); its receipts travel along."""
        finish = functools.partial(self._finish, record_id, request_id, entry, request, digest)
        if self.upstream is None:
            failure = ProviderFailure("this gateway has no parent to forward to")
            return finish("failed", failure)
        try:
            answer = self.upstream.ask(
                entry,
                ForwardedQuery(
                    request_id,
                    request.consumer,
                    request.purpose,
                    request.params,
                    request.case_ref,
                    request.fields,
                ),
            )
        except ProviderFailure as exc:
            return finish("failed", exc)
        trail = answer.trail
        if answer.status == 200 and answer.decision == "allowed":
            try:
                data = check_answer(entry.spec, answer.data, types=False)
            except ProviderFailure as exc:
                return finish("failed", exc, answer.digest, upstream=trail)
            shown = project(entry.spec, data, allowed_fields)
            return finish("allowed", None, answer.digest, shown, upstream=trail)
        parent = entry.spec.provider
        if answer.decision == "allowed":  # the parent holds no record (404)
            error: GatewayError = NoRecord(f"{parent} holds no record matching the parameters")
            return finish("allowed", error, answer.digest, upstream=trail)
        if answer.decision == "denied":
            error = QueryDenied(
                "upstream_denied",
                f"{parent} refused the query ({answer.reason})",
                answer.status,
                upstream_code=answer.reason,
            )
            return finish("denied", error, answer.digest, upstream=trail)
        error = UpstreamFailed(
            f"{parent} could not get an answer ({answer.reason})", upstream_code=answer.reason
        )
        return finish("failed", error, answer.digest, upstream=trail)

    def _subject_key(self, entry_id: str, params: dict[str, Any]) -> str | None:
        """Who was asked about, keyed (HMAC-SM3) so supervision can count repeats."""
        try:
            return keyed_identifier(
                self.storage_key, entry_id + "\n" + canonical_json(params).decode()
            )
        except (CanonicalJsonError, IdentifierKeyError):
            return None

    # -- checks --------------------------------------------------------------------------

    def _entry(self, entry_id: str) -> Entry:
        entry: Entry = self.catalog.get(entry_id)
        return entry

    def _check_lag(self, entry_id: str) -> None:
        lag = self.anchoring_lag()
        limit = self.lag_limit(entry_id)
        if lag > limit:
            raise AnchoringLagExceeded(
                f"evidence is {lag:.0f} s behind; {entry_id} allows {limit:.0f} s",
                lag_seconds=round(lag, 1),
                limit_seconds=limit,
            )

    def _provider(self, entry: Entry) -> ProviderContact:
        member = self.members.index.get(entry.spec.provider)
        if member is None or not member.profile.endpoint:
            raise ProviderFailure(f"{entry.spec.provider} has no provider endpoint")
        key = Sm2PublicKey.from_bytes(bytes.fromhex(member.public_key))
        return ProviderContact(member.profile.endpoint.rstrip("/"), key)

    # -- the answer ----------------------------------------------------------------------

    def _finish(
        self,
        record_id: int,
        request_id: str,
        entry: Entry,
        request: QueryRequest,
        request_digest: str,
        decision: str,
        error: GatewayError | None,
        provider_digest: str | None = None,
        data: dict[str, Any] | None = None,
        *,
        upstream: list[dict[str, Any]] | None = None,
    ) -> QueryResult:
        responded_at = self.clock()
        reason = error.code if error is not None else None
        if error is None:
            response: dict[str, Any] = {
                "request_id": request_id,
                "entry_id": entry.id,
                "data": data,
            }
            status = 200
        else:
            response = {"request_id": request_id, "entry_id": entry.id, "error": error.code}
            status = error.status
        if upstream is not None:
            response["upstream"] = upstream
        response_digest = "0x" + message_digest(response).hex()
        receipt = sign_receipt(
            {
                "request_id": request_id,
                "entry_id": entry.id,
                "entry_version": entry.version_hash,
                "consumer": request.consumer,
                "provider": entry.spec.provider,
                "request_digest": request_digest,
                "response_digest": response_digest,
                "decision": decision,
                "reason": reason,
                "issued_at": responded_at,
            },
            self.gateway_key,
        )
        if error is None:
            body = {**response, "receipt": receipt.to_dict()}
        else:
            body = {
                "type": f"urn:alliance:problem:{error.code}",
                "title": error.title,
                "status": status,
                "code": error.code,
                "detail": redact_identifiers(error.detail),
                **{key: redact_identifiers(value) for key, value in error.extra.items()},
                **response,
                "receipt": receipt.to_dict(),
            }
        reply = json.dumps({"status": status, "body": body}, ensure_ascii=False).encode()
        self.log.close(
            record_id,
            AccessClosing(
                decision=decision,
                reason=reason,
                http_status=status,
                response_digest=response_digest,
                provider_digest=provider_digest,
                responded_at=responded_at,
                receipt=receipt.to_json(),
                reply=seal(self.storage_key, reply, request_id.encode()),
            ),
        )
        return QueryResult(status, body)

    def refuse_unauthenticated(
        self, entry_id: str, consumer: str, client_id: str, reason: str, detail: str
    ) -> None:
        """Log (and anchor) a refused attempt by a known member whose token no longer works."""
        try:
            entry = self._entry(entry_id)
        except NotFound:
            return
        request_id = uuid.uuid4().hex
        canonical_request = {"request_id": request_id, "entry_id": entry_id, "consumer": consumer}
        digest = "0x" + message_digest(canonical_request).hex()
        record_id = self.log.open(
            AccessOpening(
                request_id=request_id,
                entry_id=entry_id,
                entry_version=entry.version_hash,
                consumer=consumer,
                provider=entry.spec.provider,
                purpose=None,
                grant_id=None,
                case_ref=None,
                client_id=client_id,
                idempotency_key=None,
                request_digest=digest,
                received_at=self.clock(),
            )
        )
        request = QueryRequest(entry_id, consumer, client_id, None, {}, None, None, None)
        self._finish(
            record_id,
            request_id,
            entry,
            request,
            digest,
            "denied",
            QueryDenied(reason, detail, 401),
        )
