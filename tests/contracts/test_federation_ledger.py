"""FederationLedger: checkpoints of the gateways below this one, growing, each through one child."""

from __future__ import annotations

import pytest

from .contract_helpers import ZERO32, ZERO_ADDRESS, b32, digest, only_event

CITY = b32("NJ")  # a city gateway, a direct child of the province
COUNTY = b32("NJ-JN")  # a county below it, relayed by the city
OTHER_CITY = b32("SZ")
NOT_GROWING = "FederationLedger: tree size does not grow"
OTHER_CHILD = "FederationLedger: node is reached through another child"
NOT_A_GATEWAY = "FederationLedger: caller is not an authorised gateway"


@pytest.fixture
def gateway(chain, federation, office):
    account = chain.new_account()
    chain.transact(federation, "authoriseGateway", account.hex, sender=office)
    return account


@pytest.fixture
def signer(chain):
    """The child's checkpoint-signing key, known here only by its address."""
    return chain.new_account()


def code(node):
    return node.rstrip(b"\0").decode()


def anchor(chain, federation, gateway, node, via, size, signer, label=None):
    label = label or f"{code(node)}-{size}"
    return chain.transact(
        federation,
        "anchorCheckpoint",
        node,
        via,
        size,
        digest(f"root-{label}"),
        digest(f"document-{label}"),
        signer.hex,
        sender=gateway,
    )


def expected(node, size, signer, via):
    label = f"{code(node)}-{size}"
    return (size, digest(f"root-{label}"), digest(f"document-{label}"), signer.hex, via)


def test_a_direct_childs_checkpoints_grow(chain, federation, gateway, signer):
    sizes = (10, 25, 26)
    for index, size in enumerate(sizes):
        events = anchor(chain, federation, gateway, CITY, CITY, size, signer)
        assert only_event(events, "CheckpointAnchored") == {
            "node": CITY,
            "via": CITY,
            "index": index,
            "treeSize": size,
            "root": digest(f"root-NJ-{size}"),
            "document": digest(f"document-NJ-{size}"),
            "signer": signer.hex,
        }
    assert chain.call(federation, "checkpointCount", CITY) == len(sizes)
    times = []
    for index, size in enumerate(sizes):
        *checkpoint, anchored_at = chain.call(federation, "checkpointAt", CITY, index)
        assert tuple(checkpoint) == expected(CITY, size, signer, CITY)
        assert chain.call(federation, "checkpointBySize", CITY, size) == (
            *checkpoint,
            anchored_at,
        )
        times.append(anchored_at)
    assert times == sorted(times) and times[0] > 0
    *latest, _at = chain.call(federation, "latestCheckpoint", CITY)
    assert tuple(latest) == expected(CITY, 26, signer, CITY)
    assert chain.call(federation, "nodeCount") == 1
    assert chain.call(federation, "nodeAt", 0) == CITY


def test_descendants_are_anchored_through_their_child(chain, federation, gateway, signer):
    county_signer = chain.new_account()
    anchor(chain, federation, gateway, CITY, CITY, 10, signer)
    events = anchor(chain, federation, gateway, COUNTY, CITY, 4, county_signer)
    assert only_event(events, "CheckpointAnchored")["via"] == CITY
    assert only_event(events, "CheckpointAnchored")["index"] == 0
    anchor(chain, federation, gateway, COUNTY, CITY, 9, county_signer)
    anchor(chain, federation, gateway, CITY, CITY, 12, signer)
    assert chain.call(federation, "nodeCount") == 2
    assert [chain.call(federation, "nodeAt", i) for i in range(2)] == [CITY, COUNTY]
    assert chain.call(federation, "checkpointCount", COUNTY) == 2
    assert chain.call(federation, "checkpointCount", CITY) == 2
    assert chain.call(federation, "latestCheckpoint", COUNTY)[:5] == expected(
        COUNTY, 9, county_signer, CITY
    )
    assert chain.call(federation, "checkpointBySize", COUNTY, 4)[:5] == expected(
        COUNTY, 4, county_signer, CITY
    )


def test_the_first_via_stays_the_nodes_via(chain, reject, federation, gateway, signer):
    anchor(chain, federation, gateway, CITY, CITY, 10, signer)
    anchor(chain, federation, gateway, COUNTY, CITY, 4, signer)
    with reject(OTHER_CHILD):
        anchor(chain, federation, gateway, COUNTY, OTHER_CITY, 5, signer)
    with reject(OTHER_CHILD):
        anchor(chain, federation, gateway, COUNTY, COUNTY, 5, signer)
    with reject(OTHER_CHILD):
        anchor(chain, federation, gateway, CITY, OTHER_CITY, 11, signer)
    assert chain.call(federation, "checkpointCount", COUNTY) == 1
    anchor(chain, federation, gateway, COUNTY, CITY, 5, signer)
    assert chain.call(federation, "latestCheckpoint", COUNTY)[4] == CITY


