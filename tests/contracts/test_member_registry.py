"""MemberRegistry: the membership lifecycle and its governance, on the devnode."""

from __future__ import annotations

import pytest

from .contract_helpers import (
    MEMBER_ACTIVE,
    MEMBER_APPLIED,
    MEMBER_NONE,
    MEMBER_REVOKED,
    MEMBER_SUSPENDED,
    ROLE_AUDITOR,
    ROLE_CONSUMER,
    ROLE_PROVIDER,
    ZERO32,
    ZERO_ADDRESS,
    b32,
    only_event,
)

NRD = b32("NRD")


def apply_member(chain, registry, office, code="NRD", roles=ROLE_PROVIDER):
    account = chain.new_account()
    events = chain.transact(
        registry,
        "registerApplication",
        b32(code),
        "省自然资源厅",
        account.public_key,
        account.hex,
        roles,
        sender=office,
    )
    return account, events


def test_application_records_the_member_as_applied(chain, registry, office):
    account, events = apply_member(chain, registry, office, roles=ROLE_PROVIDER | ROLE_CONSUMER)

    applied = only_event(events, "MemberApplied")
    assert applied == {
        "code": NRD,
        "account": account.hex,
        "roles": ROLE_PROVIDER | ROLE_CONSUMER,
        "name": "省自然资源厅",
    }
    changed = only_event(events, "MemberStatusChanged")
    assert (changed["fromStatus"], changed["toStatus"]) == (MEMBER_NONE, MEMBER_APPLIED)
    assert changed["by"] == office.hex
    name, public_key, bound, roles, status, _updated = chain.call(registry, "getMember", NRD)
    assert (name, public_key, bound, roles, status) == (
        "省自然资源厅",
        account.public_key,
        account.hex,
        ROLE_PROVIDER | ROLE_CONSUMER,
        MEMBER_APPLIED,
    )
    assert chain.call(registry, "memberCodeOf", account.hex) == NRD
    assert chain.call(registry, "memberCount") == 1
    assert chain.call(registry, "memberCodeAt", 0) == NRD


@pytest.mark.parametrize(
    ("path", "final"),
    [
        (["approve"], MEMBER_ACTIVE),
        (["approve", "suspend"], MEMBER_SUSPENDED),
        (["approve", "suspend", "reinstate"], MEMBER_ACTIVE),
        (["approve", "suspend", "reinstate", "suspend"], MEMBER_SUSPENDED),
        (["approve", "revoke"], MEMBER_REVOKED),
        (["approve", "suspend", "revoke"], MEMBER_REVOKED),
        (["revoke"], MEMBER_REVOKED),
    ],
    ids=lambda value: "-".join(value) if isinstance(value, list) else str(value),
)
def test_every_transition_emits_its_status_change(chain, registry, office, path, final):
    apply_member(chain, registry, office)
    status = MEMBER_APPLIED
    expected_next = {"approve": MEMBER_ACTIVE, "suspend": MEMBER_SUSPENDED}
    expected_next |= {"reinstate": MEMBER_ACTIVE, "revoke": MEMBER_REVOKED}
    for step in path:
        events = chain.transact(registry, step, NRD, f"reason for {step}", sender=office)
        changed = only_event(events, "MemberStatusChanged")
        assert changed == {
            "code": NRD,
            "fromStatus": status,
            "toStatus": expected_next[step],
            "by": office.hex,
            "reason": f"reason for {step}",
        }
        status = expected_next[step]
    assert chain.call(registry, "statusOf", NRD) == final
    assert chain.call(registry, "isActive", NRD) is (final == MEMBER_ACTIVE)


@pytest.mark.parametrize(
    ("path", "step", "reason"),
    [
        ([], "suspend", "MemberRegistry: member is not active"),
        ([], "reinstate", "MemberRegistry: member is not suspended"),
        (["approve"], "approve", "MemberRegistry: member is not applied"),
        (["approve"], "reinstate", "MemberRegistry: member is not suspended"),
        (["approve", "suspend"], "suspend", "MemberRegistry: member is not active"),
        (["approve", "suspend"], "approve", "MemberRegistry: member is not applied"),
        (["revoke"], "revoke", "MemberRegistry: member is already revoked"),
        (["revoke"], "approve", "MemberRegistry: member is not applied"),
        (["approve", "revoke"], "reinstate", "MemberRegistry: member is not suspended"),
    ],
)
def test_transitions_outside_the_lifecycle_are_refused(
    chain, reject, registry, office, path, step, reason
):
    apply_member(chain, registry, office)
    for done in path:
        chain.transact(registry, done, NRD, "", sender=office)
    with reject(reason):
        chain.transact(registry, step, NRD, "", sender=office)


@pytest.mark.parametrize("step", ["approve", "suspend", "reinstate", "revoke"])
def test_transitions_of_an_unknown_member_are_refused(chain, reject, registry, office, step):
    with reject("MemberRegistry: unknown member"):
        chain.transact(registry, step, b32("NOBODY"), "", sender=office)


