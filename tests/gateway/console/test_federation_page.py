"""多级联盟: the node, its parent link, its children's checkpoints and lag, alerts and events."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from gateway.console.dashboard import CHINA
from gateway.crypto.sm2 import Sm2PrivateKey
from gateway.evidence.tables import AccessRecordRow
from gateway.federation.identity import LinkFile, ParentLink
from gateway.federation.tables import (
    ChildCheckpointRow,
    ChildRow,
    FederationEventRow,
    PushedCheckpointRow,
)
from gateway.settings import Settings
from tests.conftest import FAST_CHAIN, SettingsFactory

from .conftest import Console, log_query, open_console

NOW = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
HOSTILE = "<script>alert('江宁')</script>江宁区"
REFUSAL = "root does not extend the previous checkpoint"


@pytest.mark.parametrize("username", ["admin1", "auditor1", "operator1"])
def test_the_roles_that_see_chain_history_see_the_federation_page(
    console: Console, username: str
) -> None:
    client = console.login(username)
    assert 'data-page="federation"' in client.get("/console/").text
    page = client.get("/console/federation")
    assert page.status_code == 200
    assert "<h1>多级联盟</h1>" in page.text
    assert 'data-page="federation" aria-current="page"' in page.text


def test_a_department_user_is_refused_the_federation_page(console: Console) -> None:
    client = console.login("tax1")
    assert 'data-page="federation"' not in client.get("/console/").text
    assert client.get("/console/federation").status_code == 403


def test_a_standalone_gateway_says_federation_is_not_configured(console: Console) -> None:
    page = console.login("operator1").get("/console/federation")
    assert page.status_code == 200
    assert "未配置多级联盟 (federation.node)" in page.text
    assert "ALLIANCE_FEDERATION_NODE" in page.text
    assert 'data-testid="federation-parent"' not in page.text
    assert "暂无下级节点" in page.text and "无告警" in page.text
    english = console.login("operator1").get("/console/federation?lang=en").text
    assert "Federation not configured (federation.node)" in english


@pytest.fixture
def city(seeded_settings: Settings, make_settings: SettingsFactory) -> Iterator[Console]:
    """南京市 (R320100): joined to 江苏省 (R320000), with two districts and a relayed town."""
    settings = make_settings(
        **FAST_CHAIN,
        federation_node="R320100",
        federation_name="南京市",
        federation_max_lag_seconds="900",
    )
    assert settings.data_dir == seeded_settings.data_dir
    LinkFile(settings.data_dir).write(
        ParentLink.sign(
            child="R320100",
            client_id="fed-R320100",
            parent="R320000",
            parent_name="江苏省",
            url="https://js.example.gov.cn",
            issuer="https://js.example.gov.cn",
            key=Sm2PrivateKey.generate(),
        )
    )
    with open_console(settings) as console:
        container = console.app.extensions["alliance"]
        container.federation.status.clock = lambda: NOW
        _anchored_records(console)
        _federation_rows(console)
        yield console


def _anchored_records(console: Console) -> None:
    """Three anchored records here, one of them covered by a checkpoint the parent accepted."""
    engine = console.app.extensions["alliance"].engine
    ids = [log_query(console, "TAX", "NRD", NOW) for _ in range(3)]
    with Session(engine) as session, session.begin():
        base = session.scalar(select(func.max(AccessRecordRow.sequence))) or 0
        for offset, record_id in enumerate(ids, start=1):
            session.execute(
                update(AccessRecordRow)
                .where(AccessRecordRow.id == record_id)
                .values(sequence=base + offset)
            )
        session.add(
            PushedCheckpointRow(
                tree_size=base + 1,
                root="0x" + "11" * 32,
                document="{}",
                document_digest="0x" + "12" * 32,
                pushed_at=NOW - timedelta(seconds=2000),
            )
        )


def _federation_rows(console: Console) -> None:
    container = console.app.extensions["alliance"]
    current = container.federation.snapshots.digest("R320102")

    def ago(seconds: int) -> datetime:
        return NOW - timedelta(seconds=seconds)

    def checkpoint(node: str, via: str, size: int, issued: int, tx: str) -> ChildCheckpointRow:
        return ChildCheckpointRow(
            node=node,
            via=via,
            tree_size=size,
            root="0x" + "ee" * 32,
            key_id="0x" + "aa" * 20,
            document="{}",
            document_digest="0x" + "dd" * 32,
            issued_at=ago(issued),
            received_at=ago(issued - 5),
            tx_hash=tx,
            block_number=77,
        )

    def event(kind: str, node: str, outcome: str, at: int, **detail: str) -> FederationEventRow:
        return FederationEventRow(
            kind=kind, node=node, outcome=outcome, detail=json.dumps(detail), at=ago(at)
        )

    child = {"url": "https://x.example", "registered_at": ago(86400)}
    with Session(container.engine) as session, session.begin():
        session.add_all(
            [
                ChildRow(
                    node="R320102",
                    name="玄武区",
                    client_id="fed-R320102",
                    catalog_digest=current,
                    catalog_pulled_at=ago(600),
                    last_seen_at=ago(30),
                    **child,
                ),
                ChildRow(
                    node="R320115",
                    name=HOSTILE,
                    client_id="fed-R320115",
                    catalog_digest="0x" + "00" * 32,
                    catalog_pulled_at=ago(3600),
                    last_seen_at=ago(120),
                    **child,
                ),
                checkpoint("R320102", "R320102", 42, 60, "0x" + "ab" * 32),
                checkpoint("R320115", "R320115", 10, 7200, "0x" + "cd" * 32),
                checkpoint("R320115001", "R320115", 5, 300, "0x" + "ef" * 32),
            ]
        )
    with Session(container.engine) as session, session.begin():
        for row in (
            event("checkpoint-push", "R320000", "ok", 2000, tree_size="1"),
            event("catalog-pull", "R320000", "ok", 45),
            event("checkpoint-intake", "R320115", "refused", 100, reason=REFUSAL, via="R320115"),
            event("checkpoint-push", "R320000", "failed", 20, code="parent_unreachable"),
        ):
            session.add(row)
            session.flush()


def _section(page: str, testid: str) -> str:
    return page.split(f'data-testid="{testid}"')[1].split("</section>")[0]


def _row(table: str, node: str) -> str:
    return table.split(f'data-node="{node}"')[1].split("</tr>")[0]


def test_a_city_sees_its_parent_its_districts_their_lag_and_the_alerts(city: Console) -> None:
    page = city.login("auditor1").get("/console/federation")
    assert page.status_code == 200
    text = page.text
    assert "未配置多级联盟" not in text
    assert "<strong>R320100</strong>" in _section(text, "federation-node")
    assert "900 秒" in text

    parent = _section(text, "federation-parent")
    assert "R320000" in parent and "江苏省" in parent and "https://js.example.gov.cn" in parent
    pulled = (NOW - timedelta(seconds=45)).astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")
    pull = parent.split('data-testid="parent-pull"')[1].split("</dd>")[0]
    assert pulled in pull and "45 秒" in pull and "超过延迟上限" not in pull
    push = parent.split('data-testid="parent-push"')[1].split("</dd>")[0]
    assert "2000 秒" in push and "超过延迟上限" in push
    assert "<strong>2</strong>" in parent.split('data-testid="parent-not-checkpointed"')[1]
    error = parent.split('data-testid="parent-error"')[1].split("</dd>")[0]
    assert "检查点上报" in error and "失败" in error and "parent_unreachable" in error

    children = _section(text, "federation-children")
    xuanwu = _row(children, "R320102")
    assert "直接下级" in xuanwu and "玄武区" in xuanwu and "42" in xuanwu
    assert "60 秒" in xuanwu and "超过延迟上限" not in xuanwu
    assert "0x" + "ab" * 32 in xuanwu and "已是最新" in xuanwu and "30 秒" in xuanwu
    jiangning = _row(children, "R320115")
    assert 'data-node="R320115" class="row-alert"' in children
    assert 'data-node="R320102" class=""' in children
    assert "7200 秒" in jiangning and "超过延迟上限" in jiangning
    assert "0x" + "cd" * 32 in jiangning and "待同步" in jiangning
    assert "检查点被拒绝" in jiangning and REFUSAL in jiangning
    town = _row(children, "R320115001")
    assert "<td>R320115</td>" in town and "300 秒" in town and "0x" + "ef" * 32 in town

    assert "<script>alert" not in text
    assert "&lt;script&gt;alert(&#39;江宁&#39;)&lt;/script&gt;江宁区" in jiangning

    alerts = _section(text, "federation-alerts")
    assert f"R320115: checkpoint refused ({REFUSAL})" in alerts
    assert "R320115: latest checkpoint 7200 s old" in alerts
    assert "R320000: last successful push 2000 s ago" in alerts
    assert "R320000: checkpoint-push parent_unreachable" in alerts
    assert "R320102" not in alerts and "R320115001" not in alerts

    events = _section(text, "federation-events")
    kinds = [chunk.split('"')[0] for chunk in events.split('data-kind="')[1:]]
    assert kinds == ["checkpoint-push", "checkpoint-intake", "catalog-pull", "checkpoint-push"]
    assert "检查点接收" in events and "已拒绝" in events and REFUSAL in events


def test_the_federation_page_in_english(city: Console) -> None:
    text = city.login("operator1").get("/console/federation?lang=en").text
    assert "<h1>Federation</h1>" in text
    assert "Children and relayed descendants" in text and "beyond the lag limit" in text
    assert "checkpoint refused" in text and "7200 s" in text