@pytest.mark.parametrize("size", [1, 9, 10])
def test_a_tree_size_that_does_not_grow_is_refused(
    chain, reject, federation, gateway, signer, size
):
    anchor(chain, federation, gateway, CITY, CITY, 10, signer)
    with reject(NOT_GROWING):
        anchor(chain, federation, gateway, CITY, CITY, size, signer, label="again")
    assert chain.call(federation, "checkpointCount", CITY) == 1
    assert chain.call(federation, "latestCheckpoint", CITY)[:5] == expected(CITY, 10, signer, CITY)


def test_each_node_has_sizes_of_its_own(chain, federation, gateway, signer):
    anchor(chain, federation, gateway, CITY, CITY, 100, signer)
    anchor(chain, federation, gateway, OTHER_CITY, OTHER_CITY, 3, signer)
    anchor(chain, federation, gateway, COUNTY, CITY, 1, signer)
    assert chain.call(federation, "checkpointBySize", OTHER_CITY, 3)[0] == 3
    assert chain.call(federation, "nodeCount") == 3


@pytest.mark.parametrize(
    ("field", "reason"),
    [
        ("node", "FederationLedger: node is empty"),
        ("via", "FederationLedger: via is empty"),
        ("treeSize", "FederationLedger: tree size is zero"),
        ("root", "FederationLedger: root is empty"),
        ("document", "FederationLedger: document is empty"),
        ("signer", "FederationLedger: signer is the zero address"),
    ],
)
def test_empty_fields_are_refused(chain, reject, federation, gateway, signer, field, reason):
    args = {
        "node": CITY,
        "via": CITY,
        "treeSize": 10,
        "root": digest("root"),
        "document": digest("document"),
        "signer": signer.hex,
    }
    args[field] = {"treeSize": 0, "signer": ZERO_ADDRESS}.get(field, ZERO32)
    with reject(reason):
        chain.transact(federation, "anchorCheckpoint", *args.values(), sender=gateway)
    assert chain.call(federation, "nodeCount") == 0


def test_lookups_on_an_empty_ledger(chain, reject, federation):
    assert chain.call(federation, "nodeCount") == 0
    assert chain.call(federation, "checkpointCount", CITY) == 0
    with reject("FederationLedger: no such node"):
        chain.call(federation, "nodeAt", 0)
    with reject("FederationLedger: no such checkpoint"):
        chain.call(federation, "checkpointAt", CITY, 0)
    with reject("FederationLedger: no checkpoint of that size"):
        chain.call(federation, "checkpointBySize", CITY, 1)
    with reject("FederationLedger: node has no checkpoint"):
        chain.call(federation, "latestCheckpoint", CITY)


def test_lookups_past_what_is_anchored(chain, reject, federation, gateway, signer):
    anchor(chain, federation, gateway, CITY, CITY, 10, signer)
    anchor(chain, federation, gateway, CITY, CITY, 20, signer)
    with reject("FederationLedger: no such node"):
        chain.call(federation, "nodeAt", 1)
    with reject("FederationLedger: no such checkpoint"):
        chain.call(federation, "checkpointAt", CITY, 2)
    for size in (0, 15, 21):
        with reject("FederationLedger: no checkpoint of that size"):
            chain.call(federation, "checkpointBySize", CITY, size)
    with reject("FederationLedger: node has no checkpoint"):
        chain.call(federation, "latestCheckpoint", COUNTY)


def test_only_authorised_gateways_anchor(chain, reject, federation, gateway, office, signer):
    stranger = chain.new_account()
    for caller in (stranger, office):
        with reject(NOT_A_GATEWAY):
            anchor(chain, federation, caller, CITY, CITY, 10, signer)
    events = chain.transact(federation, "deauthoriseGateway", gateway.hex, sender=office)
    assert only_event(events, "GatewayDeauthorised") == {"account": gateway.hex, "by": office.hex}
    assert chain.call(federation, "isGateway", gateway.hex) is False
    with reject(NOT_A_GATEWAY):
        anchor(chain, federation, gateway, CITY, CITY, 10, signer)
    assert chain.call(federation, "nodeCount") == 0


def test_only_governors_manage_gateways(chain, reject, federation, gateway, office):
    other = chain.new_account()
    with reject("FederationLedger: caller is not a governor"):
        chain.transact(federation, "authoriseGateway", other.hex, sender=gateway)
    with reject("FederationLedger: caller is not a governor"):
        chain.transact(federation, "deauthoriseGateway", gateway.hex, sender=gateway)
    with reject("FederationLedger: gateway is already authorised"):
        chain.transact(federation, "authoriseGateway", gateway.hex, sender=office)
    with reject("FederationLedger: gateway is not authorised"):
        chain.transact(federation, "deauthoriseGateway", other.hex, sender=office)
    with reject("FederationLedger: account is the zero address"):
        chain.transact(federation, "authoriseGateway", ZERO_ADDRESS, sender=office)
    events = chain.transact(federation, "authoriseGateway", other.hex, sender=office)
    assert only_event(events, "GatewayAuthorised") == {"account": other.hex, "by": office.hex}
    assert chain.call(federation, "isGateway", other.hex) is True
