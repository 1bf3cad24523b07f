"""Data classes of the fields a catalogue entry's answer carries, and how each is masked.

A field is masked because of what it *carries*, never because of what it is called: a provider
declares each answer field's data class with the entry (``data_class`` in the entry schema),
and the gateway masks every field of a personal class unless the consumer's grant allows it in
clear. Classes follow GB/T 35273-2020 (信息安全技术 个人信息安全规范) annex A: personal
identifiers, names, phone numbers and addresses are personal information; other personal facts
are masked whole.
"""

from __future__ import annotations

from enum import Enum


class DataClass(Enum):
    """What a field carries. ``rule`` is the masking rule (docs/broker.md)."""

    GENERAL = "general"  # 非个人信息
    PERSONAL_IDENTIFIER = "personal_identifier"  # 公民身份号码等个人身份标识
    PERSONAL_NAME = "personal_name"  # 姓名
    PERSONAL_PHONE = "personal_phone"  # 电话号码
    PERSONAL_ADDRESS = "personal_address"  # 住址
    PERSONAL_OTHER = "personal_other"  # 其他个人信息

    @property
    def personal(self) -> bool:
        return self is not DataClass.GENERAL

    @property
    def rule(self) -> str:
        """The masking rule, as the older ``masking`` attribute of a field spelled it."""
        return _RULES[self]

    @property
    def label_zh(self) -> str:
        return _LABELS[self][0]

    @property
    def label_en(self) -> str:
        return _LABELS[self][1]


_RULES = {
    DataClass.GENERAL: "none",
    DataClass.PERSONAL_IDENTIFIER: "id_number",
    DataClass.PERSONAL_NAME: "name",
    DataClass.PERSONAL_PHONE: "phone",
    DataClass.PERSONAL_ADDRESS: "address",
    DataClass.PERSONAL_OTHER: "whole",
}
_LABELS = {
    DataClass.GENERAL: ("非个人信息", "Not personal"),
    DataClass.PERSONAL_IDENTIFIER: ("个人身份标识", "Personal identifier"),
    DataClass.PERSONAL_NAME: ("姓名", "Name"),
    DataClass.PERSONAL_PHONE: ("电话号码", "Phone number"),
    DataClass.PERSONAL_ADDRESS: ("住址", "Address"),
    DataClass.PERSONAL_OTHER: ("其他个人信息", "Other personal information"),
}
DATA_CLASSES: tuple[str, ...] = tuple(data_class.value for data_class in DataClass)
LEGACY_RULES: tuple[str, ...] = ("none", "name", "id_number", "phone", "address")
"""The ``masking`` values of entries published before data classes."""


def legacy_data_class(personal: bool, masking: str) -> DataClass:
    """The data class of a field declared the older way (``personal`` + ``masking``)."""
    if not personal:
        return DataClass.GENERAL
    for data_class, rule in _RULES.items():
        if rule == masking and data_class.personal:
            return data_class
    return DataClass.PERSONAL_OTHER
