"""Supervision: cases, their state machine and who may move them (监督 → 下达 → 整改 → 反馈)."""

from __future__ import annotations

import time

import pytest

from .contract_helpers import (
    FAR_FUTURE,
    ROLE_CONSUMER,
    ROLE_OFFICE,
    ROLE_PROVIDER,
    ZERO32,
    b32,
    digest,
    events_named,
    only_event,
)

NONE, OPEN, ORDERED, RECTIFYING, REPORTED, ACCEPTED, REOPENED, OVERDUE = range(8)
SOURCE_RULE, SOURCE_HAND = 1, 2
CASE = digest("case-title-repeat-TAX-2026-12-04")
RULE = b32("title-repeat")


@pytest.fixture
def gao(enrol):
    return enrol("GAO", roles=ROLE_OFFICE | ROLE_PROVIDER | ROLE_CONSUMER)


@pytest.fixture
def tax(enrol):
    return enrol("TAX")


@pytest.fixture
def monitor(chain, supervision, office):
    account = chain.new_account()
    chain.transact(supervision, "authoriseMonitor", account.hex, sender=office)
    return account


@pytest.fixture
def opened(chain, supervision, monitor, gao, tax):
    chain.transact(
        supervision, "openByRule", CASE, RULE, b32("TAX"), digest("evidence"), sender=monitor
    )
    return CASE


def transitions(chain, supervision, case_id):
    count = chain.call(supervision, "caseTimes", case_id)[3]
    return [chain.call(supervision, "getTransition", case_id, i) for i in range(count)]


def test_the_whole_loop_is_kept_on_chain(chain, supervision, monitor, gao, tax):
    events = chain.transact(
        supervision, "openByRule", CASE, RULE, b32("TAX"), digest("evidence"), sender=monitor
    )
    assert only_event(events, "CaseOpened") == {
        "caseId": CASE,
        "ruleId": RULE,
        "department": b32("TAX"),
        "source": SOURCE_RULE,
        "evidenceHash": digest("evidence"),
    }
    steps = [
        (gao, "order", (FAR_FUTURE, digest("order"))),
        (tax, "startRectification", (digest("start"),)),
        (tax, "report", (digest("report"),)),
        (gao, "accept", (digest("accept"),)),
    ]
    for sender, function, args in steps:
        chain.transact(supervision, function, CASE, *args, sender=sender)
    assert chain.call(supervision, "getCase", CASE) == (
        RULE,
        b32("TAX"),
        digest("evidence"),
        SOURCE_RULE,
        ACCEPTED,
    )
    history = transitions(chain, supervision, CASE)
    assert [(step[0], step[1]) for step in history] == [
        (NONE, OPEN),
        (OPEN, ORDERED),
        (ORDERED, RECTIFYING),
        (RECTIFYING, REPORTED),
        (REPORTED, ACCEPTED),
    ]
    assert [step[2] for step in history] == [ZERO32, b32("GAO"), b32("TAX"), b32("TAX"), b32("GAO")]
    assert [step[3] for step in history] == [monitor.hex, gao.hex, tax.hex, tax.hex, gao.hex]
    assert [step[5] for step in history][1:] == [
        digest(name) for name in ("order", "start", "report", "accept")
    ]
    times = [step[4] for step in history]
    assert times == sorted(times) and times[0] > 10**12  # block time in milliseconds
    assert chain.call(supervision, "caseTimes", CASE)[1] == FAR_FUTURE
    assert chain.call(supervision, "caseCount") == 1
    assert chain.call(supervision, "caseIdAt", 0) == CASE


def test_each_transition_emits_its_event(chain, supervision, opened, gao):
    events = chain.transact(supervision, "order", CASE, FAR_FUTURE, digest("o"), sender=gao)
    moved = only_event(events, "CaseTransition")
    assert {key: moved[key] for key in ("caseId", "fromStatus", "toStatus", "actor")} == {
        "caseId": CASE,
        "fromStatus": OPEN,
        "toStatus": ORDERED,
        "actor": b32("GAO"),
    }
    assert moved["account"] == gao.hex and moved["detailHash"] == digest("o")


def test_a_reported_case_can_be_reopened_and_ordered_again(chain, supervision, opened, gao, tax):
    chain.transact(supervision, "order", CASE, FAR_FUTURE, digest("1"), sender=gao)
    chain.transact(supervision, "startRectification", CASE, digest("2"), sender=tax)
    chain.transact(supervision, "report", CASE, digest("3"), sender=tax)
    chain.transact(supervision, "reopen", CASE, digest("4"), sender=gao)
    assert chain.call(supervision, "statusOf", CASE) == REOPENED
    chain.transact(supervision, "order", CASE, FAR_FUTURE, digest("5"), sender=gao)
    assert chain.call(supervision, "statusOf", CASE) == ORDERED


def test_the_office_opens_a_case_by_hand(chain, supervision, gao, tax):
    events = chain.transact(
        supervision, "openByHand", CASE, b32("manual"), b32("TAX"), digest("note"), sender=gao
    )
    assert only_event(events, "CaseOpened")["source"] == SOURCE_HAND
    assert transitions(chain, supervision, CASE)[0][2] == b32("GAO")


