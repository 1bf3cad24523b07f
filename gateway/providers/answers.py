"""What each department's system answers for each catalogue entry, from the synthetic dataset.

:func:`answer` checks the parameters against the entry's declaration (presence, type, and the
check characters of 公民身份号码, 不动产单元号 and 统一社会信用代码), then looks the record up.
An entry this module has no register for (one added to the catalogue later) is answered with
values derived from the SM3 digest of its parameters, so every catalogue entry gets an answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from gateway.catalog.model import EntrySpec, SharingClass
from gateway.crypto.canonical import message_digest
from gateway.providers.dataset import Dataset
from gateway.providers.fieldtypes import has_type
from gateway.providers.identifiers import (
    IdentifierError,
    validate_credit_code,
    validate_id_number,
    validate_unit_number,
)
from gateway.providers.matters import MATTERS_BY_CODE
from gateway.providers.records import Person

Params = Mapping[str, Any]
Data = dict[str, Any]


class ProviderAnswerError(Exception):
    """A query the department's system declines; ``status`` is the HTTP status it answers."""

    code = "provider_error"
    status = 500


class InvalidParams(ProviderAnswerError):
    code = "invalid_params"
    status = 400


class NoRecord(ProviderAnswerError):
    code = "no_record"
    status = 404


class NotShared(ProviderAnswerError):
    """The entry is 不予共享: the department refuses whoever asks."""

    code = "not_shared"
    status = 403


_IDENTIFIER_RULES: tuple[tuple[Callable[[str], bool], Callable[[str], str]], ...] = (
    (lambda name: name.endswith("id_number"), validate_id_number),
    (lambda name: name == "unit_number", validate_unit_number),
    (lambda name: name == "credit_code", validate_credit_code),
)


def check_params(entry: EntrySpec, params: Params) -> None:
    """Raise :class:`InvalidParams` for an undeclared, missing, mistyped or ill-formed one."""
    declared = {spec.name: spec for spec in entry.parameters}
    unknown = sorted(set(params) - set(declared))
    if unknown:
        raise InvalidParams(f"undeclared parameter(s): {', '.join(unknown)}")
    for name, spec in declared.items():
        if name not in params:
            if spec.required:
                raise InvalidParams(f"parameter {name} is required")
            continue
        value = params[name]
        if not has_type(spec.type, value) or (spec.type == "string" and not value):
            raise InvalidParams(f"parameter {name} must be a non-empty {spec.type}")
        for applies, validate in _IDENTIFIER_RULES:
            if applies(name):
                try:
                    validate(value)
                except IdentifierError as exc:
                    raise InvalidParams(f"parameter {name}: {exc}") from exc


def _person(dataset: Dataset, id_number: str) -> Person:
    person = dataset.person(id_number)
    if person is None:
        raise NoRecord("无此公民身份号码的登记信息")
    return person


def _name_of(dataset: Dataset, id_number: str) -> str:
    person = dataset.person(id_number)
    return person.name if person else ""


def title_inquiry(dataset: Dataset, params: Params) -> Data:
    unit_number, owner_id = params.get("unit_number"), params.get("owner_id_number")
    if unit_number:
        unit = dataset.unit(unit_number)
        if unit is None or (owner_id and unit.owner_id != owner_id):
            raise NoRecord("未查询到该不动产单元的登记信息")
    elif owner_id:
        units = dataset.units_of(owner_id)
        if not units:
            raise NoRecord("该权利人名下无不动产登记信息")
        unit = units[0]
    else:
        raise InvalidParams("unit_number or owner_id_number is required")
    return {
        "unit_number": unit.unit_number,
        "certificate_number": unit.certificate_number,
        "owner_name": _name_of(dataset, unit.owner_id),
        "owner_id_number": unit.owner_id,
        "location": unit.location,
        "area": unit.area,
        "usage": unit.usage,
        "right_type": unit.right_type,
        "registered_on": unit.registered_on.isoformat(),
        "mortgage_status": unit.mortgage_status,
        "seizure_status": unit.seizure_status,
    }


