"""The FISCO BCOS conformance vectors copied into tests/data/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"


def load_vectors(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))
