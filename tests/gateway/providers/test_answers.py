"""What each simulated department answers, checked against the catalogue's declarations."""

from __future__ import annotations

import dataclasses

import pytest

from gateway.catalog.model import EntrySpec, FieldSpec
from gateway.providers.answers import InvalidParams, NoRecord, NotShared, answer
from gateway.providers.dataset import Dataset, build_dataset
from gateway.providers.fieldtypes import answer_problems, has_type
from gateway.providers.identifiers import make_id_number


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return build_dataset(2026)


def test_every_unit_answers_title_inquiry_with_the_declared_types(
    dataset: Dataset, entries: dict[str, EntrySpec]
) -> None:
    entry = entries["NRD-TITLE"]
    for unit in dataset.units:
        data = answer(dataset, entry, {"unit_number": unit.unit_number})
        assert answer_problems(entry, data) == []
        assert data["owner_id_number"] == unit.owner_id


def test_every_resident_answers_identity_and_insurance(
    dataset: Dataset, entries: dict[str, EntrySpec]
) -> None:
    identity, insurance = entries["PSB-IDENTITY"], entries["HRSS-INSURANCE"]
    for person in dataset.persons[:500]:
        data = answer(dataset, identity, {"id_number": person.id_number, "name": person.name})
        assert data["match"] is True and answer_problems(identity, data) == []
        wrong = answer(dataset, identity, {"id_number": person.id_number, "name": "无名氏"})
        assert wrong["match"] is False
        data = answer(dataset, insurance, {"id_number": person.id_number})
        assert answer_problems(insurance, data) == []


def test_owner_inquiry_returns_latest_unit_and_checks_the_pair(
    dataset: Dataset, entries: dict[str, EntrySpec]
) -> None:
    entry = entries["NRD-TITLE"]
    owner = next(p for p in dataset.persons if len(dataset.units_of(p.id_number)) > 1)
    units = dataset.units_of(owner.id_number)
    data = answer(dataset, entry, {"owner_id_number": owner.id_number})
    assert data["unit_number"] == units[0].unit_number
    assert data["registered_on"] == max(u.registered_on for u in units).isoformat()
    stranger = next(p for p in dataset.persons if not dataset.units_of(p.id_number))
    with pytest.raises(NoRecord):
        answer(
            dataset,
            entry,
            {"unit_number": units[0].unit_number, "owner_id_number": stranger.id_number},
        )


@pytest.mark.parametrize(
    ("entry_id", "params", "reason"),
    [
        ("NRD-TITLE", {}, "unit_number or owner_id_number"),
        ("NRD-TITLE", {"owner_id_number": "110105194912310021"}, "check character"),
        ("NRD-TITLE", {"unit_number": "320102003005GB00123F0012110"}, "不动产单元号"),
        ("NRD-TITLE", {"unit_number": 12}, "must be a non-empty string"),
        ("NRD-TITLE", {"unit_number": ""}, "must be a non-empty string"),
        ("NRD-TITLE", {"owner": "x"}, "undeclared"),
        ("CIV-MARRIAGE", {}, "id_number is required"),
        ("SAMR-BUSINESS", {"credit_code": "91350100M000100Y44"}, "check character"),
        ("HUD-CONTRACT", {}, "contract_number or unit_number"),
        ("ECERT-VERIFY", {"certificate_number": "1", "certificate_type": "2"}, "holder_id_number"),
    ],
)
def test_invalid_params(
    dataset: Dataset, entries: dict[str, EntrySpec], entry_id: str, params: dict, reason: str
) -> None:
    with pytest.raises(InvalidParams, match=reason) as raised:
        answer(dataset, entries[entry_id], params)
    assert raised.value.status == 400 and raised.value.code == "invalid_params"


