"""Entry fields declare their data class; the older personal/masking form still publishes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from gateway.catalog.errors import InvalidEntry
from gateway.catalog.validation import validate_entry_document
from tests.live_gateway import LiveGateway

Credentials = Callable[[str], dict[str, Any]]


def _document(*fields: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "TAX-CLASSES",
        "provider": "TAX",
        "name": "数据类别示例",
        "sharing_class": "conditional",
        "service": {"connector": "http", "path": "/api/classes"},
        "fields": list(fields),
    }


@pytest.mark.parametrize(
    "field",
    [
        {"name": "id_no", "type": "string", "data_class": "personal_identifier"},
        {"name": "id_no", "type": "string", "personal": True, "masking": "id_number"},
        {
            "name": "id_no",
            "type": "string",
            "data_class": "personal_identifier",
            "personal": True,
            "masking": "id_number",
        },
        {"name": "note", "type": "string", "data_class": "general", "personal": False},
    ],
)
def test_valid_declarations(field: dict[str, Any]) -> None:
    validate_entry_document(_document(field))


@pytest.mark.parametrize(
    ("field", "problem"),
    [
        ({"name": "x", "type": "string", "data_class": "secret"}, "fields/0/data_class"),
        (
            {"name": "x", "type": "string", "data_class": "general", "personal": True},
            "contradicts",
        ),
        (
            {
                "name": "x",
                "type": "string",
                "data_class": "personal_name",
                "personal": True,
                "masking": "phone",
            },
            "contradicts",
        ),
        ({"name": "x", "type": "string", "masking": "name"}, "needs personal = true"),
    ],
)
def test_contradictory_or_unknown_classes_are_refused(field: dict[str, Any], problem: str) -> None:
    with pytest.raises(InvalidEntry) as refused:
        validate_entry_document(_document(field))
    assert any(problem in p for p in refused.value.extra["problems"]), refused.value.extra


def test_a_published_entry_shows_each_fields_class(
    live: LiveGateway, member_credentials: Credentials
) -> None:
    tax = live.token(member_credentials("TAX"))
    document = _document(
        {"name": "voucher", "type": "string"},
        {"name": "payer_id", "type": "string", "personal": True, "masking": "id_number"},
        {"name": "payer_phone", "type": "string", "data_class": "personal_phone"},
    )
    published = live.post("/api/v1/catalog/entries", tax, document)
    assert published.status_code == 201, published.text
    fields = {f["name"]: f["data_class"] for f in published.json()["fields"]}
    assert fields == {
        "voucher": "general",
        "payer_id": "personal_identifier",
        "payer_phone": "personal_phone",
    }
    ecert = live.get("/api/v1/catalog/entries/ECERT-VERIFY", tax).json()
    classes = {f["name"]: f["data_class"] for f in ecert["fields"]}
    assert classes["holder_id_number"] == "personal_identifier"
    assert classes["holder_name"] == "personal_name"
