"""Every revert reason in the contract sources is documented and asserted by a contract test."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SOURCES = REPO / "contracts" / "src"
GOVERNED_REASON = re.compile(r'_refuse\("([^"]+)"\)')
REASON = re.compile(r'"(\w+): ([^"]+)"')
COMMENT = re.compile(r"//.*$", re.MULTILINE)


def contract_reasons() -> list[tuple[str, str]]:
    found = set()
    for source in SOURCES.glob("*.sol"):
        code = COMMENT.sub("", source.read_text(encoding="utf-8"))
        for contract, reason in REASON.findall(code):
            assert contract == source.stem, f"{source.name} uses the prefix {contract}"
            found.add((contract, reason))
    return sorted(found)


def governed_reasons() -> list[str]:
    return sorted(GOVERNED_REASON.findall((SOURCES / "Governed.sol").read_text(encoding="utf-8")))


def doc_section(title: str) -> str:
    text = (REPO / "docs" / "contracts.md").read_text(encoding="utf-8")
    start = text.index(f"\n## {title}")
    end = text.find("\n## ", start + 1)
    return text[start:end]


def test_there_are_reasons_to_check():
    assert len(contract_reasons()) > 50
    assert "caller is not a governor" in governed_reasons()


@pytest.mark.parametrize(("contract", "reason"), contract_reasons())
def test_each_reason_is_documented_and_tested(contract, reason):
    assert reason in doc_section(contract), f"docs/contracts.md does not list {reason!r}"
    tests = "".join(
        path.read_text(encoding="utf-8") for path in Path(__file__).parent.glob("test_*.py")
    )
    assert f'"{contract}: {reason}"' in tests, f"no test expects {contract}: {reason}"


@pytest.mark.parametrize("reason", governed_reasons())
def test_each_governor_reason_is_documented_and_tested(reason):
    assert reason in doc_section("Governed")
    assert f"{{name}}: {reason}" in (Path(__file__).parent / "test_governed.py").read_text()
