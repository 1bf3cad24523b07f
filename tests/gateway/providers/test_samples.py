"""The sample queries the gateway's embedded default grants and the demo prints."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from gateway.catalog.model import EntrySpec, SharingClass
from gateway.members.model import Role
from gateway.members.seed import load_seed
from gateway.providers.matters import MATTERS_BY_CODE
from gateway.providers.samples import sample_queries
from gateway.settings import conf_dir


def test_every_shared_entry_is_covered_and_not_shared_is_not(entries: dict[str, EntrySpec]) -> None:
    covered = {query["entry_id"] for query in sample_queries()}
    shared = {e.id for e in entries.values() if e.sharing_class is not SharingClass.NOT_SHARED}
    assert covered == shared
    assert "PSB-RECORD" not in covered


def test_queries_are_well_formed(entries: dict[str, EntrySpec]) -> None:
    consumers = {p.code for p in load_seed(conf_dir() / "members.toml") if Role.CONSUMER in p.roles}
    for query in sample_queries():
        assert set(query) == {"consumer", "entry_id", "purpose", "params", "description"}
        entry = entries[query["entry_id"]]
        assert query["consumer"] in consumers and query["consumer"] != entry.provider
        purpose = query["purpose"]
        assert purpose.isascii() and 0 < len(purpose) <= 32 and purpose in MATTERS_BY_CODE
        assert set(query["params"]) <= {p.name for p in entry.parameters}
        assert query["description"] and not query["description"].isascii()


def test_same_seed_same_samples_other_seed_other_records() -> None:
    assert sample_queries(2026) == sample_queries(2026)
    first, other = sample_queries(2026), sample_queries(11)
    assert [(q["consumer"], q["entry_id"], q["purpose"]) for q in first] == [
        (q["consumer"], q["entry_id"], q["purpose"]) for q in other
    ]
    assert [q["params"] for q in first] != [q["params"] for q in other]


def test_demo_samples_command_prints_the_same_list() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "gateway.cli", "demo", "samples", "--seed", "2026"],
        env={**os.environ, "ALLIANCE_LOG_FORMAT": "text"},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == sample_queries(2026)