def certificate_verification(dataset: Dataset, params: Params) -> Data:
    holder_id = params["holder_id_number"]
    matches = [
        c
        for c in dataset.certificates_numbered(
            params["certificate_type"], params["certificate_number"]
        )
        if c.holder_id == holder_id
    ]
    if not matches:
        raise NoRecord("未查询到该持证人的此证照")
    certificate = matches[0]
    return {
        "valid": certificate.status == "有效",
        "certificate_type": certificate.type.name,
        "certificate_number": certificate.number,
        "holder_name": _name_of(dataset, holder_id),
        "holder_id_number": holder_id,
        "issuer": certificate.issuer,
        "issued_on": certificate.issued_on.isoformat(),
        "expires_on": certificate.expires_on.isoformat(),
        "status": certificate.status,
    }


def deed_tax(dataset: Dataset, params: Params) -> Data:
    taxpayer_id, unit_number = params["taxpayer_id_number"], params.get("unit_number")
    taxes = [
        t
        for t in dataset.deed_taxes_of(taxpayer_id)
        if unit_number is None or t.unit_number == unit_number
    ]
    if not taxes:
        raise NoRecord("未查询到契税完税信息")
    tax = taxes[0]
    return {
        "voucher_number": tax.voucher_number,
        "taxpayer_name": _name_of(dataset, taxpayer_id),
        "taxpayer_id_number": taxpayer_id,
        "tax_type": "契税",
        "taxable_value": tax.taxable_value,
        "tax_rate": tax.tax_rate,
        "tax_amount": tax.tax_amount,
        "paid_on": tax.paid_on.isoformat(),
        "unit_number": tax.unit_number,
        "tax_office": tax.tax_office,
    }


def marriage(dataset: Dataset, params: Params) -> Data:
    """The latest registration: 已婚, 离婚 (with the divorce's date and 离婚证字号) or 丧偶
    (the spouse's household registration is cancelled). Never-married residents have no
    registration: 404 ``no_record``."""
    person = _person(dataset, params["id_number"])
    record = dataset.marriage_of(person.id_number)
    if record is None:
        raise NoRecord("未查询到婚姻登记记录")
    spouse = _person(dataset, record.spouse_of(person.id_number))
    status, registered_on, number = "已婚", record.registered_on, record.certificate_number
    if record.divorced_on and record.divorce_certificate_number:
        status, registered_on = "离婚", record.divorced_on
        number = record.divorce_certificate_number
    elif not spouse.alive and person.alive:
        status = "丧偶"
    return {
        "person_name": person.name,
        "id_number": person.id_number,
        "marital_status": status,
        "spouse_name": spouse.name,
        "spouse_id_number": spouse.id_number,
        "registered_on": registered_on.isoformat(),
        "registry_office": record.registry_office,
        "certificate_number": number,
    }


def contract_filing(dataset: Dataset, params: Params) -> Data:
    contract_number, unit_number = params.get("contract_number"), params.get("unit_number")
    if contract_number:
        contract = dataset.contract(contract_number)
        if contract is not None and unit_number and contract.unit_number != unit_number:
            contract = None
    elif unit_number:
        contract = dataset.contract_of_unit(unit_number)
    else:
        raise InvalidParams("contract_number or unit_number is required")
    if contract is None:
        raise NoRecord("未查询到商品房网签备案信息")
    return {
        "contract_number": contract.contract_number,
        "unit_number": contract.unit_number,
        "buyer_name": _name_of(dataset, contract.buyer_id),
        "buyer_id_number": contract.buyer_id,
        "price": contract.price,
        "filed_on": contract.filed_on.isoformat(),
        "developer": contract.developer,
    }


def identity(dataset: Dataset, params: Params) -> Data:
    """``match`` says whether the name given is the registered one; the answer carries the
    registered record (the gateway masks personal fields unless the grant allows them)."""
    person = _person(dataset, params["id_number"])
    return {
        "match": person.name == params["name"],
        "name": person.name,
        "id_number": person.id_number,
        "household_address": person.household_address,
        "status": person.household_status,
    }


def business(dataset: Dataset, params: Params) -> Data:
    record = dataset.business(params["credit_code"])
    if record is None:
        raise NoRecord("未查询到该统一社会信用代码的登记信息")
    return {
        "credit_code": record.credit_code,
        "company_name": record.name,
        "legal_representative": _name_of(dataset, record.legal_representative_id),
        "registered_capital": record.registered_capital,
        "established_on": record.established_on.isoformat(),
        "status": record.status,
        "address": record.address,
        "business_scope": record.scope,
    }


