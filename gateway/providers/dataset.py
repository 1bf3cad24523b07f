"""The deterministic synthetic province behind every provider simulator.

:func:`build_dataset` draws every record from one :class:`random.Random` seeded with ``seed``
(default 2026), in a fixed order: residents, marriages, businesses, real-estate units with
their mortgages, seizures, deed taxes and sale contracts, social insurance, provident fund
accounts, electronic certificates. Same seed, same records, in every process; the dates are
relative to the fixed :data:`AS_OF` day, never to the clock.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from gateway.crypto.hashing import sm3
from gateway.providers.certificates import make_certificates
from gateway.providers.population import make_marriages, make_persons
from gateway.providers.realestate import make_real_estate
from gateway.providers.records import (
    Business,
    Certificate,
    DeedTax,
    Marriage,
    Mortgage,
    Person,
    ProvidentFund,
    SaleContract,
    Seizure,
    SocialInsurance,
    Unit,
)
from gateway.providers.registries import (
    make_businesses,
    make_provident_funds,
    make_social_insurance,
)
from gateway.providers.vocabulary import District

DEFAULT_SEED = 2026
AS_OF = date(2026, 10, 31)  # the day the synthetic registers are current to
PERSONS = 2000
UNITS = 1500
BUSINESSES = 300

V = TypeVar("V")


def _index(records: Iterable[V], key: Any) -> dict[Any, V]:
    return {key(record): record for record in records}


def _group(records: Iterable[V], key: Any) -> dict[Any, list[V]]:
    grouped: dict[Any, list[V]] = defaultdict(list)
    for record in records:
        grouped[key(record)].append(record)
    return dict(grouped)


@dataclass(frozen=True)
class Dataset:
    """Every register of the synthetic province, with the look-ups the simulators answer by."""

    seed: int
    as_of: date
    persons: tuple[Person, ...]
    marriages: tuple[Marriage, ...]
    businesses: tuple[Business, ...]
    units: tuple[Unit, ...]
    mortgages: tuple[Mortgage, ...]
    seizures: tuple[Seizure, ...]
    deed_taxes: tuple[DeedTax, ...]
    contracts: tuple[SaleContract, ...]
    social_insurance: tuple[SocialInsurance, ...]
    provident_funds: tuple[ProvidentFund, ...]
    certificates: tuple[Certificate, ...]
    _indexes: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        marriages_by_person: dict[str, Marriage] = {}
        for marriage in self.marriages:
            marriages_by_person[marriage.husband_id] = marriage
            marriages_by_person[marriage.wife_id] = marriage
        self._indexes.update(
            person=_index(self.persons, lambda p: p.id_number),
            marriage=marriages_by_person,
            business=_index(self.businesses, lambda b: b.credit_code),
            unit=_index(self.units, lambda u: u.unit_number),
            units_of=_group(self.units, lambda u: u.owner_id),
            mortgage=_group(self.mortgages, lambda m: m.unit_number),
            seizure=_group(self.seizures, lambda s: s.unit_number),
            deed_tax=_group(self.deed_taxes, lambda t: t.taxpayer_id),
            contract=_index(self.contracts, lambda c: c.contract_number),
            contract_of_unit=_index(self.contracts, lambda c: c.unit_number),
            insurance=_index(self.social_insurance, lambda r: r.id_number),
            fund=_index(self.provident_funds, lambda r: r.id_number),
            certificate=_group(self.certificates, lambda c: (c.type.code, c.number)),
        )

    def person(self, id_number: str) -> Person | None:
        return self._indexes["person"].get(id_number)

    def marriage_of(self, id_number: str) -> Marriage | None:
        return self._indexes["marriage"].get(id_number)

    def business(self, credit_code: str) -> Business | None:
        return self._indexes["business"].get(credit_code)

    def unit(self, unit_number: str) -> Unit | None:
        return self._indexes["unit"].get(unit_number)

    def units_of(self, id_number: str) -> list[Unit]:
        """The person's units, most recently registered first."""
        units = self._indexes["units_of"].get(id_number, [])
        return sorted(units, key=lambda u: (u.registered_on, u.unit_number), reverse=True)

    def mortgages_on(self, unit_number: str) -> list[Mortgage]:
        return list(self._indexes["mortgage"].get(unit_number, []))

    def seizures_of(self, unit_number: str) -> list[Seizure]:
        return list(self._indexes["seizure"].get(unit_number, []))

    def deed_taxes_of(self, id_number: str) -> list[DeedTax]:
        """The taxpayer's payments, most recent first."""
        taxes = self._indexes["deed_tax"].get(id_number, [])
        return sorted(taxes, key=lambda t: (t.paid_on, t.voucher_number), reverse=True)

    def contract(self, contract_number: str) -> SaleContract | None:
        return self._indexes["contract"].get(contract_number)

    def contract_of_unit(self, unit_number: str) -> SaleContract | None:
        return self._indexes["contract_of_unit"].get(unit_number)

    def insurance(self, id_number: str) -> SocialInsurance | None:
        return self._indexes["insurance"].get(id_number)

    def provident_fund(self, id_number: str) -> ProvidentFund | None:
        return self._indexes["fund"].get(id_number)

    def certificates_numbered(self, type_code: str, number: str) -> list[Certificate]:
        return list(self._indexes["certificate"].get((type_code, number), []))

    def document(self) -> dict[str, Any]:
        """Every record as JSON-ready values (dates ISO 8601, divisions by code)."""
        return {
            f.name: _plain(getattr(self, f.name))
            for f in dataclasses.fields(self)
            if not f.name.startswith("_")
        }

    def digest(self) -> str:
        """SM3 of :meth:`document` as sorted-key compact JSON: one value naming the dataset.

        (The document holds only strings, integers, short decimals and booleans, whose
        ``json.dumps`` form is already stable; RFC 8785 would add nothing but time here.)"""
        text = json.dumps(
            self.document(), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        return sm3(text.encode("utf-8")).hex()


def _plain(value: Any) -> Any:
    if isinstance(value, District):
        return value.code
    if isinstance(value, date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    return value


@functools.lru_cache(maxsize=4)
def build_dataset(seed: int = DEFAULT_SEED) -> Dataset:
    """The synthetic province for ``seed`` (cached: a dataset is immutable)."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data, reproducibility is the point
    persons = make_persons(rng, PERSONS, AS_OF)
    adults = [p for p in persons if p.alive and p.age_on(AS_OF) >= 20]
    marriages = make_marriages(rng, persons, AS_OF)
    businesses = make_businesses(rng, adults, BUSINESSES, AS_OF)
    developers = [b for b in businesses if b.developer]
    owners = [p for p in adults if p.age_on(AS_OF) >= 22]
    estate = make_real_estate(rng, owners, developers, UNITS, AS_OF)
    active = [b for b in businesses if b.status.startswith("存续")]
    insurance = make_social_insurance(rng, persons, active, AS_OF)
    borrowers = {m.borrower_id: m for m in estate.mortgages if m.active}
    funds = make_provident_funds(rng, insurance, borrowers)
    certificates = make_certificates(rng, persons, estate.units, businesses, marriages, AS_OF)
    return Dataset(
        seed=seed,
        as_of=AS_OF,
        persons=tuple(persons),
        marriages=tuple(marriages),
        businesses=tuple(businesses),
        units=tuple(estate.units),
        mortgages=tuple(estate.mortgages),
        seizures=tuple(estate.seizures),
        deed_taxes=tuple(estate.deed_taxes),
        contracts=tuple(estate.contracts),
        social_insurance=tuple(insurance),
        provident_funds=tuple(funds),
        certificates=tuple(certificates),
    )
