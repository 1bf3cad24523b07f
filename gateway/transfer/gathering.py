"""Brokered queries that supply each condition's evidence, and what their answers show.

Each condition is asked of its department's system through the broker, as the registrar
(the consumer whose grants cover the matter 不动产转移登记), with the case id as ``case_ref``:
the query is logged, receipted and anchored like any other, and the attestation cites the
receipt's request id and response digest (see :class:`gateway.transfer.model.Evidence`).
"""

from __future__ import annotations

from typing import Any, Protocol

from gateway.broker.service import QueryRequest, QueryResult
from gateway.providers.matters import matter_code
from gateway.transfer.errors import EvidenceUnavailable
from gateway.transfer.model import MATTER, REGISTRAR, Condition, Evidence
from gateway.transfer.tables import TransferCaseRow

CLIENT_ID = "transfer-service"


class Broker(Protocol):
    def query(self, request: QueryRequest) -> QueryResult: ...


def _params(condition: Condition, case: TransferCaseRow) -> dict[str, Any]:
    if condition is Condition.TAX_PAID:
        return {"taxpayer_id_number": case.buyer_id, "unit_number": case.unit_number}
    if condition is Condition.NO_SEIZURE:
        return {"unit_number": case.unit_number}
    if condition is Condition.MARRIAGE_STATUS:
        return {"id_number": case.seller_id}
    return {"contract_number": case.contract_number, "unit_number": case.unit_number}


def _finding(condition: Condition, status: int, data: dict[str, Any]) -> tuple[bool, str]:
    """Whether the condition is met, and a short Chinese finding for the case's page."""
    found = status == 200
    if condition is Condition.TAX_PAID:
        if not found:
            return False, "未查询到该单元的契税完税信息"
        return True, f"契税完税凭证 {data.get('voucher_number')}，{data.get('paid_on')} 缴纳"
    if condition is Condition.NO_SEIZURE:
        if not found:
            return True, "该不动产单元无司法查封记录"
        if data.get("seized"):
            return False, f"在查封中：{data.get('court')} {data.get('case_number')}"
        return True, f"查封已解除：{data.get('case_number')}"
    if condition is Condition.MARRIAGE_STATUS:
        if not found:
            return True, "出卖人无婚姻登记记录（未婚）"
        return True, f"出卖人婚姻状况：{data.get('marital_status')}"
    if not found:
        return False, "未查询到商品房买卖合同网签备案"
    return True, f"网签备案 {data.get('contract_number')}，{data.get('filed_on')} 备案"


def gather(broker: Broker, case: TransferCaseRow, condition: Condition) -> Evidence:
    result = broker.query(
        QueryRequest(
            entry_id=condition.entry_id,
            consumer=REGISTRAR,
            client_id=CLIENT_ID,
            purpose=matter_code(MATTER),
            params=_params(condition, case),
            case_ref=case.case_id,
            fields=None,
            idempotency_key=None,
        )
    )
    body = result.body
    no_record = result.status == 404 and body.get("code") == "no_record"
    if result.status != 200 and not no_record:
        raise EvidenceUnavailable(
            f"{condition.entry_id} answered {result.status} {body.get('code')}",
            entry_id=condition.entry_id,
            query_status=result.status,
            query_code=body.get("code"),
            request_id=body.get("request_id"),
        )
    receipt = body["receipt"]
    satisfied, finding = _finding(condition, result.status, body.get("data") or {})
    return Evidence(
        request_id=str(body["request_id"]),
        entry_id=condition.entry_id,
        http_status=result.status,
        response_digest=str(_receipt_field(receipt, "response_digest")),
        satisfied=satisfied,
        finding=finding,
    )


def _receipt_field(receipt: dict[str, Any], name: str) -> Any:
    payload = receipt.get("payload", receipt)
    return payload[name]
