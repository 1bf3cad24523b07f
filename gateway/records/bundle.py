"""Backup and restore of the records as one signed, verifiable bundle (JSON).

The bundle holds every version of every record: content in clear, metadata, hash, the
on-chain facts read back from ``RecordStore``, the transaction and block. Its manifest names
the source chain and carries ``records_digest``, SM3 (GB/T 32905) of the RFC 8785 canonical
JSON of the ``records`` array; the gateway's SM2 key (GB/T 32918.2, user ID
``1234567812345678``) signs the canonical JSON of the manifest. Restoring checks the
signature and every hash, then replays each version into this deployment's ``RecordStore``,
so the records verify on a chain that never saw them. docs/records.md gives the format.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from gateway.crypto.canonical import canonical_json, message_digest
from gateway.crypto.errors import CanonicalJsonError, InvalidKeyError, InvalidSignatureEncoding
from gateway.crypto.signing import address_of
from gateway.crypto.sm2 import DEFAULT_USER_ID, Sm2PrivateKey, Sm2PublicKey, Sm2Signature
from gateway.records.errors import BackupRefused, InvalidBundle, InvalidRecord, RecordStoreConflict
from gateway.records.model import (
    KEY_PATTERN,
    RecordDraft,
    RecordType,
    VerifiedRecord,
    key_hash,
    record_digest,
)
from gateway.records.service import RecordService

FORMAT = "alliance-records-bundle"
BUNDLE_VERSION = 1


def _version_document(record: VerifiedRecord) -> dict[str, Any]:
    assert record.chain is not None and record.created_at is not None  # noqa: S101 - verified
    return {
        "index": record.index,
        "content": record.content,
        "metadata": record.metadata,
        "content_hash": record.content_hash,
        "uploader": record.uploader,
        "organisation": record.organisation,
        "data_source": record.data_source,
        "record_type": record.record_type,
        "tombstone": record.deleted,
        "created_at": record.created_at.isoformat(),
        "tx_hash": record.tx_hash,
        "block_number": record.block_number,
        "origin": record.origin,
        "chain": record.chain.document(),
    }


def build_bundle(service: RecordService, signer: Sm2PrivateKey) -> dict[str, Any]:
    """Every record, every version, verified first: a record that does not verify stops it."""
    records = []
    problems = []
    for key in service.index.record_keys():
        history = service.history(key)
        problems += [
            {"key": key, "version": v.index, "problem": v.problem}
            for v in history
            if not v.verified
        ]
        records.append(
            {
                "key": key,
                "key_hash": key_hash(key),
                "versions": [_version_document(v) for v in history if v.verified],
            }
        )
    if problems:
        raise BackupRefused(
            f"{len(problems)} record versions do not verify against the chain", problems=problems
        )
    public_key = signer.public_key
    manifest = {
        "format": FORMAT,
        "bundle_version": BUNDLE_VERSION,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "source": service.ledger.describe(),
        "signer": {
            "key_id": address_of(public_key),
            "public_key": public_key.to_bytes().hex(),
            "sm2_user_id": DEFAULT_USER_ID.decode(),
        },
        "record_count": len(records),
        "version_count": sum(len(r["versions"]) for r in records),
        "records_digest": "0x" + message_digest(records).hex(),
    }
    signature = signer.sign(canonical_json(manifest), DEFAULT_USER_ID).to_raw()
    return {"manifest": manifest, "signature": "0x" + signature.hex(), "records": records}


@dataclass
class BundleFacts:
    signer: str
    source: dict[str, Any]
    record_count: int
    version_count: int


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def check(self, condition: bool, problem: str) -> bool:
        if not condition:
            self.items.append(problem)
        return condition


def _signature_valid(manifest: Mapping[str, Any], signature: object) -> str | None:
    """The signer's key id when the manifest's signature verifies, else None."""
    try:
        signer = manifest["signer"]
        public_key = Sm2PublicKey.from_bytes(bytes.fromhex(signer["public_key"]))
        user_id = str(signer.get("sm2_user_id", DEFAULT_USER_ID.decode())).encode()
        if not isinstance(signature, str) or not signature.startswith("0x"):
            return None
        parsed = Sm2Signature.from_raw(bytes.fromhex(signature[2:]))
        message = canonical_json(dict(manifest))
    except (KeyError, TypeError, ValueError, InvalidKeyError, InvalidSignatureEncoding):
        return None
    if not public_key.verify(message, parsed, user_id):
        return None
    key_id = address_of(public_key)
    return key_id if key_id == signer.get("key_id") else None


def _check_version(key: str, position: int, version: Any, problems: _Problems) -> None:
    where = f"{key} v{position}"
    if not problems.check(isinstance(version, dict), f"{where}: not an object"):
        return
    problems.check(version.get("index") == position, f"{where}: versions out of order")
    try:
        digest = record_digest(version.get("content"), version.get("metadata") or {})
    except InvalidRecord as exc:
        problems.check(False, f"{where}: {exc.detail}")
        return
    problems.check(digest == version.get("content_hash"), f"{where}: content hash mismatch")
    chain = version.get("chain")
    if not problems.check(isinstance(chain, dict), f"{where}: no on-chain entry"):
        return
    for name in ("content_hash", "uploader", "organisation", "data_source", "record_type"):
        problems.check(chain.get(name) == version.get(name), f"{where}: {name} differs from chain")
    problems.check(
        chain.get("tombstone") == version.get("tombstone"), f"{where}: tombstone differs"
    )
    problems.check(isinstance(chain.get("recorded_at"), int), f"{where}: no on-chain time")
    problems.check(
        isinstance(version.get("tx_hash"), str) and isinstance(version.get("block_number"), int),
        f"{where}: no transaction",
    )
    try:
        RecordType.parse(str(version.get("record_type")))
        datetime.fromisoformat(str(version.get("created_at")))
    except InvalidRecord as exc:
        problems.check(False, f"{where}: {exc.detail}")
    except ValueError as exc:
        problems.check(False, f"{where}: created_at is not an ISO time ({exc})")


def verify_bundle(bundle: object, expected_signer: str | None = None) -> BundleFacts:
    """Check the signature, the records digest and every version's hash; raise
    :class:`InvalidBundle` listing every problem found."""
    problems = _Problems()
    if not isinstance(bundle, dict) or not isinstance(bundle.get("manifest"), dict):
        raise InvalidBundle("not a records bundle: no manifest")
    manifest = bundle["manifest"]
    records = bundle.get("records")
    if manifest.get("format") != FORMAT or manifest.get("bundle_version") != BUNDLE_VERSION:
        raise InvalidBundle(f"not a {FORMAT} version {BUNDLE_VERSION}")
    signer = _signature_valid(manifest, bundle.get("signature"))
    problems.check(signer is not None, "the manifest's SM2 signature does not verify")
    if expected_signer is not None:
        problems.check(
            signer == expected_signer.lower(), f"signed by {signer}, not {expected_signer}"
        )
    if not isinstance(records, list):
        raise InvalidBundle("the bundle has no records", problems=problems.items)
    try:
        digest = "0x" + message_digest(records).hex()
    except CanonicalJsonError as exc:
        raise InvalidBundle(f"the records have no canonical form: {exc}") from exc
    problems.check(digest == manifest.get("records_digest"), "records digest mismatch")
    versions = 0
    for record in records:
        key = record.get("key") if isinstance(record, dict) else None
        if not problems.check(
            isinstance(key, str) and bool(KEY_PATTERN.match(key)), f"bad record key {key!r}"
        ):
            continue
        assert isinstance(record, dict) and isinstance(key, str)  # noqa: S101 - checked above
        problems.check(record.get("key_hash") == key_hash(key), f"{key}: key hash mismatch")
        history = record.get("versions")
        if not isinstance(history, list) or not history:
            problems.check(False, f"{key}: no versions")
            continue
        for position, version in enumerate(history):
            _check_version(key, position, version, problems)
        versions += len(history)
    problems.check(manifest.get("record_count") == len(records), "record count mismatch")
    problems.check(manifest.get("version_count") == versions, "version count mismatch")
    if problems.items:
        raise InvalidBundle(
            f"the bundle does not verify ({len(problems.items)} problems)",
            problems=problems.items,
        )
    assert signer is not None  # noqa: S101 - a problem otherwise
    return BundleFacts(
        signer=signer,
        source=dict(manifest.get("source") or {}),
        record_count=len(records),
        version_count=versions,
    )


@dataclass
class RestoreReport:
    signer: str
    source: dict[str, Any]
    target: dict[str, Any]
    records: int = 0
    versions_written: int = 0
    versions_present: int = 0
    verified: int = 0
    unverified: list[str] = field(default_factory=list)


def _present(service: RecordService, key: str, history: list[dict[str, Any]]) -> int:
    """How many of ``history``'s versions this deployment already holds (a prefix)."""
    stored = service.index.versions(key)
    on_chain = service.ledger.version_count(key_hash(key))
    same = len(stored) == on_chain and len(stored) <= len(history)
    same = same and all(
        s.version.content_hash == h["content_hash"] and s.version.tombstone == h["tombstone"]
        for s, h in zip(stored, history, strict=False)
    )
    if not same:
        raise RecordStoreConflict(f"record {key!r} exists here with a different history", key=key)
    return len(stored)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _origin(version: dict[str, Any], source: dict[str, Any]) -> dict[str, Any]:
    if version.get("origin"):
        return dict(version["origin"])
    return {
        **source,
        "tx_hash": version["tx_hash"],
        "block_number": version["block_number"],
        "recorded_at": version["chain"]["recorded_at"],
    }


