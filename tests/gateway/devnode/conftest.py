from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.chain.suite import ECDSA_SUITE, SM_SUITE
from gateway.devnode.node import DevNode
from gateway.devnode.testing import running_devnode

from .helpers import OPEN_TRANSPORTS, Account


@pytest.fixture(autouse=True)
def close_transports() -> Iterator[None]:
    """Close every HTTP session a test opened (unclosed sockets would warn at GC time)."""
    yield
    while OPEN_TRANSPORTS:
        OPEN_TRANSPORTS.pop().close()


@pytest.fixture
def sm_node(tmp_path: Path) -> Iterator[tuple[str, DevNode]]:
    with running_devnode(tmp_path / "sm", suite="sm") as running:
        yield running


@pytest.fixture
def ecdsa_node(tmp_path: Path) -> Iterator[tuple[str, DevNode]]:
    with running_devnode(tmp_path / "ecdsa", suite="ecdsa") as running:
        yield running


@pytest.fixture(params=["sm", "ecdsa"])
def any_node(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, DevNode]]:
    with running_devnode(tmp_path / request.param, suite=request.param) as running:
        yield running


@pytest.fixture
def account(any_node: tuple[str, DevNode]) -> Account:
    url, node = any_node
    suite = SM_SUITE if node.suite.name == "sm" else ECDSA_SUITE
    return Account(url, suite, suite.generate_key())


@pytest.fixture(params=["sm", "ecdsa"])
def manual_node(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, DevNode]]:
    """A devnode that seals only when the test calls ``node.seal_block()``."""
    with running_devnode(tmp_path / request.param, suite=request.param, seal=False) as running:
        yield running


@pytest.fixture
def manual_account(manual_node: tuple[str, DevNode]) -> Account:
    url, node = manual_node
    return Account(url, node.suite, node.suite.generate_key())
