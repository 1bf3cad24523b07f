"""Offline verification of an audit workbook, as an auditor holding only the file runs it.

Needs only public material: the signer's public key is in the signed metadata, and is trusted
when it equals a key the auditor was given (``public_key``), matches a published fingerprint
(``fingerprint``) or is an authorised gateway of the ``EvidenceLedger`` on the chain (with an
RPC URL); otherwise the report says ``signer_key: not_checked``. Checks, per records-sheet row:
the date cells agree with their RFC 3339 text; the row's SM3 digest (RFC 8785 canonical JSON)
equals the manifest's at the same position; for an anchored row, the evidence leaf rebuilt from
the row's 13 evidence fields (docs/evidence.md) leads through the row's RFC 6962 audit path
(RFC 9162 §2.1.3.2) to the row's batch root at the position the anchors sheet gives, and the
row's transaction and block are the batch's. The anchors sheet is checked row by row against
its manifest digests, the manifest strictly (layout, counts, digest, SM2 signature), and the
summary sheet cell by cell against the rows rebuilt from the signed content. With an RPC URL,
each distinct root is looked up in ``EvidenceLedger`` (``batchByRoot``, or ``recordByDigest``
for direct anchoring); without one the report says ``roots_on_chain: not_checked``. A failed
check is an answer naming sheet, row and (where one cell is at fault) column, not an exception.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Protocol
from xml.etree.ElementTree import ParseError

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from gateway.audit.manifest import (
    ANCHORS_SHEET,
    COLUMN_INDEX,
    MANIFEST_SHEET,
    MANIFEST_VERSION,
    METADATA_LABELS,
    RECORD_COLUMNS,
    RECORDS_SHEET,
    SUMMARY_SHEET,
    TIME_TEXT_COLUMNS,
    AuditWorkbookError,
    ManifestDigest,
    key_fingerprint,
    key_id_of,
    manifest_signature_valid,
    row_digest,
)
from gateway.audit.summary import Tallies, summary_rows
from gateway.audit.verify_sheets import (
    Batch,
    DigestEntry,
    Failure,
    Failures,
    Manifest,
    column_letter,
    compare_summary,
    extra_cell,
    read_anchors,
    read_manifest,
    time_problem,
)
from gateway.crypto.errors import InvalidKeyError
from gateway.crypto.sm2 import Sm2PublicKey
from gateway.errors import GatewayError
from gateway.evidence.digests import EVIDENCE_FIELDS, EvidenceFormatError, evidence_leaf
from gateway.evidence.merkle import leaf_hash, root_from_inclusion_proof

SHEETS = (SUMMARY_SHEET, RECORDS_SHEET, ANCHORS_SHEET, MANIFEST_SHEET)
NOT_CHECKED = "not_checked"
RECORD_HEADERS = tuple(column.header for column in RECORD_COLUMNS)

ChainLookup = Callable[[str, str], "tuple[int, int] | None"]
"""``lookup(root, mode)`` → (count, first sequence) on chain, or None when not anchored."""


class ChainReader(Protocol):
    def batch(self, root: str, mode: str) -> tuple[int, int] | None:
        """(count, first sequence) of the anchored root, or None when not anchored."""

    def is_gateway(self, key_id: str) -> bool:
        """Whether the account is an authorised gateway of the ledger."""


class ChainLookupError(GatewayError):
    """The chain named by ``--rpc`` could not be read (not a verification failure)."""

    code: ClassVar[str] = "audit_chain_unreachable"
    status: ClassVar[int] = 502
    title: ClassVar[str] = "Chain unreachable"


@dataclass
class WorkbookReport:
    """Every failure found (first one first) and what was checked."""

    rows: int = 0
    anchored_rows: int = 0
    roots: int = 0
    roots_on_chain: int | None = None
    signature_ok: bool = False
    signer_key: list[str] = field(default_factory=list)
    failures: Failures = field(default_factory=Failures)

    @property
    def ok(self) -> bool:
        """No check failed (some may not have been run: see :attr:`complete`)."""
        return not self.failures

    @property
    def complete(self) -> bool:
        """Passed, with the signer's key trusted and every root checked on the chain."""
        return self.ok and bool(self.signer_key) and self.roots_on_chain is not None

    @property
    def first_failure(self) -> Failure | None:
        return self.failures[0] if self.failures else None

    def fail(
        self, sheet: str, row: int | None, check: str, detail: str, column: str | None = None
    ) -> None:
        self.failures.add(sheet, row, check, detail, column)

    def to_dict(self) -> dict[str, object]:
        first = self.first_failure
        return {
            "ok": self.ok,
            "complete": self.complete,
            "rows": self.rows,
            "anchored_rows": self.anchored_rows,
            "roots": self.roots,
            "roots_on_chain": NOT_CHECKED if self.roots_on_chain is None else self.roots_on_chain,
            "signature_ok": self.signature_ok,
            "signer_key": self.signer_key or NOT_CHECKED,
            "first_failure": None if first is None else first.to_dict(),
            "failures": len(self.failures),
        }


