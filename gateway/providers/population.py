"""Residents (户籍, PSB) and marriage registrations (婚姻登记, CIV) of the synthetic province."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

from gateway.providers.draw import add_years, chance, day_between
from gateway.providers.identifiers import make_id_number
from gateway.providers.records import (
    HOUSEHOLD_DECEASED,
    HOUSEHOLD_MOVED_OUT,
    HOUSEHOLD_NORMAL,
    Marriage,
    Person,
)
from gateway.providers.vocabulary import (
    DISTRICTS,
    ESTATES,
    FEMALE_GIVEN,
    MALE_GIVEN,
    PROVINCE,
    ROADS,
    SURNAMES,
    District,
)

MARRIAGE_AGE_MEN = 22  # 《民法典》第一千零四十七条
MARRIAGE_AGE_WOMEN = 20


def _name(rng: random.Random, male: bool) -> str:
    given = MALE_GIVEN if male else FEMALE_GIVEN
    length = 1 if chance(rng, 0.3) else 2
    return rng.choice(SURNAMES) + "".join(rng.choice(given) for _ in range(length))


def street_address(rng: random.Random, district: District) -> str:
    """``南京市玄武区中山路88号锦绣花园3幢1102室`` (without the province)."""
    return (
        f"{district.full_name}{rng.choice(ROADS)}{rng.randint(1, 399)}号"
        f"{rng.choice(ESTATES)}{rng.randint(1, 30)}幢{rng.randint(1, 28)}{rng.randint(1, 4):02d}室"
    )


def make_persons(rng: random.Random, count: int, as_of: date) -> list[Person]:
    """``count`` residents aged 5 to 90 on ``as_of``, with unique valid 公民身份号码."""
    persons: list[Person] = []
    taken: set[str] = set()
    earliest, latest = date(as_of.year - 90, 1, 1), date(as_of.year - 5, 12, 31)
    while len(persons) < count:
        male = chance(rng, 0.5)
        born = day_between(rng, earliest, latest)
        birthplace = rng.choice(DISTRICTS)
        sequence = rng.randint(0, 498) * 2 + (1 if male else 2)
        id_number = make_id_number(birthplace.code, born, sequence)
        if id_number in taken:
            continue
        taken.add(id_number)
        home = birthplace if chance(rng, 0.8) else rng.choice(DISTRICTS)
        status = HOUSEHOLD_NORMAL
        if born.year < 1960 and chance(rng, 0.05):
            status = HOUSEHOLD_DECEASED
        elif chance(rng, 0.01):
            status = HOUSEHOLD_MOVED_OUT
        persons.append(
            Person(
                id_number=id_number,
                name=_name(rng, male),
                male=male,
                born=born,
                district=home,
                household_address=PROVINCE + street_address(rng, home),
                household_status=status,
            )
        )
    return persons


def make_marriages(
    rng: random.Random, persons: list[Person], as_of: date, married_share: float = 0.62
) -> list[Marriage]:
    """Pair adults of marriageable age; about one couple in eight later divorced.

    Each person is in at most one registration. 结婚证字号 and 离婚证字号 are ``J``/``L`` + the
    registering district's code + year + a 6-digit number counted per district and year.
    """
    men = [p for p in persons if p.male and p.age_on(as_of) >= MARRIAGE_AGE_MEN + 1]
    women = [p for p in persons if not p.male and p.age_on(as_of) >= MARRIAGE_AGE_WOMEN + 1]
    rng.shuffle(men)
    rng.shuffle(women)
    counters: Counter[tuple[str, str, int]] = Counter()

    def number(kind: str, district: District, year: int) -> str:
        counters[(kind, district.code, year)] += 1
        return f"{kind}{district.code}-{year}-{counters[(kind, district.code, year)]:06d}"

    marriages: list[Marriage] = []
    pairs = int(min(len(men), len(women)) * married_share)
    for husband, wife in zip(men[:pairs], women[:pairs], strict=True):
        earliest = max(
            add_years(husband.born, MARRIAGE_AGE_MEN),
            add_years(wife.born, MARRIAGE_AGE_WOMEN),
            date(1985, 1, 1),
        )
        latest = as_of - timedelta(days=30)
        if earliest > latest:
            continue
        married_on = day_between(rng, earliest, latest)
        registry = husband.district if chance(rng, 0.5) else wife.district
        office = registry.office("民政局婚姻登记处")
        divorced_on = divorce_number = None
        if chance(rng, 0.13) and (latest - married_on).days > 400:
            divorced_on = day_between(rng, married_on + timedelta(days=365), latest)
            divorce_number = number("L", registry, divorced_on.year)
        marriages.append(
            Marriage(
                certificate_number=number("J", registry, married_on.year),
                husband_id=husband.id_number,
                wife_id=wife.id_number,
                registered_on=married_on,
                registry_office=office,
                divorced_on=divorced_on,
                divorce_certificate_number=divorce_number,
            )
        )
    return marriages
