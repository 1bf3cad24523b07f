"""Fixtures for the contract tests: a devnode serving HTTP, the client, the alliance contracts.

One devnode (SM2/SM3, like a guomi FISCO BCOS 2.x chain) serves the whole session on a
loopback port; every test deploys fresh contracts, built by each pinned compiler in turn.
"""

from __future__ import annotations

import pytest

from gateway.chain.client import ChainClient
from gateway.chain.suite import SM_SUITE
from gateway.chain.transport.http import HttpTransport
from gateway.devnode.testing import running_devnode

from .alliance_driver import AllianceChain
from .contract_helpers import (
    BUILDS,
    MEMBER_ACTIVE,
    MEMBER_APPLIED,
    MEMBER_REVOKED,
    MEMBER_SUSPENDED,
    ROLE_CONSUMER,
    ROLE_PROVIDER,
    b32,
    refused,
)


@pytest.fixture(scope="session")
def devnode_url(tmp_path_factory):
    """A guomi devnode over HTTP; short block interval so a test waits milliseconds per block."""
    data_dir = tmp_path_factory.mktemp("devnode")
    with running_devnode(data_dir, suite="sm", block_interval=0.002) as (url, _node):
        yield url


@pytest.fixture(scope="session")
def chain_client(devnode_url):
    return ChainClient(
        HttpTransport(devnode_url), SM_SUITE, group_id=1, chain_id=1, poll_interval=0.002
    )


@pytest.fixture(params=BUILDS)
def chain(request, chain_client):
    return AllianceChain(chain_client, request.param)


@pytest.fixture
def reject(chain):
    """``with reject("Contract: reason"):`` expects exactly that revert reason."""
    return lambda reason: refused(chain.reverted_error, reason)


@pytest.fixture
def office(chain):
    """The government affairs office's governance account (deploys everything)."""
    return chain.new_account()


@pytest.fixture
def registry(chain, office):
    return chain.deploy("MemberRegistry", sender=office)


@pytest.fixture
def enrol(chain, registry, office):
    """Register a member department and take it to ``status``; returns its account."""

    def enrol(code, roles=ROLE_PROVIDER | ROLE_CONSUMER, status=MEMBER_ACTIVE):
        account = chain.new_account()
        chain.transact(
            registry,
            "registerApplication",
            b32(code),
            f"{code} 部门",
            account.public_key,
            account.hex,
            roles,
            sender=office,
        )
        if status != MEMBER_APPLIED and status != MEMBER_REVOKED:
            chain.transact(registry, "approve", b32(code), "", sender=office)
        if status == MEMBER_SUSPENDED:
            chain.transact(registry, "suspend", b32(code), "", sender=office)
        if status == MEMBER_REVOKED:
            chain.transact(registry, "revoke", b32(code), "", sender=office)
        return account

    return enrol


@pytest.fixture
def catalog(chain, registry, office):
    return chain.deploy("DataCatalog", registry.address, sender=office)


@pytest.fixture
def grants(chain, registry, catalog, office):
    return chain.deploy("AccessGrants", registry.address, catalog.address, sender=office)


@pytest.fixture
def ledger(chain, office):
    return chain.deploy("EvidenceLedger", sender=office)


@pytest.fixture
def federation(chain, office):
    return chain.deploy("FederationLedger", sender=office)


@pytest.fixture
def records(chain, office):
    return chain.deploy("RecordStore", sender=office)


@pytest.fixture
def supervision(chain, registry, office):
    return chain.deploy("Supervision", registry.address, sender=office)
