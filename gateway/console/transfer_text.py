"""Labels of the transfer pages (一件事办理: 不动产转移登记), Chinese and English."""

from __future__ import annotations

from typing import Any

from flask import render_template

from gateway.console import i18n, page_text

MESSAGES: dict[str, tuple[str, str]] = {
    "transfer_intro": (
        "不动产转移登记“一件事一次办”：税务、法院、民政、住建各自在链上出具核验结论，"
        "TransferCase 合约在四项核验齐备且有效时才办结登记。",
        "Property transfer, one visit: tax, courts, civil affairs and housing each attest on "
        "chain; TransferCase completes the registration only when all four stand.",
    ),
    "case_id": ("案件编号", "Case"),
    "unit_number": ("不动产单元号", "Unit"),
    "title_number": ("不动产权证书号", "Title"),
    "seller": ("出卖人", "Seller"),
    "buyer": ("买受人", "Buyer"),
    "price": ("成交价（元）", "Price (yuan)"),
    "contract_number": ("网签合同号", "Contract"),
    "deadline": ("办理期限", "Deadline"),
    "opened_at": ("受理时间", "Opened"),
    "case_status": ("办理状态", "Status"),
    "case_status_pending": ("待办结", "pending"),
    "case_status_completed": ("已办结", "completed"),
    "pending_reason": ("未办结原因", "Why pending"),
    "registration_number": ("登记证明号", "Registration number"),
    "certificate_hash": ("电子证照哈希", "e-certificate hash"),
    "new_owner": ("新权利人", "New owner"),
    "completed_at": ("办结时间", "Completed"),
    "open_tx": ("受理交易", "Opening transaction"),
    "complete_tx": ("办结交易", "Completing transaction"),
    "contract_address": ("TransferCase 合约地址", "TransferCase address"),
    "attestations": ("部门核验", "Attestations"),
    "condition": ("核验事项", "Condition"),
    "attester": ("核验部门", "Department"),
    "attestation_state": ("核验状态", "State"),
    "state_missing": ("未核验", "missing"),
    "state_gathered": ("已取证待签名", "gathered, not signed"),
    "state_attested": ("已核验", "attested"),
    "state_revoked": ("已撤回", "revoked"),
    "finding": ("核验结论", "Finding"),
    "satisfied_yes": ("符合", "met"),
    "satisfied_no": ("不符合", "not met"),
    "evidence": ("证据（共享查询回执）", "Evidence (query receipt)"),
    "request_id": ("请求编号", "Request id"),
    "response_digest": ("应答摘要", "Response digest"),
    "evidence_hash": ("证据哈希", "Evidence hash"),
    "attestation_digest": ("核验摘要 (SM3)", "Attestation digest (SM3)"),
    "signer": ("签名账户", "Signer"),
    "signature": ("SM2 签名", "SM2 signature"),
    "on_chain_proof": ("链上凭证", "On-chain proof"),
    "tx_hash": ("交易哈希", "Transaction"),
    "chain_verified": ("链上核验", "Checked on chain"),
    "revoke_reason": ("撤回原因", "Reason for revocation"),
    "no_cases": ("暂无办理案件", "No transfer cases"),
}


_SUBJECTS = {
    "tax payment": ("契税完税", "Tax payment"),
    "seizure check": ("司法查封核验", "Seizure check"),
    "marriage status": ("婚姻状况核验", "Marriage status"),
    "housing contract filing": ("网签备案核验", "Housing contract filing"),
}
_PREDICATES = {
    " is not attested": "尚未出具",
    " attestation was revoked": "已被撤回",
    " is attested as not met": "结论为不符合",
    " attester is not an active member": "的核验部门不是有效成员",
    " signer no longer acts for its member": "的签名账户已不代表该部门",
}


def pending_text(reason: str) -> str:
    """The chain's pending reason (``TransferCase.pendingReason``) in the page's language."""
    if i18n.current_lang() == "en" or not reason:
        return reason
    if reason == "deadline has passed":
        return "已超过办理期限"
    for suffix, words in _PREDICATES.items():
        subject = _SUBJECTS.get(reason.removesuffix(suffix))
        if reason.endswith(suffix) and subject is not None:
            return subject[0] + words
    return reason


def translate(key: str) -> str:
    pair = MESSAGES.get(key)
    if pair is None:
        return page_text.translate(key)
    return pair[1] if i18n.current_lang() == "en" else pair[0]


def render(template: str, **context: Any) -> str:
    return render_template(template, t=translate, pending_text=pending_text, **context)
