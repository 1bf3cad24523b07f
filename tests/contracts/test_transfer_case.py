"""TransferCase: a property transfer completes only with all four attestations standing."""

from __future__ import annotations

import time

import pytest

from .contract_helpers import (
    FAR_FUTURE,
    ZERO32,
    ZERO_ADDRESS,
    b32,
    digest,
    only_event,
)

CASE = b32("TC-2026-0001")
UNIT = b32("320102001001GB00001F00010001")
TAX_PAID, NO_SEIZURE, MARRIAGE_STATUS, CONTRACT_FILED = 1, 2, 3, 4
CASE_NONE, CASE_PENDING, CASE_COMPLETED = 0, 1, 2
ATTESTERS = {TAX_PAID: "TAX", NO_SEIZURE: "COURT", MARRIAGE_STATUS: "CIV", CONTRACT_FILED: "HUD"}
SIGNATURE = b"\x11" * 64
REG_NO = b32("BDC-2026-0000001")


@pytest.fixture
def members(enrol):
    return {code: enrol(code) for code in ("NRD", "TAX", "COURT", "CIV", "HUD", "PSB")}


@pytest.fixture
def transfers(chain, registry, office, members):
    return chain.deploy(
        "TransferCase",
        registry.address,
        b32("NRD"),
        b32("TAX"),
        b32("COURT"),
        b32("CIV"),
        b32("HUD"),
        sender=office,
    )


def open_case(chain, transfers, sender, case=CASE, deadline=FAR_FUTURE):
    return chain.transact(
        transfers,
        "openCase",
        case,
        UNIT,
        digest("title"),
        digest("seller"),
        digest("buyer"),
        digest("price"),
        deadline,
        sender=sender,
    )


def attest(chain, transfers, members, condition, satisfied=True, sender=None, case=CASE):
    account = sender or members[ATTESTERS[condition]]
    return chain.transact(
        transfers,
        "attest",
        case,
        condition,
        satisfied,
        digest(f"evidence-{condition}"),
        digest(f"attestation-{condition}"),
        SIGNATURE,
        sender=account,
    )


def complete(chain, transfers, members, case=CASE):
    return chain.transact(
        transfers,
        "complete",
        case,
        digest("buyer"),
        REG_NO,
        digest("e-certificate"),
        sender=members["NRD"],
    )


@pytest.fixture
def opened(chain, transfers, members):
    open_case(chain, transfers, members["NRD"])
    return CASE


def test_registrar_opens_a_pending_case(chain, transfers, members):
    events = open_case(chain, transfers, members["NRD"])
    opened = only_event(events, "CaseOpened")
    assert opened["caseId"] == CASE and opened["unitNumber"] == UNIT
    case = chain.call(transfers, "getCase", CASE)
    assert case[0] == UNIT and case[7] == CASE_PENDING
    assert chain.call(transfers, "pendingReason", CASE) == "tax payment is not attested"
    assert chain.call(transfers, "caseCount") == 1 and chain.call(transfers, "caseIdAt", 0) == CASE


def test_only_the_registrar_opens_cases(chain, transfers, members, reject):
    with reject("TransferCase: caller is not the registrar"):
        open_case(chain, transfers, members["TAX"])


def test_completes_only_after_all_four_attestations(chain, transfers, members, opened, reject):
    for condition in (TAX_PAID, NO_SEIZURE, MARRIAGE_STATUS):
        events = attest(chain, transfers, members, condition)
        recorded = only_event(events, "AttestationRecorded")
        assert recorded["member"] == b32(ATTESTERS[condition])
        assert recorded["signer"].lower() == members[ATTESTERS[condition]].hex
    assert chain.call(transfers, "pendingReason", CASE) == "housing contract filing is not attested"
    with reject("TransferCase: housing contract filing is not attested"):
        complete(chain, transfers, members)
    assert chain.call(transfers, "statusOf", CASE) == CASE_PENDING

    attest(chain, transfers, members, CONTRACT_FILED)
    assert chain.call(transfers, "pendingReason", CASE) == ""
    done = only_event(complete(chain, transfers, members), "TransferCompleted")
    assert done["registrationNumber"] == REG_NO and done["certificateHash"] == digest(
        "e-certificate"
    )
    assert chain.call(transfers, "statusOf", CASE) == CASE_COMPLETED
    owner, number, certificate, completed_at = chain.call(transfers, "getOutcome", CASE)
    assert (owner, number, certificate) == (digest("buyer"), REG_NO, digest("e-certificate"))
    assert completed_at > 0
    member, signer, satisfied, revoked, _at, evidence, att_digest, signature = chain.call(
        transfers, "getAttestation", CASE, TAX_PAID
    )
    assert member == b32("TAX") and signer.lower() == members["TAX"].hex
    assert satisfied and not revoked and evidence == digest("evidence-1")
    assert att_digest == digest("attestation-1") and signature == SIGNATURE
    with reject("TransferCase: case is completed"):
        attest(chain, transfers, members, TAX_PAID)


