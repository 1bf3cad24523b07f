"""A transfer case the simulated departments can support, from the synthetic dataset.

A unit with a filed sale contract whose buyer has paid the deed tax and which is not seized;
the seller is a married resident (whose marriage registration civil affairs holds). With
``seized=True`` the unit is one under a court seizure, so the seizure check is not met.
"""

from __future__ import annotations

from gateway.providers.dataset import DEFAULT_SEED, build_dataset
from gateway.transfer.model import CaseOpening


def sample_case(
    case_id: str, deadline_ms: int, seed: int = DEFAULT_SEED, *, seized: bool = False
) -> CaseOpening:
    ds = build_dataset(seed)
    units = {unit.unit_number: unit for unit in ds.units}
    married = next(m for m in ds.marriages if m.divorced_on is None)
    for contract in ds.contracts:
        unit = units.get(contract.unit_number)
        if unit is None or (unit.seizure_status == "已查封") != seized:
            continue
        paid = any(t.unit_number == unit.unit_number for t in ds.deed_taxes_of(contract.buyer_id))
        if not paid or contract.buyer_id == married.husband_id:
            continue
        return CaseOpening(
            case_id=case_id,
            unit_number=unit.unit_number,
            title_number=unit.certificate_number,
            seller_id=married.husband_id,
            buyer_id=contract.buyer_id,
            price=contract.price,
            contract_number=contract.contract_number,
            deadline_ms=deadline_ms,
        )
    raise LookupError("the dataset holds no unit for a sample transfer case")
