"""The membership service's rules, with fakes for the chain, the index and credentials."""

from __future__ import annotations

import pytest

from gateway.members.errors import IllegalTransition, InvalidMember, MemberExists, MemberNotFound
from gateway.members.model import MemberProfile, MemberStatus, Role, check_credit_code
from gateway.members.service import MembershipService

from .fakes import FakeCredentials, FakeIndex, FakeKeys, FakeLedger

PROFILE = MemberProfile(
    code="NRD",
    name_zh="省自然资源厅",
    name_en="Natural Resources",
    credit_code="11320000011904537R",
    roles=Role.PROVIDER | Role.CONSUMER,
)


@pytest.fixture
def service() -> MembershipService:
    return MembershipService(FakeIndex(), FakeLedger(), FakeCredentials(), FakeKeys())


def test_full_lifecycle(service: MembershipService) -> None:
    applied = service.apply(PROFILE, None, "office")
    assert applied.status is MemberStatus.APPLIED
    assert applied.public_key == "01" * 64
    member, credentials = service.approve("NRD", "office")
    assert member.status is MemberStatus.ACTIVE
    assert credentials.client_id == "nrd-1"
    assert service.suspend("NRD", "office", "audit").status is MemberStatus.SUSPENDED
    assert service.credentials.killed == ["NRD"]  # type: ignore[attr-defined]
    assert service.reinstate("NRD", "office").status is MemberStatus.ACTIVE
    assert service.revoke("NRD", "office", "left the alliance").status is MemberStatus.REVOKED
    assert service.credentials.withdrawn == ["NRD"]  # type: ignore[attr-defined]
    steps = [(e.action, e.from_status, e.to_status) for e in service.history("NRD")]
    assert steps == [
        ("apply", None, "applied"),
        ("approve", "applied", "active"),
        ("suspend", "active", "suspended"),
        ("reinstate", "suspended", "active"),
        ("revoke", "active", "revoked"),
    ]
    assert all(e.tx_hash and e.actor == "office" for e in service.history("NRD"))


@pytest.mark.parametrize(
    ("setup", "action"),
    [
        ([], "suspend"),
        ([], "reinstate"),
        (["approve"], "approve"),
        (["approve"], "reinstate"),
        (["approve", "revoke"], "approve"),
        (["approve", "revoke"], "revoke"),
        (["approve", "suspend"], "suspend"),
    ],
)
def test_illegal_transitions_are_refused_before_the_chain(
    service: MembershipService, setup: list[str], action: str
) -> None:
    service.apply(PROFILE, None, "office")
    for step in setup:
        getattr(service, step)("NRD", "office", "r")
    before = service.ledger.read("NRD")
    with pytest.raises(IllegalTransition) as raised:
        getattr(service, action)("NRD", "office", "r")
    assert raised.value.status == 409
    assert service.ledger.read("NRD") == before


def test_bringing_ones_own_key(service: MembershipService) -> None:
    member = service.apply(PROFILE, b"\x07" * 64, "office")
    assert member.public_key == "07" * 64
    assert service.keys.generated == []  # type: ignore[attr-defined]


def test_duplicate_and_unknown_members(service: MembershipService) -> None:
    service.apply(PROFILE, None, "office")
    with pytest.raises(MemberExists):
        service.apply(PROFILE, None, "office")
    with pytest.raises(MemberNotFound):
        service.approve("XYZ", "office")


def test_key_rotation_keeps_history_and_refuses_revoked(service: MembershipService) -> None:
    service.apply(PROFILE, None, "office")
    service.approve("NRD", "office")
    rotated = service.rotate_key("NRD", b"\x09" * 64, "office")
    assert rotated.public_key == "09" * 64
    assert rotated.key_history == ("01" * 64,)
    assert service.ledger.read("NRD").public_key == b"\x09" * 64  # type: ignore[union-attr]
    service.revoke("NRD", "office", "gone")
    with pytest.raises(IllegalTransition):
        service.rotate_key("NRD", None, "office")


def test_sync_rebuilds_the_index_from_the_chain(service: MembershipService) -> None:
    service.apply(PROFILE, None, "office")
    service.approve("NRD", "office")
    service.ledger.transition("NRD", "suspend", "done behind the gateway's back")
    service.index.members.clear()  # type: ignore[attr-defined]
    report = service.sync()
    assert report.added == ["NRD"]
    assert service.get("NRD").status is MemberStatus.SUSPENDED
    assert service.sync().unchanged == ["NRD"]


@pytest.mark.parametrize("code", ["11320000011904537R", "113200000134186614"])
def test_valid_credit_codes(code: str) -> None:
    assert check_credit_code(code) == code


@pytest.mark.parametrize("code", ["11320000011904537X", "1132000001190453", "I1320000011904537R"])
def test_invalid_credit_codes(code: str) -> None:
    with pytest.raises(InvalidMember):
        check_credit_code(code)


def test_profile_validation() -> None:
    with pytest.raises(InvalidMember):
        MemberProfile("nrd", "x", "", "", Role.PROVIDER)
    with pytest.raises(InvalidMember):
        Role.parse(["janitor"])