def restore_bundle(
    service: RecordService, bundle: dict[str, Any], expected_signer: str | None = None
) -> RestoreReport:
    """Verify, check nothing conflicts, replay what is missing, then verify every record."""
    facts = verify_bundle(bundle, expected_signer)
    report = RestoreReport(
        signer=facts.signer, source=facts.source, target=service.ledger.describe()
    )
    records = bundle["records"]
    present = {r["key"]: _present(service, r["key"], r["versions"]) for r in records}
    for record in records:
        key = record["key"]
        report.records += 1
        report.versions_present += present[key]
        for version in record["versions"][present[key] :]:
            draft = RecordDraft(
                key=key,
                content=version["content"],
                record_type=RecordType.parse(version["record_type"]),
                data_source=version["data_source"],
                organisation=version["organisation"],
                uploader=version["uploader"],
                metadata=version["metadata"] or {},
                tombstone=version["tombstone"],
            )
            written = service.restore_version(
                draft,
                created_at=_aware(datetime.fromisoformat(version["created_at"])),
                origin=_origin(version, facts.source),
            )
            if written.index != version["index"]:
                raise RecordStoreConflict(
                    f"record {key!r} got version {written.index} here, not {version['index']}",
                    key=key,
                )
            report.versions_written += 1
        if all(v.verified for v in service.history(key)):
            report.verified += 1
        else:
            report.unverified.append(key)
    return report