def seizure(dataset: Dataset, params: Params) -> Data:
    """The unit's latest seizure; ``seized`` is false once it was lifted. A unit never seized
    has no record: 404 ``no_record``."""
    seizures = sorted(dataset.seizures_of(params["unit_number"]), key=lambda s: s.seized_on)
    if not seizures:
        raise NoRecord("未查询到该不动产单元的查封信息")
    latest = seizures[-1]
    return {
        "unit_number": latest.unit_number,
        "seized": latest.in_force,
        "case_number": latest.case_number,
        "court": latest.court,
        "seized_on": latest.seized_on.isoformat(),
        "seized_until": latest.seized_until.isoformat(),
    }


def social_insurance(dataset: Dataset, params: Params) -> Data:
    person = _person(dataset, params["id_number"])
    record = dataset.insurance(person.id_number)
    if record is None:
        raise NoRecord("未查询到社会保险参保信息")
    return {
        "person_name": person.name,
        "id_number": person.id_number,
        "insured": record.insured,
        "months_paid": record.months_paid,
        "last_paid_month": record.last_paid_month,
        "employer": record.employer,
    }


def provident_fund(dataset: Dataset, params: Params) -> Data:
    person = _person(dataset, params["id_number"])
    account = dataset.provident_fund(person.id_number)
    if account is None:
        raise NoRecord("未查询到住房公积金账户")
    return {
        "person_name": person.name,
        "id_number": person.id_number,
        "account_status": account.account_status,
        "monthly_deposit": account.monthly_deposit,
        "balance": account.balance,
        "loan_outstanding": account.loan_outstanding,
    }


def mortgage(dataset: Dataset, params: Params) -> Data:
    loans = sorted(dataset.mortgages_on(params["unit_number"]), key=lambda m: m.loan_start)
    if not loans:
        raise NoRecord("未查询到该不动产单元的抵押贷款信息")
    loan = loans[-1]
    return {
        "unit_number": loan.unit_number,
        "lender": loan.lender,
        "borrower_name": _name_of(dataset, loan.borrower_id),
        "loan_amount": loan.loan_amount,
        "loan_start": loan.loan_start.isoformat(),
        "loan_end": loan.loan_end.isoformat(),
        "status": loan.status,
    }


def matters(dataset: Dataset, params: Params) -> Data:
    matter = MATTERS_BY_CODE.get(params["matter_code"])
    if matter is None:
        raise NoRecord("未查询到该政务服务事项")
    return {
        "matter_code": matter.code,
        "matter_name": matter.name,
        "department": matter.department_name,
        "legal_basis": matter.legal_basis,
    }


ANSWERERS: dict[str, Callable[[Dataset, Params], Data]] = {
    "NRD-TITLE": title_inquiry,
    "ECERT-VERIFY": certificate_verification,
    "TAX-DEED": deed_tax,
    "CIV-MARRIAGE": marriage,
    "HUD-CONTRACT": contract_filing,
    "PSB-IDENTITY": identity,
    "SAMR-BUSINESS": business,
    "COURT-SEIZURE": seizure,
    "HRSS-INSURANCE": social_insurance,
    "HPF-DEPOSIT": provident_fund,
    "FIN-MORTGAGE": mortgage,
    "GAO-MATTERS": matters,
}


def derived_answer(entry: EntrySpec, params: Params) -> Data:
    """Deterministic values of the declared types for an entry without a register here."""
    digest = message_digest({"entry": entry.id, "params": dict(params)})
    data: Data = {}
    for index, spec in enumerate(entry.fields):
        byte = digest[index % len(digest)]
        data[spec.name] = {
            "string": f"{entry.id}-{digest[:4].hex()}-{index}",
            "integer": byte,
            "number": byte * 10.5,
            "boolean": byte % 2 == 0,
            "date": f"20{10 + byte % 16}-{1 + byte % 12:02d}-{1 + byte % 28:02d}",
        }.get(spec.type, "")
    return data


def answer(dataset: Dataset, entry: EntrySpec, params: Params) -> Data:
    """The ``data`` of the answer to ``entry`` for ``params``, or a :class:`ProviderAnswerError`.

    A 不予共享 entry (such as PSB-RECORD) is refused to everyone with :class:`NotShared`."""
    if entry.sharing_class is SharingClass.NOT_SHARED:
        raise NotShared(f"{entry.name}依法不予共享")
    check_params(entry, params)
    answerer = ANSWERERS.get(entry.id)
    if answerer is None:
        return derived_answer(entry, params)
    return answerer(dataset, params)