def test_only_governors_change_the_registry(chain, reject, registry, office):
    member, _ = apply_member(chain, registry, office)
    outsider = chain.new_account()
    calls = [
        (
            "registerApplication",
            b32("TAX"),
            "税务局",
            outsider.public_key,
            outsider.hex,
            ROLE_CONSUMER,
        ),
        ("approve", NRD, ""),
        ("suspend", NRD, ""),
        ("reinstate", NRD, ""),
        ("revoke", NRD, ""),
        ("updateRoles", NRD, ROLE_CONSUMER),
        ("rotateKey", NRD, outsider.public_key, outsider.hex),
        ("addGovernor", outsider.hex),
        ("removeGovernor", office.hex),
    ]
    for function, *args in calls:
        for caller in (outsider, member):
            with reject("MemberRegistry: caller is not a governor"):
                chain.transact(registry, function, *args, sender=caller)


@pytest.mark.parametrize(
    ("code", "name", "key_length", "account", "roles", "reason"),
    [
        ("", "部门", 64, "fresh", ROLE_PROVIDER, "MemberRegistry: member code is empty"),
        ("TAX", "", 64, "fresh", ROLE_PROVIDER, "MemberRegistry: member name is empty"),
        ("TAX", "部门", 65, "fresh", ROLE_PROVIDER, "MemberRegistry: public key must be 64 bytes"),
        ("TAX", "部门", 33, "fresh", ROLE_PROVIDER, "MemberRegistry: public key must be 64 bytes"),
        ("TAX", "部门", 64, "zero", ROLE_PROVIDER, "MemberRegistry: account is the zero address"),
        ("TAX", "部门", 64, "taken", ROLE_PROVIDER, "MemberRegistry: account already registered"),
        ("TAX", "部门", 64, "fresh", 0, "MemberRegistry: roles are empty"),
        ("TAX", "部门", 64, "fresh", 16, "MemberRegistry: unknown role"),
        ("NRD", "部门", 64, "fresh", ROLE_PROVIDER, "MemberRegistry: member already exists"),
    ],
)
def test_invalid_applications_are_refused(
    chain, reject, registry, office, code, name, key_length, account, roles, reason
):
    existing, _ = apply_member(chain, registry, office)
    fresh = chain.new_account()
    address = {"fresh": fresh.hex, "zero": ZERO_ADDRESS, "taken": existing.hex}[account]
    key = (fresh.public_key * 2)[:key_length]
    with reject(reason):
        chain.transact(
            registry, "registerApplication", b32(code), name, key, address, roles, sender=office
        )


def test_roles_update_and_lookup(chain, reject, registry, office):
    apply_member(chain, registry, office, roles=ROLE_PROVIDER)
    events = chain.transact(
        registry, "updateRoles", NRD, ROLE_CONSUMER | ROLE_AUDITOR, sender=office
    )
    assert only_event(events, "MemberRolesChanged") == {
        "code": NRD,
        "roles": ROLE_CONSUMER | ROLE_AUDITOR,
        "by": office.hex,
    }
    assert chain.call(registry, "rolesOf", NRD) == ROLE_CONSUMER | ROLE_AUDITOR
    assert chain.call(registry, "hasRole", NRD, ROLE_CONSUMER) is True
    assert chain.call(registry, "hasRole", NRD, ROLE_PROVIDER) is False
    with reject("MemberRegistry: roles are empty"):
        chain.transact(registry, "updateRoles", NRD, 0, sender=office)
    with reject("MemberRegistry: unknown member"):
        chain.transact(registry, "updateRoles", b32("NOBODY"), ROLE_CONSUMER, sender=office)
    chain.transact(registry, "revoke", NRD, "", sender=office)
    with reject("MemberRegistry: member is revoked"):
        chain.transact(registry, "updateRoles", NRD, ROLE_PROVIDER, sender=office)


def test_key_rotation_moves_the_member_to_its_new_account(chain, reject, registry, office):
    old, _ = apply_member(chain, registry, office)
    new = chain.new_account()
    events = chain.transact(registry, "rotateKey", NRD, new.public_key, new.hex, sender=office)
    assert only_event(events, "MemberKeyRotated") == {
        "code": NRD,
        "oldAccount": old.hex,
        "newAccount": new.hex,
        "publicKey": new.public_key,
    }
    assert chain.call(registry, "accountOf", NRD) == new.hex
    assert chain.call(registry, "memberCodeOf", new.hex) == NRD
    assert chain.call(registry, "memberCodeOf", old.hex) == ZERO32
    with reject("MemberRegistry: account already registered"):
        chain.transact(registry, "rotateKey", NRD, new.public_key, new.hex, sender=office)
    chain.transact(registry, "revoke", NRD, "", sender=office)
    with reject("MemberRegistry: member is revoked"):
        chain.transact(registry, "rotateKey", NRD, old.public_key, old.hex, sender=office)


def test_unknown_lookups_are_refused_or_empty(chain, reject, registry):
    with reject("MemberRegistry: unknown member"):
        chain.call(registry, "getMember", NRD)
    with reject("MemberRegistry: index out of range"):
        chain.call(registry, "memberCodeAt", 0)
    assert chain.call(registry, "statusOf", NRD) == MEMBER_NONE
