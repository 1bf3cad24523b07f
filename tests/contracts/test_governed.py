"""The governor set of MemberRegistry, EvidenceLedger, FederationLedger and RecordStore."""

from __future__ import annotations

import pytest

from .contract_helpers import ZERO_ADDRESS, only_event

GOVERNED = ("MemberRegistry", "EvidenceLedger", "FederationLedger", "RecordStore")


@pytest.fixture(params=GOVERNED)
def governed(request, chain, office):
    return request.param, chain.deploy(request.param, sender=office)


def test_the_deployer_is_the_first_governor(chain, office, governed):
    _name, contract = governed
    assert chain.call(contract, "isGovernor", office.hex) is True
    assert chain.call(contract, "governorCount") == 1
    assert chain.call(contract, "isGovernor", chain.new_account().hex) is False


def test_governors_add_and_remove_governors(chain, reject, office, governed):
    name, contract = governed
    deputy = chain.new_account()
    added = chain.transact(contract, "addGovernor", deputy.hex, sender=office)
    assert only_event(added, "GovernorAdded") == {"account": deputy.hex, "by": office.hex}
    assert chain.call(contract, "governorCount") == 2

    removed = chain.transact(contract, "removeGovernor", office.hex, sender=deputy)
    assert only_event(removed, "GovernorRemoved") == {"account": office.hex, "by": deputy.hex}
    assert chain.call(contract, "isGovernor", office.hex) is False
    assert chain.call(contract, "governorCount") == 1
    with reject(f"{name}: caller is not a governor"):
        chain.transact(contract, "addGovernor", office.hex, sender=office)


def test_governor_set_refusals(chain, reject, office, governed):
    name, contract = governed
    stranger = chain.new_account()
    with reject(f"{name}: cannot remove the last governor"):
        chain.transact(contract, "removeGovernor", office.hex, sender=office)
    with reject(f"{name}: account is already a governor"):
        chain.transact(contract, "addGovernor", office.hex, sender=office)
    with reject(f"{name}: account is the zero address"):
        chain.transact(contract, "addGovernor", ZERO_ADDRESS, sender=office)
    with reject(f"{name}: account is not a governor"):
        chain.transact(contract, "removeGovernor", stranger.hex, sender=office)
    for function in ("addGovernor", "removeGovernor"):
        with reject(f"{name}: caller is not a governor"):
            chain.transact(contract, function, stranger.hex, sender=stranger)
