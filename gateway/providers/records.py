"""The records the simulated departments hold, one dataclass per register.

Every cross-reference is by the national identifier the real registers use: persons by
公民身份号码, units by 不动产单元号, businesses by 统一社会信用代码.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from gateway.providers.vocabulary import District

FOREVER = date(9999, 12, 31)  # how a date-typed field says 长期 (no expiry)

HOUSEHOLD_NORMAL = "正常"
HOUSEHOLD_MOVED_OUT = "迁出"
HOUSEHOLD_DECEASED = "死亡注销"


@dataclass(frozen=True, slots=True)
class Person:
    """A resident in the 户籍 register (PSB)."""

    id_number: str
    name: str
    male: bool
    born: date
    district: District
    household_address: str
    household_status: str

    @property
    def alive(self) -> bool:
        return self.household_status != HOUSEHOLD_DECEASED

    def age_on(self, day: date) -> int:
        return day.year - self.born.year - ((day.month, day.day) < (self.born.month, self.born.day))


@dataclass(frozen=True, slots=True)
class Marriage:
    """A marriage registration (CIV), with its dissolution when the couple divorced."""

    certificate_number: str  # 结婚证字号, e.g. J320102-2019-000123
    husband_id: str
    wife_id: str
    registered_on: date
    registry_office: str
    divorced_on: date | None = None
    divorce_certificate_number: str | None = None  # 离婚证字号, e.g. L320102-2023-000045

    def spouse_of(self, id_number: str) -> str:
        return self.wife_id if id_number == self.husband_id else self.husband_id


@dataclass(frozen=True, slots=True)
class Business:
    """A market entity in the SAMR register."""

    credit_code: str
    name: str
    legal_representative_id: str
    registered_capital: float  # 万元
    established_on: date
    status: str
    district: District
    address: str
    scope: str
    developer: bool


@dataclass(frozen=True, slots=True)
class Unit:
    """A real-estate unit on the NRD register (不动产登记簿) with its current owner."""

    unit_number: str
    certificate_number: str
    owner_id: str
    district: District
    location: str
    area: float
    usage: str
    right_type: str
    registered_on: date
    land_use_until: date
    value: int  # transaction price, yuan
    mortgage_status: str  # 已抵押 / 无抵押
    seizure_status: str  # 已查封 / 无查封


@dataclass(frozen=True, slots=True)
class Mortgage:
    """A personal housing loan reported by a bank (FIN), secured on a unit."""

    unit_number: str
    lender: str
    borrower_id: str
    loan_amount: int
    loan_start: date
    loan_end: date
    status: str  # 正常 / 逾期 / 已结清

    @property
    def active(self) -> bool:
        return self.status != "已结清"


@dataclass(frozen=True, slots=True)
class Seizure:
    """A court seizure of a unit (COURT); lifted seizures stay on record as not in force."""

    unit_number: str
    case_number: str
    court: str
    seized_on: date
    seized_until: date
    in_force: bool


@dataclass(frozen=True, slots=True)
class DeedTax:
    """A 契税 payment (TAX) for the transfer that gave the owner the unit."""

    voucher_number: str
    taxpayer_id: str
    unit_number: str
    taxable_value: int
    tax_rate: float
    tax_amount: float
    paid_on: date
    tax_office: str


@dataclass(frozen=True, slots=True)
class SaleContract:
    """A 商品房买卖合同 filed online (网签备案, HUD) for a new-built unit."""

    contract_number: str
    unit_number: str
    buyer_id: str
    price: int
    filed_on: date
    developer: str


@dataclass(frozen=True, slots=True)
class SocialInsurance:
    """A person's social insurance contributions (HRSS)."""

    id_number: str
    insured: bool
    months_paid: int
    last_paid_month: str  # YYYY-MM, empty when never paid
    employer: str


@dataclass(frozen=True, slots=True)
class ProvidentFund:
    """A housing provident fund account (HPF)."""

    id_number: str
    account_status: str  # 正常缴存 / 封存
    monthly_deposit: float
    balance: float
    loan_outstanding: float


@dataclass(frozen=True, slots=True)
class CertificateType:
    """An electronic certificate type: its 21-character 证照类型代码 (the defining authority's
    统一社会信用代码 and a 3-digit sequence) and its name."""

    code: str
    name: str


@dataclass(frozen=True, slots=True)
class Certificate:
    """An electronic certificate in the provincial repository (ECERT, GB/T 36901-36906)."""

    type: CertificateType
    number: str
    holder_id: str
    issuer: str
    issued_on: date
    expires_on: date
    status: str  # 有效 / 已注销 / 已过期 / 已吊销
