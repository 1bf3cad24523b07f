"""Ready-to-run sample queries: who asks whom for what, under which matter, about which record.

Every shared catalogue entry is covered (the 不予共享 PSB-RECORD is not). The records are the
first in dataset order that show the interesting case (a mortgaged unit, a seized unit, a
married couple …), so the list is stable for a given seed; the gateway's embedded default
grants exactly these (consumer, entry, purpose) triples.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from gateway.providers.certificates import IDENTITY_CARD, MARRIAGE_CERTIFICATE, TITLE_CERTIFICATE
from gateway.providers.dataset import DEFAULT_SEED, Dataset, build_dataset
from gateway.providers.matters import matter_code

T = TypeVar("T")


def _first(records: Iterable[T], condition: Callable[[T], bool]) -> T:
    for record in records:
        if condition(record):
            return record
    raise LookupError("the dataset holds no record for a sample query")


def _query(
    consumer: str, entry_id: str, matter: str, params: dict[str, Any], description: str
) -> dict[str, Any]:
    return {
        "consumer": consumer,
        "entry_id": entry_id,
        "purpose": matter_code(matter),
        "params": params,
        "description": description,
    }


def _queries(ds: Dataset) -> list[dict[str, Any]]:
    mortgaged = _first(ds.units, lambda u: u.mortgage_status == "已抵押")
    free = _first(
        ds.units, lambda u: u.mortgage_status == "无抵押" and u.seizure_status == "无查封"
    )
    seized = _first(ds.units, lambda u: u.seizure_status == "已查封")
    married = _first(ds.marriages, lambda m: m.divorced_on is None)
    divorced = _first(ds.marriages, lambda m: m.divorced_on is not None)
    contract = ds.contracts[0]
    tax = ds.deed_taxes[0]
    resident = _first(ds.persons, lambda p: p.alive and p.age_on(ds.as_of) >= 30)
    card = _first(ds.certificates, lambda c: c.type == IDENTITY_CARD and c.status == "有效")
    wedding = _first(
        ds.certificates, lambda c: c.type == MARRIAGE_CERTIFICATE and c.status == "有效"
    )
    title = _first(ds.certificates, lambda c: c.type == TITLE_CERTIFICATE)
    developer = _first(ds.businesses, lambda b: b.developer)
    insured = _first(ds.social_insurance, lambda r: r.insured and r.employer != "")
    fund = _first(ds.provident_funds, lambda f: f.loan_outstanding > 0)
    bride = ds.person(married.wife_id)
    if bride is None:
        raise LookupError("a marriage names a person the dataset does not hold")
    return [
        _query("TAX", "NRD-TITLE", "契税申报", {"unit_number": mortgaged.unit_number},
               "税务机关受理契税申报，按不动产单元号核实权属、面积及抵押状态"),
        _query("COURT", "NRD-TITLE", "协助执行（不动产查封、解封）",
               {"owner_id_number": seized.owner_id},
               "人民法院执行中按被执行人身份证号查询其名下不动产"),
        _query("FIN", "NRD-TITLE", "个人住房抵押贷款审批", {"unit_number": free.unit_number},
               "银行审批住房抵押贷款前核实房屋权属及有无抵押、查封"),
        _query("NRD", "ECERT-VERIFY", "不动产转移登记",
               {"certificate_number": card.number, "certificate_type": card.type.code,
                "holder_id_number": card.holder_id},
               "不动产转移登记受理时核验申请人居民身份证电子证照"),
        _query("NRD", "ECERT-VERIFY", "不动产转移登记",
               {"certificate_number": wedding.number, "certificate_type": wedding.type.code,
                "holder_id_number": wedding.holder_id},
               "不动产转移登记受理时核验申请人结婚证电子证照"),
        _query("FIN", "ECERT-VERIFY", "个人住房抵押贷款审批",
               {"certificate_number": title.number, "certificate_type": title.type.code,
                "holder_id_number": title.holder_id},
               "银行核验借款人提交的不动产权证书电子证照"),
        _query("NRD", "TAX-DEED", "不动产转移登记",
               {"taxpayer_id_number": tax.taxpayer_id, "unit_number": tax.unit_number},
               "不动产转移登记前核验契税完税信息（先税后证）"),
        _query("NRD", "CIV-MARRIAGE", "不动产转移登记", {"id_number": married.husband_id},
               "不动产转移登记时核实出卖人婚姻状况（夫妻共有财产）"),
        _query("NRD", "CIV-MARRIAGE", "不动产转移登记", {"id_number": divorced.wife_id},
               "不动产转移登记时核实申请人离婚登记信息"),
        _query("NRD", "HUD-CONTRACT", "不动产转移登记",
               {"contract_number": contract.contract_number},
               "新建商品房转移登记时核验商品房买卖合同网签备案"),
        _query("NRD", "PSB-IDENTITY", "不动产转移登记",
               {"id_number": resident.id_number, "name": resident.name},
               "不动产转移登记受理时核验申请人身份信息"),
        _query("CIV", "PSB-IDENTITY", "婚姻登记",
               {"id_number": bride.id_number, "name": bride.name},
               "婚姻登记机关核验当事人身份与户籍状态"),
        _query("NRD", "SAMR-BUSINESS", "不动产首次登记", {"credit_code": developer.credit_code},
               "新建商品房首次登记时核验房地产开发企业登记信息"),
        _query("NRD", "COURT-SEIZURE", "不动产转移登记", {"unit_number": seized.unit_number},
               "不动产转移登记前查询司法查封信息"),
        _query("HUD", "HRSS-INSURANCE", "购房资格审核", {"id_number": insured.id_number},
               "购房资格审核时查询购房人社会保险连续缴纳情况"),
        _query("NRD", "HPF-DEPOSIT", "不动产抵押权登记", {"id_number": fund.id_number},
               "办理公积金贷款抵押权登记时核实借款人公积金账户及贷款"),
        _query("NRD", "FIN-MORTGAGE", "不动产抵押权登记", {"unit_number": mortgaged.unit_number},
               "不动产抵押权登记时核对银行报送的抵押贷款信息"),
        _query("NRD", "GAO-MATTERS", "不动产转移登记",
               {"matter_code": matter_code("不动产转移登记")},
               "查询不动产转移登记事项的实施部门及设定依据"),
    ]  # fmt: skip


def sample_queries(seed: int = DEFAULT_SEED) -> list[dict[str, Any]]:
    """The sample queries for the dataset of ``seed``: each ``{"consumer", "entry_id",
    "purpose", "params", "description"}``."""
    return _queries(build_dataset(seed))
