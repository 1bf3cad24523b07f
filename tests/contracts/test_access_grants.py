"""AccessGrants: applications, approval or rejection by the provider or office, revocation."""

from __future__ import annotations

import pytest

from .contract_helpers import (
    FAR_FUTURE,
    GRANT_APPLIED,
    GRANT_APPROVED,
    GRANT_NONE,
    GRANT_REJECTED,
    GRANT_REVOKED,
    ROLE_PROVIDER,
    SHARING_CONDITIONAL,
    SHARING_NOT_SHARED,
    SHARING_UNCONDITIONAL,
    ZERO32,
    ZERO_ADDRESS,
    b32,
    digest,
    only_event,
)

TITLE = b32("NRD-TITLE-INQUIRY")
GRANT = b32("GRANT-0001")
TRANSFER = b32("MATTER-BDC-ZYDJ")  # 不动产转移登记
FIELDS = [b32("bdcdyh"), b32("zl"), b32("mj"), b32("qlr_name")]
NRD, TAX = b32("NRD"), b32("TAX")
EXPIRY = FAR_FUTURE


@pytest.fixture
def nrd(enrol):
    return enrol("NRD")


@pytest.fixture
def tax(enrol):
    return enrol("TAX")


@pytest.fixture
def entry(chain, catalog, nrd):
    chain.transact(
        catalog, "publishEntry", TITLE, NRD, SHARING_CONDITIONAL, digest("v0"), sender=nrd
    )
    return TITLE


def apply_grant(
    chain, grants, sender, grant=GRANT, entry=TITLE, consumer=TAX, fields=FIELDS, expiry=EXPIRY
):
    return chain.transact(
        grants,
        "applyForAccess",
        grant,
        entry,
        consumer,
        TRANSFER,
        "契税征收核验",
        fields,
        expiry,
        sender=sender,
    )


@pytest.fixture
def applied(chain, grants, entry, tax):
    apply_grant(chain, grants, tax)
    return GRANT


@pytest.fixture
def approved(chain, grants, applied, nrd):
    chain.transact(grants, "approveGrant", GRANT, FIELDS[:3], EXPIRY - 1, sender=nrd)
    return GRANT


def test_consumer_applies_for_an_entry(chain, grants, entry, tax):
    events = apply_grant(chain, grants, tax)

    assert only_event(events, "GrantApplied") == {
        "grantId": GRANT,
        "entryId": TITLE,
        "consumer": TAX,
        "matterCode": TRANSFER,
        "requestedExpiry": EXPIRY,
        "by": tax.hex,
    }
    assert chain.call(grants, "getGrant", GRANT) == (
        TITLE,
        TAX,
        TRANSFER,
        "契税征收核验",
        GRANT_APPLIED,
        EXPIRY,
        ZERO32,
    )
    assert list(chain.call(grants, "requestedFields", GRANT)) == FIELDS
    assert list(chain.call(grants, "allowedFields", GRANT)) == []
    assert chain.call(grants, "isUsable", GRANT) is False
    assert chain.call(grants, "grantCount") == 1
    assert chain.call(grants, "grantIdAt", 0) == GRANT


def test_provider_approves_a_subset_of_fields(chain, grants, applied, nrd):
    events = chain.transact(grants, "approveGrant", GRANT, FIELDS[:3], EXPIRY - 1, sender=nrd)

    assert only_event(events, "GrantApproved") == {
        "grantId": GRANT,
        "entryId": TITLE,
        "consumer": TAX,
        "entryVersion": digest("v0"),
        "expiresAt": EXPIRY - 1,
        "by": nrd.hex,
    }
    assert chain.call(grants, "statusOf", GRANT) == GRANT_APPROVED
    assert list(chain.call(grants, "allowedFields", GRANT)) == FIELDS[:3]
    assert chain.call(grants, "getGrant", GRANT)[5:] == (EXPIRY - 1, digest("v0"))
    assert chain.call(grants, "isUsable", GRANT) is True
    assert chain.call(grants, "isFieldAllowed", GRANT, b32("zl")) is True
    assert chain.call(grants, "isFieldAllowed", GRANT, b32("qlr_name")) is False


def test_the_office_approves_and_applies_on_behalf(chain, grants, entry, office, tax):
    apply_grant(chain, grants, office)
    events = chain.transact(grants, "approveGrant", GRANT, FIELDS, EXPIRY, sender=office)
    assert only_event(events, "GrantApproved")["by"] == office.hex
    assert chain.call(grants, "isUsable", GRANT) is True


def test_unconditional_entries_can_be_granted(chain, grants, catalog, nrd, tax):
    open_entry = b32("NRD-OPEN")
    chain.transact(
        catalog, "publishEntry", open_entry, NRD, SHARING_UNCONDITIONAL, digest("o"), sender=nrd
    )
    apply_grant(chain, grants, tax, entry=open_entry)
    assert chain.call(grants, "statusOf", GRANT) == GRANT_APPLIED


