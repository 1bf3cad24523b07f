"""一件事办理 in a real browser: a completed case's four attestations, each with its
transaction and block checked against the chain, and a case kept pending by a revocation."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import expect

from gateway.crypto.keyfiles import load_private_key
from gateway.providers.runner import running_simulators
from gateway.transfer.model import REGISTRAR, Condition
from gateway.transfer.samples import sample_case
from gateway.transfer.service import Actor
from tests.alliance_support import point_members_at

from .conftest import ConsoleBrowser


def _build_cases(container: object, credentials: Path) -> None:
    transfers = container.transfers  # type: ignore[attr-defined]
    deadline_ms = int((time.time() + 30 * 86_400) * 1000)
    with running_simulators(None, credentials) as urls:
        point_members_at(container, urls)
        for case_id in ("TC-WEB-1", "TC-WEB-2"):
            transfers.open(Actor(REGISTRAR, "test"), sample_case(case_id, deadline_ms))
            for condition in Condition:
                actor = Actor(condition.member, "test")
                key = load_private_key(credentials / f"{condition.member}-sm2.pem")
                transfers.gather(actor, case_id, condition)
                transfers.attest(actor, case_id, condition, key=key)
        transfers.complete(Actor(REGISTRAR, "test"), "TC-WEB-1", "BDC-WEB-0001", "0x" + "5a" * 32)
        transfers.revoke(
            Actor("COURT", "test"), "TC-WEB-2", Condition.NO_SEIZURE, "法院新立查封裁定"
        )


@pytest.mark.slow
def test_a_case_shows_its_attestations_with_on_chain_proofs(
    open_browser: Callable[[], ConsoleBrowser],
) -> None:
    browser = open_browser()
    container = browser.live.app.extensions["alliance"]
    _build_cases(container, browser.live.settings.data_dir / "credentials")

    browser.login("auditor1")
    page = browser.page
    page.locator("nav.sidebar a[data-page=transfers]").click()
    expect(page.locator("h1")).to_have_text("一件事办理")
    expect(page.locator("tr[data-case]")).to_have_count(2)
    browser.screenshot("list")

    page.locator("tr[data-case='TC-WEB-1'] a").click()
    expect(page.get_by_test_id("case-status")).to_have_text("已办结")
    expect(page.get_by_test_id("registration-number")).to_have_text("BDC-WEB-0001")
    rows = page.locator("tr[data-condition]")
    expect(rows).to_have_count(4)
    client = container.chain.client
    for condition in Condition:
        row = page.locator(f"tr[data-condition='{condition.key}']")
        expect(row).to_contain_text(condition.label)
        expect(row.get_by_test_id("attestation-state")).to_have_text("已核验")
        expect(row.get_by_test_id("chain-verified")).to_have_text("核验通过")
        tx_hash = row.get_by_test_id("tx-hash").inner_text()
        block = int(row.get_by_test_id("block-number").inner_text())
        receipt = client.get_receipt(tx_hash)
        assert receipt is not None and receipt.ok and receipt.block_number == block
    browser.screenshot("completed")

    page.goto(browser.url("/console/transfers/TC-WEB-2"))
    expect(page.get_by_test_id("case-status")).to_have_text("待办结")
    reason = page.get_by_test_id("pending-reason")
    expect(reason).to_contain_text("司法查封核验已被撤回")
    expect(reason).to_contain_text("seizure check attestation was revoked")
    seizure = page.locator("tr[data-condition='no_seizure']")
    expect(seizure.get_by_test_id("attestation-state")).to_have_text("已撤回")
    expect(seizure).to_contain_text("法院新立查封裁定")
    browser.screenshot("revoked")

    assert page.goto(browser.url("/console/transfers/NO-SUCH")).status == 404
