"""Catalogue entries (数据资源目录), their field definitions, versions and sharing classes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any

from gateway.privacy.classes import LEGACY_RULES, DataClass


class SharingClass(Enum):
    """国发〔2016〕51号 / GB/T 38664 sharing classes; ``chain_value`` as DataCatalog stores it."""

    UNCONDITIONAL = "unconditional"  # 无条件共享
    CONDITIONAL = "conditional"  # 有条件共享
    NOT_SHARED = "not_shared"  # 不予共享

    @property
    def chain_value(self) -> int:
        return list(SharingClass).index(self)

    @property
    def label_zh(self) -> str:
        return {
            "unconditional": "无条件共享",
            "conditional": "有条件共享",
            "not_shared": "不予共享",
        }[self.value]


class EntryStatus(Enum):
    PUBLISHED = "published"
    RETIRED = "retired"


FIELD_TYPES = ("string", "integer", "number", "boolean", "date")
MASKING_RULES = LEGACY_RULES


@dataclass(frozen=True)
class FieldSpec:
    """One field of an entry's answer. Its data class says what it carries; fields of a
    personal class are masked unless a grant allows them in clear (docs/broker.md)."""

    name: str
    type: str
    description: str = ""
    data_class: DataClass = DataClass.GENERAL

    @property
    def personal(self) -> bool:
        return self.data_class.personal

    @property
    def masking(self) -> str:
        return self.data_class.rule

    def document(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "description": self.description,
            "data_class": self.data_class.value,
        }


@dataclass(frozen=True)
class ParameterSpec:
    """One query parameter the provider's service takes."""

    name: str
    type: str
    description: str = ""
    required: bool = True
    personal: bool = False


UPSTREAM_CONNECTOR = "upstream"
"""The connector of an entry mirrored from the parent gateway: queries go up to the parent."""
NODE_SEPARATOR = ":"


@dataclass(frozen=True)
class ServiceBinding:
    """Which provider connector answers the entry, and where (for ``upstream``, the path of the
    parent's query route)."""

    connector: str
    path: str

    @property
    def upstream(self) -> bool:
        return self.connector == UPSTREAM_CONNECTOR


@dataclass(frozen=True)
class EntrySpec:
    """What a provider declares when publishing or revising an entry."""

    id: str
    provider: str
    name: str
    name_en: str
    description: str
    sharing_class: SharingClass
    update_frequency: str
    service: ServiceBinding
    parameters: tuple[ParameterSpec, ...]
    fields: tuple[FieldSpec, ...]

    @property
    def mirrored(self) -> bool:
        """A parent's entry, answered through the parent (docs/federation.md)."""
        return self.service.upstream or NODE_SEPARATOR in self.id

    def field(self, name: str) -> FieldSpec | None:
        return next((spec for spec in self.fields if spec.name == name), None)

    def document(self) -> dict[str, Any]:
        """The entry as JSON; its canonical form is what a version hash commits to."""
        return {
            "id": self.id,
            "provider": self.provider,
            "name": self.name,
            "name_en": self.name_en,
            "description": self.description,
            "sharing_class": self.sharing_class.value,
            "update_frequency": self.update_frequency,
            "service": {"connector": self.service.connector, "path": self.service.path},
            "parameters": [vars(p).copy() for p in self.parameters],
            "fields": [f.document() for f in self.fields],
        }


@dataclass(frozen=True)
class EntryVersion:
    number: int
    version_hash: str
    previous_hash: str
    tx_hash: str | None
    published_at: str
    published_by: str


@dataclass(frozen=True)
class Entry:
    spec: EntrySpec
    status: EntryStatus
    version: int
    version_hash: str
    previous_hash: str
    updated_at: str
    versions: tuple[EntryVersion, ...] = field(default=())

    @property
    def id(self) -> str:
        return self.spec.id


class GrantStatus(Enum):
    """AccessGrants states; ``chain_value`` as the contract stores them."""

    APPLIED = "applied"
    APPROVED = "approved"
    REJECTED = "rejected"
    REVOKED = "revoked"

    @property
    def chain_value(self) -> int:
        return list(GrantStatus).index(self) + 1


@dataclass(frozen=True)
class Grant:
    """A consumer's access to an entry for one administrative matter (事项)."""

    id: str
    entry_id: str
    consumer: str
    provider: str
    matter_code: str
    purpose: str
    requested_fields: tuple[str, ...]
    allowed_fields: tuple[str, ...]
    requested_expiry: datetime
    expires_at: datetime | None
    status: GrantStatus
    entry_version: str | None
    reason: str
    created_at: datetime
    updated_at: datetime
    last_tx_hash: str | None = None

    def usable_at(self, moment: datetime) -> bool:
        return (
            self.status is GrantStatus.APPROVED
            and self.expires_at is not None
            and moment < self.expires_at
        )
