"""Masking by data class, and the resident-ID safety net whatever a field declares."""

from __future__ import annotations

import pytest

from gateway.broker.fields import project
from gateway.catalog.model import EntrySpec, FieldSpec, ServiceBinding, SharingClass
from gateway.catalog.seed import field_from_mapping
from gateway.privacy.classes import DataClass, legacy_data_class
from gateway.privacy.masking import mask_value, redact_identifiers, shown_value

ID = "440524188001010014"
MASKED_ID = "440524********0014"


@pytest.mark.parametrize(
    ("data_class", "value", "masked"),
    [
        (DataClass.PERSONAL_NAME, "张三丰", "张**"),
        (DataClass.PERSONAL_IDENTIFIER, ID, MASKED_ID),
        (DataClass.PERSONAL_PHONE, "13812345678", "138****5678"),
        (DataClass.PERSONAL_ADDRESS, "江苏省南京市玄武区中山路1号", "江苏省南京市********"),
        (DataClass.PERSONAL_OTHER, "已婚", "**"),
        (DataClass.PERSONAL_OTHER, 42, None),
        (DataClass.GENERAL, "有效", "有效"),
    ],
)
def test_each_class_has_its_rule(data_class: DataClass, value: object, masked: object) -> None:
    assert mask_value(data_class, value) == masked


def test_redaction_masks_every_number_inside_a_text_and_nothing_else() -> None:
    assert redact_identifiers(ID) == MASKED_ID
    assert redact_identifiers(f"证号{ID}，有效") == f"证号{MASKED_ID}，有效"
    assert redact_identifiers("440524188001010015") == "440524188001010015"  # wrong check
    assert redact_identifiers(int(ID)) is None
    assert redact_identifiers("苏(2023)南京市不动产权第0012345号") == (
        "苏(2023)南京市不动产权第0012345号"
    )


def test_a_clear_identifier_needs_a_field_declared_as_one_and_granted_in_clear() -> None:
    assert shown_value(DataClass.PERSONAL_IDENTIFIER, ID, clear=True) == ID
    assert shown_value(DataClass.PERSONAL_IDENTIFIER, ID, clear=False) == MASKED_ID
    assert shown_value(DataClass.GENERAL, ID, clear=True) == MASKED_ID
    assert shown_value(DataClass.GENERAL, ID, clear=False) == MASKED_ID
    assert shown_value(DataClass.PERSONAL_NAME, ID, clear=True) == MASKED_ID
    assert shown_value(DataClass.PERSONAL_NAME, "张三", clear=True) == "张三"


def _certificate_entry() -> EntrySpec:
    fields = (
        FieldSpec("certificate_number", "string", "证照编号"),
        FieldSpec("holder_id_number", "string", "", DataClass.PERSONAL_IDENTIFIER),
        FieldSpec("holder_name", "string", "", DataClass.PERSONAL_NAME),
        FieldSpec("status", "string"),
    )
    return EntrySpec(
        "ECERT-VERIFY",
        "ECERT",
        "电子证照核验",
        "",
        "",
        SharingClass.CONDITIONAL,
        "realtime",
        ServiceBinding("http", "/x"),
        (),
        fields,
    )


def test_an_identity_card_number_is_masked_in_the_certificate_number_too() -> None:
    data = {
        "certificate_number": ID,
        "holder_id_number": ID,
        "holder_name": "李四",
        "status": "有效",
    }
    spec = _certificate_entry()
    shown = project(spec, data, ["certificate_number", "status"])
    assert shown == {
        "certificate_number": MASKED_ID,
        "holder_id_number": MASKED_ID,
        "holder_name": "李*",
        "status": "有效",
    }
    assert project(spec, data, None)["certificate_number"] == MASKED_ID
    granted = project(spec, data, ["holder_id_number", "holder_name", "certificate_number"])
    assert granted["holder_id_number"] == ID  # declared an identifier and granted: clear
    assert granted["holder_name"] == "李四"
    assert granted["certificate_number"] == MASKED_ID
    assert "status" not in granted


def test_fields_declared_the_older_way_keep_their_masking() -> None:
    assert legacy_data_class(True, "id_number") is DataClass.PERSONAL_IDENTIFIER
    assert legacy_data_class(True, "name") is DataClass.PERSONAL_NAME
    assert legacy_data_class(True, "none") is DataClass.PERSONAL_OTHER
    assert legacy_data_class(False, "none") is DataClass.GENERAL
    old = field_from_mapping(
        {"name": "tel", "type": "string", "personal": True, "masking": "phone"}
    )
    assert old.data_class is DataClass.PERSONAL_PHONE and old.masking == "phone"
    assert field_from_mapping({"name": "n", "type": "string"}).data_class is DataClass.GENERAL
