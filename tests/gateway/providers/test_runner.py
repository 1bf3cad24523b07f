"""Starting and stopping simulators: ports, keys and failures an operator sees."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from gateway.catalog.model import EntrySpec
from gateway.crypto.keyfiles import write_private_key
from gateway.crypto.secp256k1 import Secp256k1PrivateKey
from gateway.crypto.sm2 import Sm2PrivateKey
from gateway.providers.runner import (
    SimulatorError,
    default_ports,
    provider_members,
    running_simulators,
)
from gateway.settings import Settings


def test_provider_members_follow_the_member_file(entries: dict[str, EntrySpec]) -> None:
    assert provider_members(list(entries.values())) == [
        "GAO", "NRD", "TAX", "HUD", "CIV", "PSB", "SAMR", "COURT", "HRSS", "HPF", "FIN", "ECERT",
    ]  # fmt: skip


def test_default_ports_are_the_configured_endpoints(entries: dict[str, EntrySpec]) -> None:
    members = provider_members(list(entries.values()))
    departments = [code for code in members if code != "GAO"]
    assert default_ports(members) == {
        "GAO": 9112,
        **{code: 9101 + i for i, code in enumerate(departments)},
    }
    assert default_ports(["GAO", "NRD"]) == {"GAO": 9112, "NRD": 9101}
    assert default_ports(["NRD", "GAO"], base_port=20000) == {"NRD": 20000, "GAO": 20001}


def test_simulators_stop_cleanly(member_keys: dict[str, Sm2PrivateKey], key_dir: Path) -> None:
    with running_simulators(["NRD", "FIN"], key_dir) as urls:
        assert set(urls) == {"NRD", "FIN"} and urls["NRD"] != urls["FIN"]
        assert requests.get(urls["FIN"] + "/healthz", timeout=5).status_code == 200
    with pytest.raises(requests.ConnectionError):
        requests.get(urls["FIN"] + "/healthz", timeout=2)


def test_explicit_port_in_use_is_a_typed_error(
    member_keys: dict[str, Sm2PrivateKey], key_dir: Path
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with (
            pytest.raises(SimulatorError, match=f"127\\.0\\.0\\.1:{port}") as raised,
            running_simulators(["NRD"], key_dir, ports={"NRD": port}),
        ):
            pass
    assert raised.value.code == "simulator_error"


def test_missing_or_wrong_key_is_a_typed_error(tmp_path: Path) -> None:
    with (
        pytest.raises(SimulatorError, match=r"NRD-sm2\.pem"),
        running_simulators(["NRD"], tmp_path),
    ):
        pass
    write_private_key(tmp_path / "NRD-sm2.pem", Secp256k1PrivateKey.generate())
    with pytest.raises(SimulatorError, match="SM2"), running_simulators(["NRD"], tmp_path):
        pass


def test_member_without_entries_is_refused(tmp_path: Path) -> None:
    write_private_key(tmp_path / "XYZ-sm2.pem", Sm2PrivateKey.generate())
    with (
        pytest.raises(SimulatorError, match="provides no catalogue entry"),
        running_simulators(["XYZ"], tmp_path),
    ):
        pass


def test_default_keys_are_the_ones_alliance_init_registered(
    seeded_settings: Settings, member_credentials: Callable[[str], dict[str, Any]]
) -> None:
    """Simulators started on an initialised data directory sign with the registered keys."""
    with running_simulators(None, seeded_settings.data_dir / "credentials") as urls:
        for code, url in urls.items():
            health = requests.get(url + "/healthz", timeout=5).json()
            assert health["key_id"] == member_credentials(code)["account"], code
