"""Queries this gateway cannot answer itself, asked of the parent (the broker's upstream port).

The forwarded query carries the consumer's purpose, parameters, case reference and fields,
and this gateway's request id as the ``Idempotency-Key``, so a retry never makes a second
record at the parent, and the parent's record names the request it answered. The parent's
answer is accepted only with a receipt signed by the parent's key (pinned by the link), for
this gateway as consumer, the entry asked for, and a response digest over exactly the answer
received; the receipt, and those of the levels above it, travel on as the ``upstream`` trail.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gateway.broker.errors import BadUpstreamReceipt, UpstreamUnavailable
from gateway.broker.upstream import ForwardedQuery, UpstreamAnswer
from gateway.catalog.model import Entry
from gateway.crypto.canonical import message_digest
from gateway.crypto.errors import CanonicalJsonError
from gateway.evidence.digests import response_of
from gateway.evidence.receipt import Receipt, ReceiptFormatError, verify_receipt
from gateway.federation.bounds import ParentGrantBounds
from gateway.federation.errors import ParentUnreachable
from gateway.federation.identity import ParentLink
from gateway.federation.mirror import QUERY_PATH
from gateway.federation.parent import ParentClient


class ParentForwarding:
    def __init__(
        self,
        client: ParentClient,
        link: Callable[[], ParentLink],
        bounds: ParentGrantBounds,
        node: str,
    ) -> None:
        self.client = client
        self.link = link
        self.bounds = bounds
        self.node = node

    def granted_fields(self, entry_id: str, matter_code: str) -> tuple[str, ...] | None:
        return self.bounds.granted_fields(entry_id, matter_code)

    def ask(self, entry: Entry, query: ForwardedQuery) -> UpstreamAnswer:
        parent_entry = entry.spec.service.path.removeprefix(QUERY_PATH)
        body = {
            "purpose": query.purpose,
            "params": query.params,
            "case_ref": query.case_ref,
            "fields": query.fields,
        }
        try:
            link = self.link()
            response = self.client.query(parent_entry, body, query.request_id)
        except ParentUnreachable as exc:
            raise UpstreamUnavailable(exc.detail) from exc
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict) or not isinstance(answer.get("receipt"), dict):
            raise UpstreamUnavailable(
                f"the parent answered HTTP {response.status_code} without a receipt",
                parent_status=response.status_code,
            )
        receipt = self._checked_receipt(answer, link, parent_entry)
        trail = answer.get("upstream", [])
        if not isinstance(trail, list):
            raise BadUpstreamReceipt("the parent's upstream trail is not a list")
        return UpstreamAnswer(
            status=response.status_code,
            decision=receipt.decision,
            reason=receipt.reason,
            data=answer.get("data") if response.status_code == 200 else None,
            trail=[
                {
                    "node": link.parent,
                    "request_id": receipt.request_id,
                    "entry_id": parent_entry,
                    "receipt": answer["receipt"],
                },
                *trail,
            ],
            digest=str(receipt.response_digest),
        )

    def _checked_receipt(
        self, answer: dict[str, Any], link: ParentLink, parent_entry: str
    ) -> Receipt:
        try:
            receipt = Receipt.from_dict(answer["receipt"])
        except ReceiptFormatError as exc:
            raise BadUpstreamReceipt(f"the parent's receipt is malformed: {exc.detail}") from exc
        if not verify_receipt(receipt, link.public_key):
            raise BadUpstreamReceipt("the parent's receipt is not signed by the parent's key")
        if (receipt.consumer, receipt.entry_id) != (self.node, parent_entry):
            raise BadUpstreamReceipt(
                f"the receipt is for {receipt.consumer} / {receipt.entry_id}, "
                f"not {self.node} / {parent_entry}"
            )
        if receipt.request_id != answer.get("request_id"):
            raise BadUpstreamReceipt("the receipt names another request")
        try:
            digest = "0x" + message_digest(response_of(answer)).hex()
        except CanonicalJsonError as exc:
            raise BadUpstreamReceipt(f"the parent's answer has no RFC 8785 form: {exc}") from exc
        if digest != receipt.response_digest:
            raise BadUpstreamReceipt("the parent's answer is not the one its receipt covers")
        return receipt