def test_an_order_becomes_overdue_only_after_its_due_date(chain, supervision, opened, gao, tax):
    latest = chain.client.get_block(chain.client.block_number())
    due = latest.timestamp + 300  # milliseconds
    chain.transact(supervision, "order", CASE, due, digest("o"), sender=gao)
    with pytest.raises(chain.reverted_error) as caught:
        chain.transact(supervision, "markOverdue", CASE, ZERO32, sender=gao)
    assert caught.value.reason == "Supervision: the order is not yet due"
    time.sleep(0.4)
    chain.transact(supervision, "markOverdue", CASE, digest("late"), sender=gao)
    assert chain.call(supervision, "statusOf", CASE) == OVERDUE
    chain.transact(supervision, "report", CASE, digest("late report"), sender=tax)
    assert chain.call(supervision, "statusOf", CASE) == REPORTED


def test_refusals(chain, reject, supervision, opened, monitor, gao, tax, enrol):
    hud = enrol("HUD")
    stranger = chain.new_account()
    with reject("Supervision: case already exists"):
        chain.transact(supervision, "openByRule", CASE, RULE, b32("TAX"), ZERO32, sender=monitor)
    with reject("Supervision: caller is not an authorised monitor"):
        chain.transact(supervision, "openByRule", digest("x"), RULE, b32("TAX"), ZERO32, sender=gao)
    with reject("Supervision: department is not a member"):
        chain.transact(
            supervision, "openByRule", digest("y"), RULE, b32("NOPE"), ZERO32, sender=monitor
        )
    with reject("Supervision: caller is not the office"):
        chain.transact(supervision, "order", CASE, FAR_FUTURE, ZERO32, sender=tax)
    with reject("Supervision: caller is not a member"):
        chain.transact(supervision, "order", CASE, FAR_FUTURE, ZERO32, sender=stranger)
    with reject("Supervision: due date is not in the future"):
        chain.transact(supervision, "order", CASE, 1, ZERO32, sender=gao)
    with reject("Supervision: only an ordered case can be rectified"):
        chain.transact(supervision, "startRectification", CASE, ZERO32, sender=tax)
    with reject("Supervision: only a reported case can be accepted"):
        chain.transact(supervision, "accept", CASE, ZERO32, sender=gao)
    with reject("Supervision: unknown case"):
        chain.transact(supervision, "accept", digest("none"), ZERO32, sender=gao)
    chain.transact(supervision, "order", CASE, FAR_FUTURE, ZERO32, sender=gao)
    with reject("Supervision: caller is not the case's department"):
        chain.transact(supervision, "startRectification", CASE, ZERO32, sender=hud)
    with reject("Supervision: only a case under rectification or overdue can be reported"):
        chain.transact(supervision, "report", CASE, ZERO32, sender=tax)
    with reject("Supervision: the order is not yet due"):
        chain.transact(supervision, "markOverdue", CASE, ZERO32, sender=monitor)
    with reject("Supervision: only an open, reopened or overdue case can be ordered"):
        chain.transact(supervision, "order", CASE, FAR_FUTURE, ZERO32, sender=gao)


def test_a_suspended_department_cannot_act(
    chain, reject, supervision, registry, office, opened, gao, tax
):
    chain.transact(supervision, "order", CASE, FAR_FUTURE, ZERO32, sender=gao)
    chain.transact(registry, "suspend", b32("TAX"), "", sender=office)
    with reject("Supervision: caller is not an active member"):
        chain.transact(supervision, "startRectification", CASE, ZERO32, sender=tax)


def test_monitors_are_managed_by_governors(chain, reject, supervision, office, monitor):
    assert chain.call(supervision, "isMonitor", monitor.hex) is True
    with reject("Supervision: caller is not a governor"):
        chain.transact(supervision, "authoriseMonitor", monitor.hex, sender=monitor)
    with reject("Supervision: monitor is already authorised"):
        chain.transact(supervision, "authoriseMonitor", monitor.hex, sender=office)
    events = chain.transact(supervision, "deauthoriseMonitor", monitor.hex, sender=office)
    assert events_named(events, "MonitorDeauthorised") == [
        {"account": monitor.hex, "by": office.hex}
    ]
    assert chain.call(supervision, "isMonitor", monitor.hex) is False


def test_more_refusals(chain, reject, supervision, registry, office, opened, monitor, gao, tax):
    with reject("Supervision: registry is the zero address"):
        chain.deploy("Supervision", "0x" + "00" * 20, sender=office)
    with reject("Supervision: account is the zero address"):
        chain.transact(supervision, "authoriseMonitor", "0x" + "00" * 20, sender=office)
    with reject("Supervision: monitor is not authorised"):
        chain.transact(supervision, "deauthoriseMonitor", gao.hex, sender=office)
    with reject("Supervision: case id is empty"):
        chain.transact(supervision, "openByRule", ZERO32, RULE, b32("TAX"), ZERO32, sender=monitor)
    with reject("Supervision: rule id is empty"):
        chain.transact(
            supervision, "openByRule", digest("z"), ZERO32, b32("TAX"), ZERO32, sender=monitor
        )
    with reject("Supervision: only a reported case can be reopened"):
        chain.transact(supervision, "reopen", CASE, ZERO32, sender=gao)
    with reject("Supervision: only an ordered case or one under rectification can be overdue"):
        chain.transact(supervision, "markOverdue", CASE, ZERO32, sender=monitor)
    with reject("Supervision: transition out of range"):
        chain.call(supervision, "getTransition", CASE, 5)
    with reject("Supervision: index out of range"):
        chain.call(supervision, "caseIdAt", 1)
