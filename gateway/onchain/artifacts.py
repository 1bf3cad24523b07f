"""Where the compiled alliance contracts are found (``contracts/build/solc-0.8.11``)."""

from __future__ import annotations

import sys
from pathlib import Path

from gateway.chain.artifact import ContractArtifact

DEFAULT_COMPILER = "solc-0.8.11"
ALLIANCE_CONTRACTS = (
    "MemberRegistry",
    "DataCatalog",
    "AccessGrants",
    "EvidenceLedger",
    "FederationLedger",
    "RecordStore",
    "TransferCase",
    "Supervision",
)


class ArtifactsMissing(FileNotFoundError):
    code = "contract_artifacts_missing"


def artifacts_dir(compiler: str = DEFAULT_COMPILER) -> Path:
    """The source tree's ``contracts/build/<compiler>`` or the installed copy."""
    candidates = [
        Path(__file__).resolve().parents[2] / "contracts" / "build" / compiler,
        Path(sys.prefix) / "share" / "alliance-gateway" / "contracts" / compiler,
    ]
    for candidate in candidates:
        if (candidate / "MemberRegistry.json").is_file():
            return candidate
    raise ArtifactsMissing(f"no contract artefacts in {', '.join(map(str, candidates))}")


def load_artifacts(directory: Path | None = None) -> dict[str, ContractArtifact]:
    directory = directory or artifacts_dir()
    return {
        name: ContractArtifact.from_file(directory / f"{name}.json") for name in ALLIANCE_CONTRACTS
    }