def test_an_attestation_from_another_account_is_refused(chain, transfers, members, opened, reject):
    """A forged attestation: the TAX condition sent from any account but TAX's own."""
    with reject("TransferCase: caller is not the condition's attester"):
        attest(chain, transfers, members, TAX_PAID, sender=members["PSB"])
    with reject("TransferCase: caller is not the condition's attester"):
        attest(chain, transfers, members, TAX_PAID, sender=chain.new_account())
    with reject("TransferCase: caller is not the condition's attester"):
        attest(chain, transfers, members, TAX_PAID, sender=members["COURT"])
    _member, signer, *_ = chain.call(transfers, "getAttestation", CASE, TAX_PAID)
    assert signer == "0x" + "00" * 20


def test_attestation_input_is_checked(chain, transfers, members, opened, reject):
    tax = members["TAX"]
    with reject("TransferCase: signature must be 64 bytes"):
        chain.transact(
            transfers, "attest", CASE, TAX_PAID, True, digest("e"), digest("d"), b"\x01" * 63,
            sender=tax,
        )  # fmt: skip
    with reject("TransferCase: evidence hash is empty"):
        chain.transact(
            transfers, "attest", CASE, TAX_PAID, True, ZERO32, digest("d"), SIGNATURE, sender=tax
        )
    with reject("TransferCase: unknown condition"):
        attest(chain, transfers, members, 5, sender=tax)
    with reject("TransferCase: unknown case"):
        attest(chain, transfers, members, TAX_PAID, case=b32("NOPE"))
    attest(chain, transfers, members, TAX_PAID)
    with reject("TransferCase: condition already attested"):
        attest(chain, transfers, members, TAX_PAID)


def test_a_revoked_attestation_keeps_the_case_pending(chain, transfers, members, opened, reject):
    for condition in ATTESTERS:
        attest(chain, transfers, members, condition)
    events = chain.transact(
        transfers, "revokeAttestation", CASE, NO_SEIZURE, "法院新立查封", sender=members["COURT"]
    )
    assert only_event(events, "AttestationRevoked")["reason"] == "法院新立查封"
    assert chain.call(transfers, "pendingReason", CASE) == "seizure check attestation was revoked"
    with reject("TransferCase: seizure check attestation was revoked"):
        complete(chain, transfers, members)
    with reject("TransferCase: caller is not the condition's attester"):
        chain.transact(transfers, "revokeAttestation", CASE, TAX_PAID, "", sender=members["NRD"])
    attest(chain, transfers, members, NO_SEIZURE)
    complete(chain, transfers, members)
    assert chain.call(transfers, "statusOf", CASE) == CASE_COMPLETED


def test_a_condition_attested_as_not_met_keeps_it_pending(
    chain, transfers, members, opened, reject
):
    for condition in ATTESTERS:
        attest(chain, transfers, members, condition, satisfied=condition != NO_SEIZURE)
    with reject("TransferCase: seizure check is attested as not met"):
        complete(chain, transfers, members)


def test_a_suspended_attester_keeps_it_pending(
    chain, transfers, registry, office, members, opened, reject
):
    for condition in ATTESTERS:
        attest(chain, transfers, members, condition)
    chain.transact(registry, "suspend", b32("CIV"), "", sender=office)
    assert chain.call(transfers, "pendingReason", CASE) == (
        "marriage status attester is not an active member"
    )
    with reject("TransferCase: marriage status attester is not an active member"):
        complete(chain, transfers, members)
    chain.transact(registry, "reinstate", b32("CIV"), "", sender=office)
    complete(chain, transfers, members)


