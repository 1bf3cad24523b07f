"""DataCatalog: entries owned by their provider, hash-linked versions, publish and retire."""

from __future__ import annotations

import itertools

import pytest

from .contract_helpers import (
    ENTRY_NONE,
    ENTRY_PUBLISHED,
    ENTRY_RETIRED,
    MEMBER_REVOKED,
    MEMBER_SUSPENDED,
    ROLE_CONSUMER,
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
NRD = b32("NRD")


@pytest.fixture
def nrd(enrol):
    return enrol("NRD")


def publish(
    chain, catalog, sender, version="v0", entry=TITLE, provider=NRD, sharing=SHARING_CONDITIONAL
):
    return chain.transact(
        catalog, "publishEntry", entry, provider, sharing, digest(version), sender=sender
    )


def test_provider_publishes_its_entry_as_version_zero(chain, catalog, nrd):
    events = publish(chain, catalog, nrd)

    assert only_event(events, "EntryPublished") == {
        "entryId": TITLE,
        "provider": NRD,
        "versionHash": digest("v0"),
        "sharingClass": SHARING_CONDITIONAL,
        "by": nrd.hex,
    }
    provider, sharing, status, count, latest, _updated = chain.call(catalog, "getEntry", TITLE)
    assert (provider, sharing, status, count, latest) == (
        NRD,
        SHARING_CONDITIONAL,
        ENTRY_PUBLISHED,
        1,
        digest("v0"),
    )
    version_hash, previous, version_sharing, _at, publisher = chain.call(
        catalog, "getVersion", TITLE, 0
    )
    assert (version_hash, previous, version_sharing, publisher) == (
        digest("v0"),
        ZERO32,
        SHARING_CONDITIONAL,
        nrd.hex,
    )
    assert chain.call(catalog, "entryCount") == 1
    assert chain.call(catalog, "entryIdAt", 0) == TITLE


def test_the_office_publishes_for_an_active_provider(chain, catalog, office, nrd):
    events = publish(chain, catalog, office)
    assert only_event(events, "EntryPublished")["by"] == office.hex
    assert chain.call(catalog, "providerOf", TITLE) == NRD


def test_versions_are_hash_linked(chain, catalog, nrd):
    publish(chain, catalog, nrd, "v0")
    for number in range(1, 4):
        previous = digest(f"v{number - 1}")
        events = chain.transact(
            catalog,
            "reviseEntry",
            TITLE,
            digest(f"v{number}"),
            previous,
            SHARING_CONDITIONAL,
            sender=nrd,
        )
        assert only_event(events, "EntryRevised") == {
            "entryId": TITLE,
            "versionHash": digest(f"v{number}"),
            "previousHash": previous,
            "version": number,
            "sharingClass": SHARING_CONDITIONAL,
            "by": nrd.hex,
        }

    count = chain.call(catalog, "getEntry", TITLE)[3]
    assert count == 4
    chain_of_hashes = [chain.call(catalog, "getVersion", TITLE, index) for index in range(count)]
    assert chain_of_hashes[0][1] == ZERO32
    for earlier, later in itertools.pairwise(chain_of_hashes):
        assert later[1] == earlier[0]
    assert chain.call(catalog, "latestVersionHash", TITLE) == digest("v3")
    assert chain.call(catalog, "versionByHash", digest("v2")) == (TITLE, 2)


def test_a_revision_must_cite_the_latest_version(chain, reject, catalog, nrd):
    publish(chain, catalog, nrd, "v0")
    chain.transact(catalog, "reviseEntry", TITLE, digest("v1"), digest("v0"), 1, sender=nrd)
    for stale in (digest("v0"), ZERO32, digest("unrelated")):
        with reject("DataCatalog: previous hash is not the latest version"):
            chain.transact(catalog, "reviseEntry", TITLE, digest("v2"), stale, 1, sender=nrd)
    with reject("DataCatalog: version hash already recorded"):
        chain.transact(catalog, "reviseEntry", TITLE, digest("v0"), digest("v1"), 1, sender=nrd)
    with reject("DataCatalog: version hash is empty"):
        chain.transact(catalog, "reviseEntry", TITLE, ZERO32, digest("v1"), 1, sender=nrd)


def test_a_revision_can_change_the_sharing_class(chain, catalog, nrd):
    publish(chain, catalog, nrd, "v0", sharing=SHARING_UNCONDITIONAL)
    chain.transact(
        catalog, "reviseEntry", TITLE, digest("v1"), digest("v0"), SHARING_NOT_SHARED, sender=nrd
    )
    assert chain.call(catalog, "sharingClassOf", TITLE) == SHARING_NOT_SHARED
    assert chain.call(catalog, "getVersion", TITLE, 0)[2] == SHARING_UNCONDITIONAL


def test_only_the_owner_or_the_office_changes_an_entry(chain, reject, catalog, enrol, nrd):
    tax = enrol("TAX")
    outsider = chain.new_account()
    publish(chain, catalog, nrd, "v0")
    revise = ("reviseEntry", TITLE, digest("v1"), digest("v0"), SHARING_CONDITIONAL)
    retire = ("retireEntry", TITLE, "")
    for function, *args in (revise, retire):
        with reject("DataCatalog: caller is not the entry's provider"):
            chain.transact(catalog, function, *args, sender=tax)
        with reject("DataCatalog: caller is not a member or governor"):
            chain.transact(catalog, function, *args, sender=outsider)
    with reject("DataCatalog: caller is not the entry's provider"):
        publish(chain, catalog, tax, "other", entry=b32("NRD-OTHER"))
    with reject("DataCatalog: caller is not a member or governor"):
        publish(chain, catalog, outsider, "other", entry=b32("NRD-OTHER"))


def test_inactive_providers_cannot_change_entries(chain, reject, catalog, registry, office, nrd):
    publish(chain, catalog, nrd, "v0")
    chain.transact(registry, "suspend", NRD, "audit", sender=office)
    with reject("DataCatalog: caller is not an active member"):
        chain.transact(catalog, "reviseEntry", TITLE, digest("v1"), digest("v0"), 1, sender=nrd)
    with reject("DataCatalog: caller is not an active member"):
        chain.transact(catalog, "retireEntry", TITLE, "", sender=nrd)
    with reject("DataCatalog: caller is not an active member"):
        publish(chain, catalog, nrd, "other", entry=b32("NRD-OTHER"))
    with reject("DataCatalog: provider is not an active member"):
        chain.transact(catalog, "reviseEntry", TITLE, digest("v1"), digest("v0"), 1, sender=office)


@pytest.mark.parametrize("status", [MEMBER_SUSPENDED, MEMBER_REVOKED])
def test_the_office_cannot_publish_for_an_inactive_provider(
    chain, reject, catalog, enrol, office, status
):
    enrol("HUD", status=status)
    with reject("DataCatalog: provider is not an active member"):
        publish(chain, catalog, office, provider=b32("HUD"))


def test_publishing_needs_the_provider_role(chain, reject, catalog, enrol, office):
    consumer = enrol("CIV", roles=ROLE_CONSUMER)
    with reject("DataCatalog: member lacks the provider role"):
        publish(chain, catalog, consumer, provider=b32("CIV"))
    with reject("DataCatalog: member lacks the provider role"):
        publish(chain, catalog, office, provider=b32("CIV"))


@pytest.mark.parametrize(
    ("entry", "sharing", "version", "reason"),
    [
        (ZERO32, SHARING_CONDITIONAL, "v", "DataCatalog: entry id is empty"),
        (b32("NEW"), 3, "v", "DataCatalog: invalid sharing class"),
        (b32("NEW"), SHARING_CONDITIONAL, "", "DataCatalog: version hash is empty"),
        (TITLE, SHARING_CONDITIONAL, "v", "DataCatalog: entry already exists"),
        (b32("NEW"), SHARING_CONDITIONAL, "v0", "DataCatalog: version hash already recorded"),
    ],
)
def test_invalid_publications_are_refused(
    chain, reject, catalog, nrd, entry, sharing, version, reason
):
    publish(chain, catalog, nrd, "v0")
    version_hash = digest(version) if version else ZERO32
    with reject(reason):
        chain.transact(catalog, "publishEntry", entry, NRD, sharing, version_hash, sender=nrd)


def test_retirement_is_final(chain, reject, catalog, nrd):
    publish(chain, catalog, nrd, "v0")
    events = chain.transact(catalog, "retireEntry", TITLE, "superseded", sender=nrd)
    assert only_event(events, "EntryRetired") == {
        "entryId": TITLE,
        "provider": NRD,
        "by": nrd.hex,
        "reason": "superseded",
    }
    assert chain.call(catalog, "statusOf", TITLE) == ENTRY_RETIRED
    with reject("DataCatalog: entry is retired"):
        chain.transact(catalog, "reviseEntry", TITLE, digest("v1"), digest("v0"), 1, sender=nrd)
    with reject("DataCatalog: entry is retired"):
        chain.transact(catalog, "retireEntry", TITLE, "", sender=nrd)


def test_the_office_retires_entries_of_a_revoked_provider(chain, catalog, registry, office, nrd):
    publish(chain, catalog, nrd, "v0")
    chain.transact(registry, "revoke", NRD, "left the alliance", sender=office)
    chain.transact(catalog, "retireEntry", TITLE, "provider revoked", sender=office)
    assert chain.call(catalog, "statusOf", TITLE) == ENTRY_RETIRED


def test_unknown_entries(chain, reject, catalog, nrd):
    assert chain.call(catalog, "statusOf", TITLE) == ENTRY_NONE
    for function, *args in (
        ("getEntry", TITLE),
        ("getVersion", TITLE, 0),
        ("latestVersionHash", TITLE),
        ("sharingClassOf", TITLE),
    ):
        with reject("DataCatalog: unknown entry"):
            chain.call(catalog, function, *args)
    for function, *args in (
        ("reviseEntry", TITLE, digest("v1"), digest("v0"), 1),
        ("retireEntry", TITLE, ""),
    ):
        with reject("DataCatalog: unknown entry"):
            chain.transact(catalog, function, *args, sender=nrd)
    with reject("DataCatalog: unknown version hash"):
        chain.call(catalog, "versionByHash", digest("v0"))
    publish(chain, catalog, nrd, "v0")
    with reject("DataCatalog: version out of range"):
        chain.call(catalog, "getVersion", TITLE, 1)
    with reject("DataCatalog: index out of range"):
        chain.call(catalog, "entryIdAt", 1)


def test_the_catalogue_needs_a_registry(chain, reject, office):
    with reject("DataCatalog: registry is the zero address"):
        chain.deploy("DataCatalog", ZERO_ADDRESS, sender=office)
