"""链历史: operators and auditors see the chain periods, the handovers and the witnesses."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from gateway.handover.tables import ChainHandoverRow, ChainPeriodRow
from gateway.witness.tables import CheckpointRow

from .conftest import Console


def test_chain_history_page_shows_periods_handovers_and_witness_alerts(console: Console) -> None:
    container = console.app.extensions["alliance"]
    before = console.login("operator1").get("/console/chains")
    assert before.status_code == 200
    assert 'data-profile="default"' in before.text and "当前" in before.text

    at = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    document = {
        "record": {
            "from": {"block_number": 42, "block_hash": "0x" + "42" * 32},
            "log_checkpoint": {"tree_size": 7, "root": "0x" + "77" * 32},
        },
        "signatures": [{"party": "gateway"}, {"party": "GAO"}, {"party": "NRD"}],
    }
    with Session(container.engine) as session, session.begin():
        handover = ChainHandoverRow(
            from_profile="default",
            to_profile="besu",
            document=json.dumps(document),
            digest="0x" + "dd" * 32,
            old_tx="0x" + "01" * 32,
            new_tx="0x" + "02" * 32,
            created_at=at,
        )
        session.add(handover)
        session.flush()
        common = {"suite": "sm", "chain_id": "1", "group_id": "1", "rpc_url": ""}
        session.add_all(
            [
                ChainPeriodRow(
                    profile="default",
                    vendor="fisco-bcos",
                    **common,
                    first_sequence=1,
                    last_sequence=7,
                    started_at=at,
                    ended_at=at,
                    handover_id=handover.id,
                ),
                ChainPeriodRow(
                    profile="besu",
                    vendor="evm",
                    suite="ecdsa",
                    chain_id="1337",
                    group_id="evm",
                    rpc_url="http://besu",
                    first_sequence=8,
                    started_at=at,
                    handover_id=handover.id,
                ),
                CheckpointRow(
                    tree_size=9,
                    root="0x" + "99" * 32,
                    cosignatures="[]",
                    refusals=json.dumps([{"witness": "TAX", "reason": "history was rewritten"}]),
                    created_at=at,
                ),
            ]
        )
    container.chain_history.forget()

    page = console.login("auditor1").get("/console/chains").text
    periods = page.split('data-testid="chain-periods"')[1].split("</table>")[0]
    assert "FISCO BCOS" in periods and "EVM 联盟链" in periods and "1 – 7" in periods
    handovers = page.split('data-testid="chain-handovers"')[1].split("</table>")[0]
    assert "default → besu" in handovers and "gateway, GAO, NRD" in handovers
    assert "0x" + "42" * 32 in handovers and "树大小 7" in handovers
    assert "见证方拒绝签署" in page and "TAX — history was rewritten" in page
    assert console.login("tax1").get("/console/chains").status_code == 403