@pytest.mark.parametrize("rejecter", ["provider", "office"])
def test_rejection_by_provider_or_office(chain, reject, grants, applied, nrd, office, rejecter):
    sender = nrd if rejecter == "provider" else office
    events = chain.transact(grants, "rejectGrant", GRANT, "事项不符", sender=sender)
    assert only_event(events, "GrantRejected") == {
        "grantId": GRANT,
        "by": sender.hex,
        "reason": "事项不符",
    }
    assert chain.call(grants, "statusOf", GRANT) == GRANT_REJECTED
    with reject("AccessGrants: grant is not applied"):
        chain.transact(grants, "approveGrant", GRANT, FIELDS, EXPIRY, sender=nrd)
    with reject("AccessGrants: grant is not approved"):
        chain.transact(grants, "revokeGrant", GRANT, "", sender=office)


@pytest.mark.parametrize("revoker", ["provider", "consumer", "office"])
def test_revocation_ends_the_grant(chain, reject, grants, approved, nrd, tax, office, revoker):
    sender = {"provider": nrd, "consumer": tax, "office": office}[revoker]
    events = chain.transact(grants, "revokeGrant", GRANT, "no longer needed", sender=sender)
    assert only_event(events, "GrantRevoked") == {
        "grantId": GRANT,
        "by": sender.hex,
        "reason": "no longer needed",
    }
    assert chain.call(grants, "statusOf", GRANT) == GRANT_REVOKED
    assert chain.call(grants, "isUsable", GRANT) is False
    assert chain.call(grants, "isFieldAllowed", GRANT, b32("zl")) is False
    with reject("AccessGrants: grant is not approved"):
        chain.transact(grants, "revokeGrant", GRANT, "", sender=office)


def test_a_grant_stops_being_usable_when_its_parties_or_entry_change(
    chain, grants, catalog, registry, approved, office, nrd
):
    chain.transact(registry, "suspend", TAX, "", sender=office)
    assert chain.call(grants, "isUsable", GRANT) is False
    chain.transact(registry, "reinstate", TAX, "", sender=office)
    assert chain.call(grants, "isUsable", GRANT) is True
    chain.transact(registry, "suspend", NRD, "", sender=office)
    assert chain.call(grants, "isUsable", GRANT) is False
    chain.transact(registry, "reinstate", NRD, "", sender=office)
    chain.transact(
        catalog, "reviseEntry", TITLE, digest("v1"), digest("v0"), SHARING_NOT_SHARED, sender=nrd
    )
    assert chain.call(grants, "isUsable", GRANT) is False
    chain.transact(
        catalog, "reviseEntry", TITLE, digest("v2"), digest("v1"), SHARING_CONDITIONAL, sender=nrd
    )
    assert chain.call(grants, "isUsable", GRANT) is True
    chain.transact(catalog, "retireEntry", TITLE, "", sender=nrd)
    assert chain.call(grants, "isUsable", GRANT) is False


def test_entries_not_shared_cannot_be_applied_for(chain, reject, grants, catalog, nrd, tax):
    closed = b32("NRD-CLOSED")
    chain.transact(
        catalog, "publishEntry", closed, NRD, SHARING_NOT_SHARED, digest("c"), sender=nrd
    )
    with reject("AccessGrants: entry is not shared"):
        apply_grant(chain, grants, tax, entry=closed)


def test_entries_that_are_unknown_or_retired_cannot_be_applied_for(
    chain, reject, grants, catalog, entry, nrd, tax
):
    with reject("AccessGrants: unknown entry"):
        apply_grant(chain, grants, tax, entry=b32("NOPE"))
    chain.transact(catalog, "retireEntry", TITLE, "", sender=nrd)
    with reject("AccessGrants: entry is retired"):
        apply_grant(chain, grants, tax)


def test_approval_rechecks_the_entry(chain, reject, grants, catalog, applied, nrd):
    chain.transact(
        catalog, "reviseEntry", TITLE, digest("v1"), digest("v0"), SHARING_NOT_SHARED, sender=nrd
    )
    with reject("AccessGrants: entry is not shared"):
        chain.transact(grants, "approveGrant", GRANT, FIELDS, EXPIRY, sender=nrd)


