"""Keys and running simulators shared by the provider tests (temporary SM2 keys only)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.catalog.model import EntrySpec
from gateway.crypto.keyfiles import write_private_key
from gateway.crypto.sm2 import Sm2PrivateKey
from gateway.providers.runner import catalogue_entries, provider_members, running_simulators


@pytest.fixture(scope="session")
def entries() -> dict[str, EntrySpec]:
    return {entry.id: entry for entry in catalogue_entries()}


@pytest.fixture(scope="session")
def key_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("credentials")


@pytest.fixture(scope="session")
def member_keys(entries: dict[str, EntrySpec], key_dir: Path) -> dict[str, Sm2PrivateKey]:
    """A fresh SM2 key per provider member, written where ``alliance init`` would put it."""
    keys = {}
    for member in provider_members(list(entries.values())):
        keys[member] = Sm2PrivateKey.generate()
        write_private_key(key_dir / f"{member}-sm2.pem", keys[member])
    return keys


@pytest.fixture(scope="session")
def gateway_key() -> Sm2PrivateKey:
    return Sm2PrivateKey.generate()


@pytest.fixture(scope="session")
def simulators(member_keys: dict[str, Sm2PrivateKey], key_dir: Path) -> Iterator[dict[str, str]]:
    """Every provider simulator on an ephemeral loopback port, accepting unsigned requests."""
    with running_simulators(None, key_dir) as urls:
        yield urls


@pytest.fixture(scope="session")
def guarded_nrd(
    member_keys: dict[str, Sm2PrivateKey], key_dir: Path, gateway_key: Sm2PrivateKey
) -> Iterator[str]:
    """NRD's simulator started with the gateway's public key: it checks request signatures."""
    with running_simulators(["NRD"], key_dir, gateway_public_key=gateway_key.public_key) as urls:
        yield urls["NRD"]
