"""A seeded alliance per level (province, city, county), initialised once per run."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.federation_support import initialise_templates


@pytest.fixture(scope="session")
def level_templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return initialise_templates(tmp_path_factory.mktemp("levels"))