def test_who_may_apply(chain, reject, grants, registry, entry, enrol, office, nrd, tax):
    outsider = chain.new_account()
    with reject("AccessGrants: caller is not a member or governor"):
        apply_grant(chain, grants, outsider)
    with reject("AccessGrants: caller is not the consumer"):
        apply_grant(chain, grants, nrd)
    enrol("HUD", roles=ROLE_PROVIDER)
    with reject("AccessGrants: member lacks the consumer role"):
        apply_grant(chain, grants, office, consumer=b32("HUD"))
    chain.transact(registry, "suspend", TAX, "", sender=office)
    with reject("AccessGrants: caller is not an active member"):
        apply_grant(chain, grants, tax)
    with reject("AccessGrants: consumer is not an active member"):
        apply_grant(chain, grants, office)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"grant": ZERO32}, "AccessGrants: grant id is empty"),
        ({"grant": GRANT}, "AccessGrants: grant already exists"),
        ({"fields": []}, "AccessGrants: no fields requested"),
        ({"expiry": 1}, "AccessGrants: expiry is not in the future"),
    ],
)
def test_invalid_applications_are_refused(chain, reject, grants, applied, tax, change, reason):
    arguments = {"grant": b32("GRANT-0002")} | change
    with reject(reason):
        apply_grant(chain, grants, tax, **arguments)


def test_empty_purpose_and_matter_are_refused(chain, reject, grants, entry, tax):
    with reject("AccessGrants: purpose is empty"):
        chain.transact(
            grants, "applyForAccess", GRANT, TITLE, TAX, TRANSFER, "", FIELDS, EXPIRY, sender=tax
        )
    with reject("AccessGrants: matter code is empty"):
        chain.transact(
            grants, "applyForAccess", GRANT, TITLE, TAX, ZERO32, "核验", FIELDS, EXPIRY, sender=tax
        )


def test_who_may_decide(chain, reject, grants, registry, applied, enrol, office, nrd, tax):
    outsider = chain.new_account()
    for function, *args in (("approveGrant", GRANT, FIELDS, EXPIRY), ("rejectGrant", GRANT, "")):
        with reject("AccessGrants: caller is not the entry's provider"):
            chain.transact(grants, function, *args, sender=tax)
        with reject("AccessGrants: caller is not a member or governor"):
            chain.transact(grants, function, *args, sender=outsider)
    chain.transact(registry, "suspend", NRD, "", sender=office)
    with reject("AccessGrants: caller is not an active member"):
        chain.transact(grants, "approveGrant", GRANT, FIELDS, EXPIRY, sender=nrd)


def test_approval_cannot_widen_the_application(
    chain, reject, grants, registry, applied, office, nrd
):
    with reject("AccessGrants: field was not requested"):
        chain.transact(
            grants, "approveGrant", GRANT, [b32("zl"), b32("id_number")], EXPIRY, sender=nrd
        )
    with reject("AccessGrants: expiry is later than requested"):
        chain.transact(grants, "approveGrant", GRANT, FIELDS, EXPIRY + 1, sender=nrd)
    with reject("AccessGrants: expiry is not in the future"):
        chain.transact(grants, "approveGrant", GRANT, FIELDS, 1, sender=nrd)
    with reject("AccessGrants: no fields allowed"):
        chain.transact(grants, "approveGrant", GRANT, [], EXPIRY, sender=nrd)
    chain.transact(registry, "suspend", TAX, "", sender=office)
    with reject("AccessGrants: consumer is not an active member"):
        chain.transact(grants, "approveGrant", GRANT, FIELDS, EXPIRY, sender=nrd)


def test_who_may_revoke(chain, reject, grants, registry, approved, enrol, office, tax):
    civ = enrol("CIV")
    with reject("AccessGrants: caller is neither the provider nor the consumer"):
        chain.transact(grants, "revokeGrant", GRANT, "", sender=civ)
    with reject("AccessGrants: caller is not a member or governor"):
        chain.transact(grants, "revokeGrant", GRANT, "", sender=chain.new_account())
    chain.transact(registry, "suspend", TAX, "", sender=office)
    with reject("AccessGrants: caller is not an active member"):
        chain.transact(grants, "revokeGrant", GRANT, "", sender=tax)
    chain.transact(grants, "revokeGrant", GRANT, "consumer suspended", sender=office)


def test_unknown_grants(chain, reject, grants, nrd):
    assert chain.call(grants, "statusOf", GRANT) == GRANT_NONE
    assert chain.call(grants, "isUsable", GRANT) is False
    for function in ("getGrant", "requestedFields", "allowedFields"):
        with reject("AccessGrants: unknown grant"):
            chain.call(grants, function, GRANT)
    for function, *args in (
        ("approveGrant", GRANT, FIELDS, EXPIRY),
        ("rejectGrant", GRANT, ""),
        ("revokeGrant", GRANT, ""),
    ):
        with reject("AccessGrants: unknown grant"):
            chain.transact(grants, function, *args, sender=nrd)
    with reject("AccessGrants: index out of range"):
        chain.call(grants, "grantIdAt", 0)


def test_grants_need_a_registry_and_a_catalogue(chain, reject, registry, catalog, office):
    with reject("AccessGrants: registry is the zero address"):
        chain.deploy("AccessGrants", ZERO_ADDRESS, catalog.address, sender=office)
    with reject("AccessGrants: catalog is the zero address"):
        chain.deploy("AccessGrants", registry.address, ZERO_ADDRESS, sender=office)
