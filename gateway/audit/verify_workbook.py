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

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from gateway.audit.manifest import (
    ANCHORS_SHEET,
    MANIFEST_SHEET,
    MANIFEST_VERSION,
    METADATA_LABELS,
    RECORDS_SHEET,
    SUMMARY_SHEET,
    AuditWorkbookError,
    ManifestDigest,
    key_fingerprint,
    key_id_of,
    manifest_signature_valid,
)
from gateway.audit.summary import summary_rows
from gateway.audit.verify_chain import ChainLookupError, ChainReader, rpc_reader
from gateway.audit.verify_records import RecordsCheck
from gateway.audit.verify_sheets import (
    NOT_CHECKED,
    Batch,
    Failure,
    Manifest,
    WorkbookReport,
    compare_summary,
    read_anchors,
    read_manifest,
)
from gateway.crypto.errors import InvalidKeyError
from gateway.crypto.sm2 import Sm2PublicKey

SHEETS = (SUMMARY_SHEET, RECORDS_SHEET, ANCHORS_SHEET, MANIFEST_SHEET)


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
        records = RecordsCheck(report, manifest, batches)
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


__all__ = [
    "NOT_CHECKED",
    "ChainLookupError",
    "ChainReader",
    "Failure",
    "WorkbookReport",
    "rpc_reader",
    "verify_workbook",
]