def _open(path: str | Path) -> Any:
    try:
        workbook = load_workbook(path, read_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, ParseError) as exc:
        raise AuditWorkbookError(f"{Path(path).name} is not an Excel workbook ({exc})") from exc
    missing = [name for name in SHEETS if name not in workbook.sheetnames]
    if missing:
        workbook.close()
        raise AuditWorkbookError(f"the workbook has no sheet {missing[0]!r}")
    return workbook


def _rows(workbook: Any, name: str) -> Iterator[tuple[Any, ...]]:
    yield from workbook[name].iter_rows(values_only=True)


def _evidence_fields(values: list[Any]) -> dict[str, object]:
    fields = {name: values[COLUMN_INDEX[name]] for name in EVIDENCE_FIELDS}
    fields["received_at"] = values[COLUMN_INDEX["received_at_text"]]
    fields["responded_at"] = values[COLUMN_INDEX["responded_at_text"]]
    return fields


def _inclusion_problem(
    values: list[Any], batches: dict[str, Batch]
) -> tuple[str, str, str | None] | None:
    root = values[COLUMN_INDEX["batch_root"]]
    batch = batches.get(root)
    if batch is None:
        return "anchor_listed", f"batch root {root} is not in the anchors sheet", "N"
    sequence, index = values[COLUMN_INDEX["sequence"]], values[COLUMN_INDEX["leaf_index"]]
    if not isinstance(sequence, int) or not isinstance(index, int):
        return "anchored_position", "sequence and leaf index must be integers", None
    if sequence - batch.first != index:
        return "anchored_position", f"sequence {sequence} is not leaf {index} of its batch", None
    for name, expected in (("tx_hash", batch.tx_hash), ("block", batch.block)):
        if values[COLUMN_INDEX[name]] != expected:
            column = COLUMN_INDEX[name]
            detail = f"{RECORD_COLUMNS[column].header} is not the anchors sheet's {expected!r}"
            return "anchor_cells", detail, column_letter(column)
    try:
        leaf = leaf_hash(evidence_leaf(_evidence_fields(values)))
        path = [bytes.fromhex(node[2:]) for node in json.loads(values[COLUMN_INDEX["proof"]])]
        expected_root = bytes.fromhex(root[2:])
    except (EvidenceFormatError, ValueError, TypeError, AttributeError) as exc:
        return "evidence_leaf", f"the row's evidence cannot be rebuilt: {exc}", None
    if root_from_inclusion_proof(leaf, index, batch.count, path) != expected_root:
        return "inclusion", "the audit path does not lead to the batch root", None
    return None


class _RecordsCheck:
    """The records sheet, row by row, against the manifest's row digests."""

    def __init__(self, report: WorkbookReport, manifest: Manifest, batches: dict[str, Batch]):
        self.report = report
        self.entries = manifest.records
        self.batches = batches
        self.digest = ManifestDigest()
        self.tallies = Tallies()
        self.roots: dict[str, str] = {}
        self._positions: dict[object, int] | None = None

    def _moved(self, digest: str) -> DigestEntry | None:
        if self._positions is None:
            self._positions = {entry.digest: i for i, entry in enumerate(self.entries)}
        position = self._positions.get(digest)
        return None if position is None else self.entries[position]

    def header(self, row: tuple[Any, ...]) -> None:
        if tuple(row[: len(RECORD_HEADERS)]) != RECORD_HEADERS:
            self.report.fail(RECORDS_SHEET, 1, "layout", "the header row is not the export's")

    def row(self, number: int, row: tuple[Any, ...]) -> None:
        report = self.report
        width = len(RECORD_COLUMNS)
        values = list(row[:width]) + [None] * (width - len(row[:width]))
        report.rows += 1
        extra = extra_cell(row, width)
        if extra is not None:
            report.fail(RECORDS_SHEET, number, "layout", "an extra cell", column_letter(extra))
        problems: list[tuple[str, str, str | None]] = []
        for date_index, text_index in TIME_TEXT_COLUMNS.items():
            problem = time_problem(values, date_index, text_index, RECORD_HEADERS)
            if problem is not None:
                problems.append(("time_cell", problem, column_letter(date_index)))
        root = values[COLUMN_INDEX["batch_root"]]
        if root is not None:
            report.anchored_rows += 1
            inclusion = _inclusion_problem(values, self.batches)
            if inclusion is not None:
                problems.append(inclusion)
            elif root not in self.roots:
                direct = self.batches[root].prev_root == "direct"
                self.roots[root] = "direct" if direct else "batch"
        try:
            row_hash = row_digest(values)
        except AuditWorkbookError as exc:
            report.fail(RECORDS_SHEET, number, "row_digest", exc.detail)
            return
        self.digest.add_row(row_hash)
        self.tallies.add(values)
        position = report.rows - 1
        entry = self.entries[position] if position < len(self.entries) else None
        text = "0x" + row_hash.hex()
        if entry is None or entry.sheet_row != number or entry.digest != text:
            column = next((column for *_, column in problems if column), None)
            report.fail(RECORDS_SHEET, number, "row_digest", self._differs(text, column), column)
        for check, detail, column in problems:
            report.fail(RECORDS_SHEET, number, check, detail, column)

    def _differs(self, digest: str, column: str | None) -> str:
        moved = self._moved(digest)
        if moved is not None:
            return (
                f"the row is the manifest's row for sheet row {moved.sheet_row}: "
                "rows were deleted, inserted or reordered"
            )
        if column is not None:
            return f"the row differs from the manifest (column {column})"
        return "the row differs from the manifest"


