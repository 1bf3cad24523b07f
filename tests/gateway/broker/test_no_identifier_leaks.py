"""No resident identity number leaves the gateway in clear where no grant allows it.

Every simulated answer of every service is scanned: each catalogue entry, each query of
``alliance demo samples``, and variants of them (other residents, every certificate type,
an identity number in the case reference, a consumer without a grant, a replayed retry). The
answers, their receipts, what the gateway stores of them, the audit export workbook and the
console pages must hold no 18-character run shaped like one (digits, or 17 digits and X).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.audit.workbook import export_workbook
from gateway.catalog.ports import EntryQuery
from gateway.console.roles import ConsoleRole
from gateway.crypto.sm4 import unseal
from gateway.evidence.tables import AccessRecordRow
from gateway.providers.certificates import CERTIFICATE_TYPES
from gateway.providers.dataset import build_dataset
from gateway.providers.samples import sample_queries
from tests.alliance_support import Alliance
from tests.gateway.console.conftest import csrf_of
from tests.gateway.console.test_titles import crawl

CANDIDATE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # GB 11643-1999 table 1


def _is_identity_number(text: str) -> bool:
    """A 公民身份号码 by GB 11643-1999 (here on its own, not the gateway's classifier): a
    birth date at characters 7-14 and the MOD 11-2 check character. Other 18-digit numbers
    (a tax voucher number, say) are not."""
    try:
        date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return False
    total = sum(int(digit) * weight for digit, weight in zip(text, WEIGHTS, strict=False))
    return "10X98765432"[total % 11] == text[17].upper()


def leaks(text: str) -> list[str]:
    return [found for found in CANDIDATE.findall(text) if _is_identity_number(found)]


def _bodies(seed: int) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(consumer, entry, body) for every sample query and its variants."""
    dataset = build_dataset(seed)
    residents = [p.id_number for p in dataset.persons if p.alive][:3]
    samples = sample_queries(seed)
    for sample in samples:
        base = {"purpose": sample["purpose"], "params": sample["params"]}
        consumer, entry = sample["consumer"], sample["entry_id"]
        yield consumer, entry, base
        yield consumer, entry, {**base, "case_ref": f"(2026)苏01执{residents[0]}号"}
        for name, value in sample["params"].items():
            if isinstance(value, str) and leaks(value):
                for other in residents:
                    yield consumer, entry, {**base, "params": {**sample["params"], name: other}}
        yield "GAO", entry, base  # the office holds no grant: refused, or unconditional
        yield consumer, entry, {**base, "purpose": residents[1]}  # no grant for this "matter"
    verify = next(s for s in samples if s["entry_id"] == "ECERT-VERIFY")
    for certificate_type in CERTIFICATE_TYPES:
        held = [c for c in dataset.certificates if c.type == certificate_type][:2]
        for certificate in held:
            params = {
                "certificate_number": certificate.number,
                "certificate_type": certificate.type.code,
                "holder_id_number": certificate.holder_id,
            }
            body = {"purpose": verify["purpose"], "params": params}
            yield verify["consumer"], "ECERT-VERIFY", body
    refused = {"purpose": verify["purpose"], "params": {"id_number": residents[0]}}
    yield "NRD", "PSB-RECORD", refused


def _ask_everything(alliance: Alliance) -> list[Any]:
    seed = alliance.settings.providers.simulator_seed
    tokens: dict[str, str] = {}
    answers = []
    for number, (consumer, entry, body) in enumerate(_bodies(seed)):
        token = tokens.setdefault(consumer, alliance.token(consumer))
        key = {"Idempotency-Key": f"scan-{number}"}
        answer = alliance.query(token, entry, body, **key)
        assert answer.status_code < 500 or answer.status_code in (502, 503, 504), answer.text
        answers.append(answer)
        if number % 7 == 0:
            replayed = alliance.query(token, entry, body, **key)
            assert replayed.headers.get("Idempotent-Replayed") == "true"
            answers.append(replayed)
    return answers


def test_no_clear_identity_number_anywhere(alliance: Alliance, tmp_path: Path) -> None:
    container = alliance.container
    every_entry = {entry.id for entry in container.catalog.find(EntryQuery(limit=1000))}
    started = datetime.now(UTC) - timedelta(minutes=1)
    answers = _ask_everything(alliance)
    asked = {a.get_json()["entry_id"] for a in answers}
    assert asked == every_entry
    allowed = [a for a in answers if a.status_code == 200]
    assert {a.get_json()["entry_id"] for a in allowed} >= every_entry - {"PSB-RECORD"}

    for answer in answers:
        text = answer.get_data(as_text=True)
        assert not leaks(text), (answer.get_json()["entry_id"], leaks(text), text[:400])
        assert not leaks(json.dumps(answer.get_json().get("receipt"), ensure_ascii=False))

    verified = [a.get_json()["data"] for a in allowed if a.get_json()["entry_id"] == "ECERT-VERIFY"]
    # identity cards: the certificate number is the holder's identity number, masked
    assert any(d.get("certificate_number", "").count("*") == 8 for d in verified)

    with Session(container.engine) as session:
        rows = session.scalars(select(AccessRecordRow)).all()
    assert len(rows) >= len(answers) - len(answers) // 7
    key = container.storage_key()
    for row in rows:
        stored = [row.receipt or ""]
        if row.reply is not None:
            stored.append(unseal(key, row.reply, row.request_id.encode()).decode())
        for text in stored:
            assert not leaks(text), (row.entry_id, leaks(text))

    auditor = {"Authorization": f"Bearer {alliance.token('GAO')}"}
    cursor: str | None = None
    searched = 0
    while True:
        query = {"limit": 100, **({"after": cursor} if cursor else {})}
        found = alliance.client.get("/api/v1/audit/records", query_string=query, headers=auditor)
        assert found.status_code == 200, found.text
        assert not leaks(found.get_data(as_text=True)), leaks(found.get_data(as_text=True))
        searched += len(found.get_json()["items"])
        cursor = found.get_json()["next_cursor"]
        if cursor is None:
            break
    assert searched == len(rows)

    container.anchorer.run_once()
    workbook_path = tmp_path / "audit.xlsx"
    result = export_workbook(
        container.engine,
        workbook_path,
        start=started,
        end=datetime.now(UTC) + timedelta(minutes=1),
        signer=container.gateway_key(),
    )
    assert result.rows == len(rows)
    workbook = load_workbook(workbook_path)
    for sheet in workbook.worksheets:
        for line in sheet.iter_rows(values_only=True):
            for value in line:
                assert not leaks(str(value)), (sheet.title, value)

    accounts = container.console.accounts
    accounts.create("scan-admin", "扫描", ConsoleRole.ADMIN, "correct horse battery", None)
    client = alliance.app.test_client()
    login = client.get("/console/login")
    client.post(
        "/console/login",
        data={
            "username": "scan-admin",
            "password": "correct horse battery",
            "csrf_token": csrf_of(login.text),
        },
    )
    pages = crawl(client, "/console/", limit=150)
    assert any("/console/audit/" in path for path in pages)
    details = [f"/console/audit/{row.request_id}" for row in rows]
    for path in [*pages, *details]:
        page = client.get(path).get_data(as_text=True)
        assert not leaks(page), (path, leaks(page))
