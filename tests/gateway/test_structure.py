"""The package structure: layers only downward, no import cycles, small modules.

The contracts live in setup.cfg (``[importlinter]``) and are explained in
docs/adr/0008-one-import-root-and-layers.md. A new upward import or cycle fails here.
"""

from __future__ import annotations

import configparser
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
MAX_MODULE_LINES = 400


def _lint(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(config)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_every_import_contract_is_kept() -> None:
    result = _lint(ROOT / "setup.cfg")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def test_an_upward_import_breaks_the_layers(tmp_path: Path) -> None:
    """The same contract with two layers swapped must fail: the check really looks."""
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    section = config["importlinter:contract:layers"]
    layers = section["layers"].strip().splitlines()
    chain = layers.index("chain")
    crypto = next(i for i, layer in enumerate(layers) if "crypto" in layer.split(" | "))
    layers[chain], layers[crypto] = layers[crypto], layers[chain]
    section["layers"] = "\n" + "\n".join(layers)
    written = tmp_path / "layers.cfg"
    with written.open("w") as handle:
        config.write(handle)
    result = _lint(written)
    assert result.returncode != 0
    assert "packages depend only downward BROKEN" in result.stdout
    assert "gateway.chain is not allowed to import gateway.crypto" in result.stdout


def test_one_import_root() -> None:
    packages = [p.name for p in ROOT.iterdir() if (p / "__init__.py").is_file()]
    assert packages == ["gateway"]


def test_modules_stay_small() -> None:
    big = {
        str(path.relative_to(ROOT)): lines
        for path in (ROOT / "gateway").rglob("*.py")
        if "migrations" not in path.parts
        and (lines := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert big == {}, f"split by responsibility: {big}"