def test_a_suspended_member_cannot_attest(
    chain, transfers, registry, office, members, opened, reject
):
    chain.transact(registry, "suspend", b32("TAX"), "", sender=office)
    with reject("TransferCase: caller is not an active member"):
        attest(chain, transfers, members, TAX_PAID)


def test_past_the_deadline_the_case_cannot_complete(chain, transfers, members, reject):
    now = chain.client.get_block(chain.client.block_number()).timestamp
    open_case(chain, transfers, members["NRD"], deadline=now + 1500)
    for condition in (TAX_PAID, NO_SEIZURE, MARRIAGE_STATUS):
        attest(chain, transfers, members, condition)
    time.sleep(1.6)
    assert chain.call(transfers, "pendingReason", CASE) == "deadline has passed"
    with reject("TransferCase: deadline has passed"):
        attest(chain, transfers, members, CONTRACT_FILED)
    with reject("TransferCase: deadline has passed"):
        complete(chain, transfers, members)
    with reject("TransferCase: deadline is not in the future"):
        open_case(chain, transfers, members["NRD"], case=b32("TC-2"), deadline=now)


def test_the_new_owner_must_be_the_buyer(chain, transfers, members, opened, reject):
    for condition in ATTESTERS:
        attest(chain, transfers, members, condition)
    with reject("TransferCase: new owner is not the buyer"):
        chain.transact(
            transfers, "complete", CASE, digest("someone"), REG_NO, digest("c"),
            sender=members["NRD"],
        )  # fmt: skip


def test_constructor_and_opening_input_is_checked(
    chain, transfers, registry, office, members, reject
):
    codes = [b32("NRD"), b32("TAX"), b32("COURT"), b32("CIV"), b32("HUD")]
    with reject("TransferCase: registry is the zero address"):
        chain.deploy("TransferCase", ZERO_ADDRESS, *codes, sender=office)
    with reject("TransferCase: member code is empty"):
        chain.deploy("TransferCase", registry.address, *codes[:4], ZERO32, sender=office)
    nrd = members["NRD"]
    parties = [digest("title"), digest("seller"), digest("buyer"), digest("price")]
    with reject("TransferCase: case id is empty"):
        chain.transact(transfers, "openCase", ZERO32, UNIT, *parties, FAR_FUTURE, sender=nrd)
    with reject("TransferCase: unit number is empty"):
        chain.transact(transfers, "openCase", CASE, ZERO32, *parties, FAR_FUTURE, sender=nrd)
    with reject("TransferCase: party digest is empty"):
        chain.transact(
            transfers, "openCase", CASE, UNIT, *parties[:3], ZERO32, FAR_FUTURE, sender=nrd
        )
    open_case(chain, transfers, nrd)
    with reject("TransferCase: case already exists"):
        open_case(chain, transfers, nrd)
    with reject("TransferCase: index out of range"):
        chain.call(transfers, "caseIdAt", 1)


def test_revoking_and_completing_input_is_checked(chain, transfers, members, opened, reject):
    with reject("TransferCase: condition is not attested"):
        chain.transact(transfers, "revokeAttestation", CASE, TAX_PAID, "", sender=members["TAX"])
    with reject("TransferCase: digest is empty"):
        chain.transact(
            transfers, "attest", CASE, TAX_PAID, True, digest("e"), ZERO32, SIGNATURE,
            sender=members["TAX"],
        )  # fmt: skip
    for condition in ATTESTERS:
        attest(chain, transfers, members, condition)
    nrd = members["NRD"]
    with reject("TransferCase: registration number is empty"):
        chain.transact(
            transfers, "complete", CASE, digest("buyer"), ZERO32, digest("c"), sender=nrd
        )
    with reject("TransferCase: certificate hash is empty"):
        chain.transact(transfers, "complete", CASE, digest("buyer"), REG_NO, ZERO32, sender=nrd)
    assert chain.call(transfers, "statusOf", CASE) == CASE_PENDING