def _signer_key(
    report: WorkbookReport,
    metadata: dict[str, Any],
    given: Sm2PublicKey | None,
    fingerprint: str | None,
) -> Sm2PublicKey | None:
    """The key the signature is checked with: the embedded one, when it is the given one."""
    embedded: Sm2PublicKey | None = None
    text = metadata.get("public_key")
    try:
        if isinstance(text, str) and text.startswith("0x"):
            embedded = Sm2PublicKey.from_bytes(bytes.fromhex(text[2:]))
    except (ValueError, InvalidKeyError):
        embedded = None
    if embedded is None:
        report.fail(MANIFEST_SHEET, None, "public_key", "the signer's public key is unreadable")
    key = embedded or given
    if key is None:
        return None
    if metadata.get("key_id") != key_id_of(key):
        report.fail(MANIFEST_SHEET, None, "signer", "key_id is not the public key's address")
        return None
    if given is not None:
        if given.to_bytes() != key.to_bytes():
            report.fail(MANIFEST_SHEET, None, "signer", "the manifest was not signed by this key")
            return None
        report.signer_key.append("public_key")
    if fingerprint is not None:
        wanted = fingerprint.lower()
        wanted = wanted if wanted.startswith("0x") else "0x" + wanted
        if wanted not in (key_fingerprint(key), key_id_of(key).lower()):
            report.fail(
                MANIFEST_SHEET, None, "signer", "the signer's key does not have this fingerprint"
            )
            return None
        report.signer_key.append("fingerprint")
    return key


def _check_manifest(
    report: WorkbookReport,
    digest: ManifestDigest,
    manifest: Manifest,
    key: Sm2PublicKey | None,
) -> None:
    metadata = manifest.metadata
    if len(manifest.records) != report.rows or metadata.get("row_count") != report.rows:
        report.fail(
            MANIFEST_SHEET,
            None,
            "row_count",
            f"{report.rows} records rows, manifest lists {len(manifest.records)}, "
            f"metadata says {metadata.get('row_count')}",
        )
    if metadata.get("anchor_count") != len(manifest.anchors):
        report.fail(MANIFEST_SHEET, None, "anchor_count", "anchor_count is not the anchors listed")
    signed = {name: metadata.get(name) for name in METADATA_LABELS}
    computed = digest.finish(signed)
    if metadata.get("manifest_digest") != "0x" + computed.hex():
        report.fail(
            MANIFEST_SHEET,
            manifest.digest_row,
            "manifest_digest",
            "the manifest digest is not the digest of the rows and metadata",
            "B",
        )
    if key is None:
        return
    user_id = str(metadata.get("sm2_user_id") or "").encode("utf-8")
    signature = metadata.get("signature")
    report.signature_ok = isinstance(signature, str) and manifest_signature_valid(
        computed, signature, key, user_id
    )
    if not report.signature_ok:
        report.fail(MANIFEST_SHEET, None, "signature", "the manifest signature is not valid")