@pytest.mark.parametrize(
    ("entry_id", "params"),
    [
        ("NRD-TITLE", {"unit_number": "320102003005GB00123F00121102"}),
        ("NRD-TITLE", {"owner_id_number": "11010519491231002X"}),
        ("CIV-MARRIAGE", {"id_number": "11010519491231002X"}),
        ("SAMR-BUSINESS", {"credit_code": "91350100M000100Y43"}),
        ("GAO-MATTERS", {"matter_code": "999999999999"}),
        (
            "ECERT-VERIFY",
            {
                "certificate_number": "x",
                "certificate_type": "y",
                "holder_id_number": "11010519491231002X",
            },
        ),
    ],
)
def test_no_record(
    dataset: Dataset, entries: dict[str, EntrySpec], entry_id: str, params: dict
) -> None:
    with pytest.raises(NoRecord) as raised:
        answer(dataset, entries[entry_id], params)
    assert raised.value.status == 404


def test_never_married_resident_has_no_marriage_record(
    dataset: Dataset, entries: dict[str, EntrySpec]
) -> None:
    single = next(p for p in dataset.persons if dataset.marriage_of(p.id_number) is None)
    with pytest.raises(NoRecord, match="婚姻登记"):
        answer(dataset, entries["CIV-MARRIAGE"], {"id_number": single.id_number})


def test_certificate_of_someone_else_is_not_confirmed(
    dataset: Dataset, entries: dict[str, EntrySpec]
) -> None:
    title = next(c for c in dataset.certificates if c.type.name == "不动产权证书")
    params = {"certificate_number": title.number, "certificate_type": title.type.code}
    data = answer(dataset, entries["ECERT-VERIFY"], {**params, "holder_id_number": title.holder_id})
    assert data["valid"] is True and data["certificate_type"] == "不动产权证书"
    other = make_id_number("320102", dataset.persons[0].born, 7)
    with pytest.raises(NoRecord):
        answer(dataset, entries["ECERT-VERIFY"], {**params, "holder_id_number": other})


def test_cancelled_marriage_certificate_is_not_valid(
    dataset: Dataset, entries: dict[str, EntrySpec]
) -> None:
    cancelled = next(
        c for c in dataset.certificates if c.type.name == "结婚证" and c.status == "已注销"
    )
    data = answer(
        dataset,
        entries["ECERT-VERIFY"],
        {
            "certificate_number": cancelled.number,
            "certificate_type": cancelled.type.code,
            "holder_id_number": cancelled.holder_id,
        },
    )
    assert data["valid"] is False and data["status"] == "已注销"


def test_not_shared_entry_is_refused_before_anything_else(
    dataset: Dataset, entries: dict[str, EntrySpec]
) -> None:
    with pytest.raises(NotShared) as raised:
        answer(dataset, entries["PSB-RECORD"], {})
    assert raised.value.status == 403 and raised.value.code == "not_shared"


def test_an_entry_added_later_still_gets_typed_deterministic_answers(
    dataset: Dataset, entries: dict[str, EntrySpec]
) -> None:
    fields = tuple(
        FieldSpec(name=t, type=t) for t in ("string", "integer", "number", "boolean", "date")
    )
    entry = dataclasses.replace(entries["GAO-MATTERS"], id="GAO-NEW", fields=fields)
    first = answer(dataset, entry, {"matter_code": "000173003000"})
    assert answer_problems(entry, first) == []
    assert first == answer(dataset, entry, {"matter_code": "000173003000"})
    assert first != answer(dataset, entry, {"matter_code": "000173001000"})


@pytest.mark.parametrize(
    ("type_name", "good", "bad"),
    [
        ("string", ["", "苏"], [1, None, True]),
        ("integer", [0, -3], [1.5, True, "1"]),
        ("number", [0, 1.5], [True, "1.5", None]),
        ("boolean", [True, False], [0, 1, "true"]),
        ("date", ["2026-02-28"], ["2026-02-30", "2026-2-1", "20260228", 20260228]),
    ],
)
def test_field_types(type_name: str, good: list, bad: list) -> None:
    assert all(has_type(type_name, value) for value in good)
    assert not any(has_type(type_name, value) for value in bad)
