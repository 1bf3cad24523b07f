"""Real-estate units (NRD) and the records other departments keep about them: bank mortgages
(FIN), court seizures (COURT), deed-tax payments (TAX) and online sale contracts (HUD).

The statuses on the register follow the other records: a unit is 已抵押 exactly when FIN holds
a loan in force on it, and 已查封 exactly when COURT holds a seizure in force.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from gateway.providers.draw import add_years, chance, day_between, money
from gateway.providers.identifiers import make_unit_number
from gateway.providers.records import (
    Business,
    DeedTax,
    Mortgage,
    Person,
    SaleContract,
    Seizure,
    Unit,
)
from gateway.providers.vocabulary import (
    BANKS,
    DISTRICTS,
    ESTATES,
    PROVINCE_ABBREVIATION,
    ROADS,
    District,
)

UNIFIED_REGISTRATION_FROM = date(2015, 3, 1)  # 《不动产登记暂行条例》 in force
SEIZURE_TERM_YEARS = 3  # 查封期限 of immovable property (最高法 法释〔2004〕15号 第二十九条)
_PRICE_PER_M2 = {"南京市": (18_000, 45_000), "苏州市": (16_000, 40_000)}
_PRICE_SECOND_TIER = {"无锡市", "常州市"}

# usage, share of units, area range (m²), 权利性质 choices, land-use term (years)
_USAGES = (
    ("住宅", 0.80, (55, 180), ("出让/市场化商品房", "划拨/房改房", "出让/经济适用住房"), 70),
    ("商业", 0.10, (25, 400), ("出让/市场化商品房",), 40),
    ("办公", 0.06, (60, 300), ("出让/市场化商品房",), 50),
    ("工业", 0.04, (300, 3000), ("出让/自建房",), 50),
)


@dataclass(frozen=True)
class _Parcel:
    district: District
    cadastral_district: int
    cadastral_subdistrict: int
    sequence: int
    road: str
    number: int
    estate: str
    granted_on: date


@dataclass
class RealEstate:
    units: list[Unit] = field(default_factory=list)
    mortgages: list[Mortgage] = field(default_factory=list)
    seizures: list[Seizure] = field(default_factory=list)
    deed_taxes: list[DeedTax] = field(default_factory=list)
    contracts: list[SaleContract] = field(default_factory=list)


def deed_tax_rate(usage: str, area: float) -> float:
    """契税 rate: 1 % for a home up to 90 m², 1.5 % above, 3 % for non-residential property
    (《中华人民共和国契税法》 and the preferential rates for individuals' homes)."""
    if usage != "住宅":
        return 0.03
    return 0.01 if area <= 90 else 0.015


def _parcels(rng: random.Random, per_district: int) -> list[_Parcel]:
    parcels = []
    for district in DISTRICTS:
        sequences = rng.sample(range(1, 3000), per_district)
        for sequence in sequences:
            parcels.append(
                _Parcel(
                    district=district,
                    cadastral_district=rng.randint(1, 12),
                    cadastral_subdistrict=rng.randint(1, 9),
                    sequence=sequence,
                    road=rng.choice(ROADS),
                    number=rng.randint(1, 399),
                    estate=rng.choice(ESTATES),
                    granted_on=day_between(rng, date(1998, 1, 1), date(2014, 12, 31)),
                )
            )
    return parcels


def _price_per_m2(rng: random.Random, district: District, usage: str) -> int:
    low, high = _PRICE_PER_M2.get(district.city, (7_000, 16_000))
    if district.city in _PRICE_SECOND_TIER:
        low, high = 12_000, 25_000
    factor = {"住宅": 1.0, "商业": 1.2, "办公": 0.9, "工业": 0.15}[usage]
    return int(rng.randint(low, high) * factor)


class _Numbers:
    """Counters per jurisdiction or district and year: certificate, voucher, contract, case."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.counters: Counter[tuple[str, str, int]] = Counter()

    def next(self, kind: str, scope: str, year: int, start: int = 0) -> int:
        key = (kind, scope, year)
        if key not in self.counters:
            self.counters[key] = start + self.rng.randint(0, 500)
        self.counters[key] += 1
        return self.counters[key]


def make_real_estate(
    rng: random.Random,
    owners: Sequence[Person],
    developers: Sequence[Business],
    count: int,
    as_of: date,
) -> RealEstate:
    """``count`` units on ``count // 8`` parcels, each owned by one of ``owners``."""
    estate = RealEstate()
    parcels = _parcels(rng, max(2, count // (8 * len(DISTRICTS))))
    numbers = _Numbers(rng)
    parcels_in: dict[str, list[_Parcel]] = {}
    for parcel in parcels:
        parcels_in.setdefault(parcel.district.code, []).append(parcel)
    developers_in: dict[str, list[Business]] = {}
    for business in developers:
        developers_in.setdefault(business.district.city, []).append(business)
    taken: set[str] = set()
    while len(estate.units) < count:
        owner = rng.choice(owners)
        local = parcels_in.get(owner.district.code)
        parcel = rng.choice(local) if local and chance(rng, 0.7) else rng.choice(parcels)
        usage, _, (low, high), right_types, term = _pick_usage(rng)
        building, floor, room = rng.randint(1, 30), rng.randint(1, 33), rng.randint(1, 4)
        unit_number = make_unit_number(
            parcel.district.code,
            parcel.cadastral_district,
            parcel.cadastral_subdistrict,
            "GB",
            parcel.sequence,
            building,
            floor * 100 + room,
        )
        if unit_number in taken:
            continue
        taken.add(unit_number)
        adult_from = max(add_years(owner.born, 20), UNIFIED_REGISTRATION_FROM)
        if adult_from > as_of - timedelta(days=60):
            continue
        registered_on = day_between(rng, adult_from, as_of - timedelta(days=60))
        area = money(rng.uniform(low, high))
        value = int(area * _price_per_m2(rng, parcel.district, usage)) // 100 * 100
        right_type = rng.choice(right_types)
        district = parcel.district
        jurisdiction = district.jurisdiction
        year = registered_on.year
        serial = numbers.next("title", jurisdiction, year, start=rng.randint(1000, 30000))
        certificate = f"{PROVINCE_ABBREVIATION}({year}){jurisdiction}不动产权第{serial:07d}号"
        location = (
            f"{district.full_name}{parcel.road}{parcel.number}号{parcel.estate}"
            f"{building}幢{floor}{room:02d}室"
        )
        mortgage = _mortgage(rng, unit_number, owner, district, usage, value, registered_on, as_of)
        seizure = _seizure(rng, numbers, unit_number, district, registered_on, as_of)
        estate.units.append(
            Unit(
                unit_number=unit_number,
                certificate_number=certificate,
                owner_id=owner.id_number,
                district=district,
                location=location,
                area=area,
                usage=usage,
                right_type=right_type,
                registered_on=registered_on,
                land_use_until=add_years(parcel.granted_on, term),
                value=value,
                mortgage_status="已抵押" if mortgage and mortgage.active else "无抵押",
                seizure_status="已查封" if seizure and seizure.in_force else "无查封",
            )
        )
        if mortgage:
            estate.mortgages.append(mortgage)
        if seizure:
            estate.seizures.append(seizure)
        paid_on = registered_on - timedelta(days=rng.randint(1, 20))
        rate = deed_tax_rate(usage, area)
        voucher = numbers.next("voucher", district.code, paid_on.year, start=10_000)
        estate.deed_taxes.append(
            DeedTax(
                voucher_number=f"{district.code}{paid_on.year}{voucher:08d}",
                taxpayer_id=owner.id_number,
                unit_number=unit_number,
                taxable_value=value,
                tax_rate=rate,
                tax_amount=money(value * rate),
                paid_on=paid_on,
                tax_office="国家税务总局" + district.office("税务局"),
            )
        )
        if right_type == "出让/市场化商品房" and developers and chance(rng, 0.6):
            filed_on = registered_on - timedelta(days=rng.randint(200, 700))
            developer = rng.choice(developers_in.get(district.city) or developers)
            contract = numbers.next("contract", district.code, filed_on.year)
            estate.contracts.append(
                SaleContract(
                    contract_number=f"YS{district.code}{filed_on.year}{contract:06d}",
                    unit_number=unit_number,
                    buyer_id=owner.id_number,
                    price=value,
                    filed_on=filed_on,
                    developer=developer.name,
                )
            )
    return estate


def _pick_usage(
    rng: random.Random,
) -> tuple[str, float, tuple[int, int], tuple[str, ...], int]:
    roll = rng.random()
    for usage in _USAGES:
        roll -= usage[1]
        if roll < 0:
            return usage
    return _USAGES[0]


def _mortgage(
    rng: random.Random,
    unit_number: str,
    owner: Person,
    district: District,
    usage: str,
    value: int,
    registered_on: date,
    as_of: date,
) -> Mortgage | None:
    if usage != "住宅" or not chance(rng, 0.4):
        return None
    start = registered_on + timedelta(days=rng.randint(0, 30))
    if start >= as_of:
        return None
    end = add_years(start, rng.choice((10, 15, 20, 25, 30))) - timedelta(days=1)
    roll = rng.random()
    status = "已结清" if roll < 0.2 else ("逾期" if roll < 0.24 else "正常")
    bank = rng.choice(BANKS) + district.city.removesuffix("市") + "分行"
    amount = int(value * rng.uniform(0.3, 0.7)) // 10_000 * 10_000
    return Mortgage(unit_number, bank, owner.id_number, amount, start, end, status)


def _seizure(
    rng: random.Random,
    numbers: _Numbers,
    unit_number: str,
    district: District,
    registered_on: date,
    as_of: date,
) -> Seizure | None:
    """About one unit in twenty has been seized; two in three of those seizures are in force
    (within the three-year term), the others were lifted (解封) and stay on record."""
    if not chance(rng, 0.05):
        return None
    in_force = chance(rng, 0.67)
    earliest = registered_on + timedelta(days=30)
    if in_force:
        earliest = max(earliest, add_years(as_of, -SEIZURE_TERM_YEARS) + timedelta(days=30))
    latest = as_of - timedelta(days=5 if in_force else 60)
    if earliest > latest:
        return None
    seized_on = day_between(rng, earliest, latest)
    kind = "执保" if chance(rng, 0.3) else "执"
    serial = numbers.next("case", district.code + kind, seized_on.year, start=100)
    case = f"({seized_on.year}){PROVINCE_ABBREVIATION}{district.code[2:]}{kind}{serial}号"
    until = add_years(seized_on, SEIZURE_TERM_YEARS) - timedelta(days=1)
    return Seizure(unit_number, case, district.office("人民法院"), seized_on, until, in_force)