def verify_workbook(
    path: str | Path,
    gateway_public_key: Sm2PublicKey | None = None,
    rpc_url: str | None = None,
    *,
    fingerprint: str | None = None,
    chain: ChainReader | None = None,
) -> WorkbookReport:
    """Check the audit workbook at ``path``; trust its signer's key when it is
    ``gateway_public_key``, has ``fingerprint`` or (with ``rpc_url`` or ``chain``) is an
    authorised gateway on the chain, where each root is then looked up too."""
    report = WorkbookReport()
    workbook = _open(path)
    try:
        manifest = read_manifest(_rows(workbook, MANIFEST_SHEET), report.failures)
        version = manifest.metadata.get("manifest_version")
        if version != MANIFEST_VERSION:
            raise AuditWorkbookError(
                f"manifest version {version!r} is not supported (this verifier reads "
                f"version {MANIFEST_VERSION})"
            )
        batches, roots, anchor_digests = read_anchors(
            _rows(workbook, ANCHORS_SHEET), manifest.anchors, report.failures
        )
        records = _RecordsCheck(report, manifest, batches)
        for number, row in enumerate(_rows(workbook, RECORDS_SHEET), start=1):
            if number == 1:
                records.header(row)
            else:
                records.row(number, row)
        for anchor_digest in anchor_digests:
            records.digest.add_row(anchor_digest)
        report.roots = len(records.roots)
        if list(workbook.sheetnames) != list(SHEETS):
            report.fail(SUMMARY_SHEET, None, "layout", f"the sheets are not {', '.join(SHEETS)}")
        expected = summary_rows(manifest.metadata, records.tallies, roots)
        compare_summary(_rows(workbook, SUMMARY_SHEET), expected, report.failures)
        key = _signer_key(report, manifest.metadata, gateway_public_key, fingerprint)
        _check_manifest(report, records.digest, manifest, key)
    finally:
        workbook.close()
    if chain is None and rpc_url is not None:
        chain = rpc_reader(
            rpc_url, manifest.metadata.get("evidence_ledger"), manifest.metadata.get("chain_suite")
        )
    if chain is not None:
        _check_chain(report, records.roots, batches, chain, manifest.metadata.get("key_id"))
    return report


def _check_chain(
    report: WorkbookReport,
    roots: dict[str, str],
    batches: dict[str, Batch],
    chain: ChainReader,
    key_id: object,
) -> None:
    if isinstance(key_id, str) and chain.is_gateway(key_id):
        report.signer_key.append("on_chain")
    elif not report.signer_key:
        report.fail(
            MANIFEST_SHEET, None, "signer", f"{key_id} is not an authorised gateway on chain"
        )
    report.roots_on_chain = 0
    for root, mode in roots.items():
        found = chain.batch(root, mode)
        batch = batches[root]
        if found is None:
            report.fail(ANCHORS_SHEET, None, "on_chain", f"batch root {root} is not on chain")
        elif found != (batch.count, batch.first):
            report.fail(
                ANCHORS_SHEET,
                None,
                "on_chain",
                f"batch root {root}: chain holds count {found[0]} from sequence {found[1]}",
            )
        else:
            report.roots_on_chain += 1


class _RpcReader:
    """``EvidenceLedger`` reads over JSON-RPC on any FISCO BCOS 2.x node."""

    def __init__(self, rpc_url: str, contract: str, suite: str) -> None:
        from gateway.chain.client import ChainClient
        from gateway.chain.suite import suite_by_name
        from gateway.chain.transport.http import HttpTransport
        from gateway.onchain.artifacts import load_artifacts

        self.rpc_url = rpc_url
        client = ChainClient(HttpTransport(rpc_url, timeout=10.0), suite_by_name(suite))
        self.ledger = client.contract(load_artifacts()["EvidenceLedger"], contract)

    def _call(self, function: str, *args: object) -> Any:
        from gateway.chain.errors import ChainError

        try:
            return self.ledger.call(function, *args)
        except ChainError as exc:
            from gateway.chain.errors import CallReverted

            if isinstance(exc, CallReverted):
                raise
            raise ChainLookupError(f"cannot read EvidenceLedger at {self.rpc_url}: {exc}") from exc

    def batch(self, root: str, mode: str) -> tuple[int, int] | None:
        from gateway.chain.errors import CallReverted

        digest = bytes.fromhex(root[2:])
        try:
            if mode == "direct":
                sequence, _ = self._call("recordByDigest", digest)
                return 1, int(sequence)
            _index, count, first, *_ = self._call("batchByRoot", digest)
        except CallReverted:
            return None
        return int(count), int(first)

    def is_gateway(self, key_id: str) -> bool:
        from gateway.chain.errors import CallReverted

        try:
            result = self._call("isGateway", key_id)
        except CallReverted:
            return False
        return bool(result[0] if isinstance(result, list | tuple) else result)


def rpc_reader(rpc_url: str, contract: object, suite: object) -> ChainReader:
    """The chain as the verifier reads it: the workbook's ``EvidenceLedger`` at ``rpc_url``."""
    if not isinstance(contract, str) or not contract:
        raise AuditWorkbookError("the workbook names no EvidenceLedger contract address")
    return _RpcReader(rpc_url, contract, str(suite or "sm"))


__all__ = [
    "NOT_CHECKED",
    "ChainLookupError",
    "ChainReader",
    "Failure",
    "WorkbookReport",
    "rpc_reader",
    "verify_workbook",
]
