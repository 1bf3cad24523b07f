"""A module-wide gateway app over a private copy of the seeded alliance."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.settings import Settings, load_settings
from tests.conftest import FAST_CHAIN


def seeded_settings_copy(
    template: Path, tmp_path_factory: pytest.TempPathFactory, name: str, **overrides: str
) -> Settings:
    data_dir = tmp_path_factory.mktemp(name) / "var"
    shutil.copytree(template, data_dir)
    (data_dir / "chain" / "endpoint.json").unlink(missing_ok=True)
    environ = {"ALLIANCE_DATA_DIR": str(data_dir), "ALLIANCE_LOG_FORMAT": "text"}
    environ.update({f"ALLIANCE_{k.upper()}": v for k, v in {**FAST_CHAIN, **overrides}.items()})
    return load_settings(environ=environ)


def open_seeded_app(settings: Settings) -> Iterator[object]:
    from gateway import create_app

    app = create_app(settings)
    yield app
    app.extensions["alliance"].close()
