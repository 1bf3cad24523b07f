"""The electronic certificate repository (电子证照库, ECERT; GB/T 36901-36906).

It holds the electronic copies of the certificates the other registers issued: identity cards
(PSB), real-estate title certificates (NRD), business licences (SAMR), marriage and divorce
certificates (CIV). Type codes are 21 characters: the defining authority's
统一社会信用代码 (synthetic, valid check character) and a 3-digit sequence.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta

from gateway.providers.draw import add_years, day_between
from gateway.providers.records import (
    FOREVER,
    Business,
    Certificate,
    CertificateType,
    Marriage,
    Person,
    Unit,
)
from gateway.providers.registries import BUSINESS_ACTIVE, BUSINESS_CANCELLED

IDENTITY_CARD = CertificateType("11100000MB01432474001", "居民身份证")
TITLE_CERTIFICATE = CertificateType("11100000MB0300118Y001", "不动产权证书")
BUSINESS_LICENCE = CertificateType("11100000MB02016382001", "营业执照")
MARRIAGE_CERTIFICATE = CertificateType("11100000MB00567253001", "结婚证")
DIVORCE_CERTIFICATE = CertificateType("11100000MB00567253002", "离婚证")
CERTIFICATE_TYPES = (
    IDENTITY_CARD,
    TITLE_CERTIFICATE,
    BUSINESS_LICENCE,
    MARRIAGE_CERTIFICATE,
    DIVORCE_CERTIFICATE,
)

VALID = "有效"
CANCELLED = "已注销"
EXPIRED = "已过期"
REVOKED = "已吊销"


def identity_card_validity(age_at_issue: int) -> int | None:
    """Years an identity card is valid (《居民身份证法》第五条): 10 years from 16 to 25,
    20 years from 26 to 45, long-term (None) from 46."""
    if age_at_issue < 26:
        return 10
    if age_at_issue < 46:
        return 20
    return None


def _identity_card(rng: random.Random, person: Person, as_of: date) -> Certificate | None:
    sixteen = add_years(person.born, 16)
    latest = as_of - timedelta(days=10)
    if sixteen > latest:
        return None
    issued_on = day_between(rng, max(sixteen, latest - timedelta(days=3650)), latest)
    years = identity_card_validity(person.age_on(issued_on))
    expires_on = FOREVER if years is None else add_years(issued_on, years)
    status = VALID if expires_on >= as_of else EXPIRED
    if not person.alive:
        status = CANCELLED
    district = person.district
    issuer = (
        f"{district.city}公安局{district.name.removesuffix('区')}分局"
        if district.is_urban_district
        else f"{district.name}公安局"
    )
    return Certificate(
        IDENTITY_CARD, person.id_number, person.id_number, issuer, issued_on, expires_on, status
    )


def make_certificates(
    rng: random.Random,
    persons: Sequence[Person],
    units: Sequence[Unit],
    businesses: Sequence[Business],
    marriages: Sequence[Marriage],
    as_of: date,
) -> list[Certificate]:
    certificates = []
    for person in persons:
        card = _identity_card(rng, person, as_of)
        if card is not None:
            certificates.append(card)
    for unit in units:
        certificates.append(
            Certificate(
                TITLE_CERTIFICATE,
                unit.certificate_number,
                unit.owner_id,
                f"{unit.district.jurisdiction}自然资源和规划局",
                unit.registered_on,
                unit.land_use_until,
                VALID,
            )
        )
    for business in businesses:
        expires_on = FOREVER if rng.random() < 0.5 else add_years(business.established_on, 30)
        status = {BUSINESS_ACTIVE: VALID, BUSINESS_CANCELLED: CANCELLED}.get(
            business.status, REVOKED
        )
        if status == VALID and expires_on < as_of:
            status = EXPIRED
        certificates.append(
            Certificate(
                BUSINESS_LICENCE,
                business.credit_code,
                business.legal_representative_id,
                business.district.office("市场监督管理局"),
                business.established_on,
                expires_on,
                status,
            )
        )
    for marriage in marriages:
        married_status = CANCELLED if marriage.divorced_on else VALID
        for holder in (marriage.husband_id, marriage.wife_id):
            certificates.append(
                Certificate(
                    MARRIAGE_CERTIFICATE,
                    marriage.certificate_number,
                    holder,
                    marriage.registry_office,
                    marriage.registered_on,
                    FOREVER,
                    married_status,
                )
            )
            if marriage.divorced_on and marriage.divorce_certificate_number:
                certificates.append(
                    Certificate(
                        DIVORCE_CERTIFICATE,
                        marriage.divorce_certificate_number,
                        holder,
                        marriage.registry_office,
                        marriage.divorced_on,
                        FOREVER,
                        VALID,
                    )
                )
    return certificates
