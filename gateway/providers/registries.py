"""Market entities (SAMR), social insurance (HRSS) and housing provident fund (HPF) records."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import date

from gateway.providers.draw import add_years, chance, day_between, money
from gateway.providers.identifiers import CREDIT_CODE_ALPHABET, make_credit_code
from gateway.providers.records import Business, Mortgage, Person, ProvidentFund, SocialInsurance
from gateway.providers.vocabulary import (
    DEVELOPER_TRADE,
    DISTRICTS,
    ROADS,
    TRADE_NAMES,
    TRADES,
)

BUSINESS_ACTIVE = "存续（在营、开业、在册）"
BUSINESS_CANCELLED = "注销"
BUSINESS_REVOKED = "吊销，未注销"
_NEW_STYLE_FROM = date(2016, 1, 1)  # after GB 32100 came in, organisation codes start with MA


def _organization_body(rng: random.Random, established: date) -> str:
    if established >= _NEW_STYLE_FROM:
        return "MA" + "".join(rng.choice(CREDIT_CODE_ALPHABET) for _ in range(6))
    return "".join(rng.choice("0123456789") for _ in range(8))


def make_businesses(
    rng: random.Random, adults: Sequence[Person], count: int, as_of: date
) -> list[Business]:
    """``count`` enterprises (企业, registration authority 9, category 1), one in five a
    property developer, with unique names and valid 统一社会信用代码."""
    businesses: list[Business] = []
    names: set[str] = set()
    codes: set[str] = set()
    while len(businesses) < count:
        developer = len(businesses) % 5 == 0
        trade = DEVELOPER_TRADE if developer else rng.choice(TRADES[1:])
        district = rng.choice(DISTRICTS)
        brand = rng.choice(TRADE_NAMES) + rng.choice(TRADE_NAMES)
        name = f"{district.city.removesuffix('市')}{brand}{trade.word}有限公司"
        established = day_between(rng, date(1996, 1, 1), date(as_of.year - 1, 12, 31))
        code = make_credit_code("91", district.code, _organization_body(rng, established))
        if name in names or code in codes or brand[0] == brand[1]:
            continue
        names.add(name)
        codes.add(code)
        roll = rng.random()
        status = BUSINESS_ACTIVE
        if not developer and roll < 0.08:
            status = BUSINESS_CANCELLED
        elif not developer and roll < 0.12:
            status = BUSINESS_REVOKED
        capital = rng.randint(2, 500) * 100 if developer else rng.choice((10, 50, 100, 200, 500))
        businesses.append(
            Business(
                credit_code=code,
                name=name,
                legal_representative_id=rng.choice(adults).id_number,
                registered_capital=float(capital),
                established_on=established,
                status=status,
                district=district,
                address=f"{district.full_name}{rng.choice(ROADS)}{rng.randint(1, 999)}号",
                scope=trade.scope,
                developer=developer,
            )
        )
    return businesses


def make_social_insurance(
    rng: random.Random, persons: Sequence[Person], employers: Sequence[Business], as_of: date
) -> list[SocialInsurance]:
    """One record per resident: working-age residents mostly insured with an employer;
    retirees keep their insured status with the months they paid; minors are not insured."""
    current_month = f"{as_of:%Y-%m}"
    records = []
    for person in persons:
        age = person.age_on(as_of)
        if age < 18 or not person.alive:
            records.append(SocialInsurance(person.id_number, False, 0, "", ""))
            continue
        retirement_age = 60 if person.male else 55
        if age >= retirement_age:
            retired = add_years(person.born, retirement_age)
            months = rng.randint(180, 420)
            records.append(SocialInsurance(person.id_number, True, months, f"{retired:%Y-%m}", ""))
            continue
        if not chance(rng, 0.86):
            records.append(SocialInsurance(person.id_number, False, 0, "", ""))
            continue
        working_months = max(1, (age - 18) * 12)
        months = rng.randint(1, min(working_months, 360))
        last = current_month if chance(rng, 0.9) else f"{as_of.year - 1}-{rng.randint(1, 12):02d}"
        employer = rng.choice(employers).name
        records.append(SocialInsurance(person.id_number, True, months, last, employer))
    return records


def make_provident_funds(
    rng: random.Random,
    insurance: Sequence[SocialInsurance],
    mortgages_by_borrower: Mapping[str, Mortgage],
) -> list[ProvidentFund]:
    """Accounts for about two thirds of the contributing employees (12 % + 12 % of the wage);
    some owners with a loan in force repay part of it through a provident fund loan."""
    funds = []
    for record in insurance:
        if not record.insured or not record.employer or not chance(rng, 0.65):
            continue
        wage = rng.randint(40, 300) * 100
        monthly = money(wage * 0.24)
        status = "正常缴存" if chance(rng, 0.88) else "封存"
        balance = money(monthly * rng.randint(3, max(3, record.months_paid)) * rng.uniform(0.3, 1))
        loan = 0.0
        mortgage = mortgages_by_borrower.get(record.id_number)
        if mortgage is not None and mortgage.active and chance(rng, 0.4):
            loan = money(min(mortgage.loan_amount, 1_000_000) * rng.uniform(0.2, 0.8))
        funds.append(ProvidentFund(record.id_number, status, monthly, balance, loan))
    return funds
