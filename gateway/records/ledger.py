"""``RecordStore`` on chain as the record service's ledger port."""

from __future__ import annotations

from typing import Any

from gateway.onchain.bound import BoundContract, hash_to_bytes32
from gateway.records.errors import RecordLedgerRefused
from gateway.records.model import ChainVersion
from gateway.records.ports import Written


def _hex(value: bytes) -> str:
    return "0x" + bytes(value).hex()


class ChainRecordLedger:
    def __init__(self, store: BoundContract) -> None:
        self.store = store

    def put_version(
        self,
        key_hash: str,
        content_hash: str,
        uploader: str,
        organisation: str,
        data_source: str,
        record_type: str,
        tombstone: bool,
    ) -> Written:
        receipt = self.store.send(
            "putVersion",
            hash_to_bytes32(key_hash),
            hash_to_bytes32(content_hash),
            uploader,
            organisation,
            data_source,
            record_type,
            tombstone,
        )
        events = [
            event
            for event in self.store.contract.decode_logs(receipt)
            if event.name == "RecordVersionPut"
        ]
        if len(events) != 1:
            raise RecordLedgerRefused(
                f"transaction {receipt.transaction_hash} carries no RecordVersionPut event"
            )
        return Written(
            index=int(events[0].args["version"]),
            tx_hash=receipt.transaction_hash,
            block_number=receipt.block_number,
        )

    def version_count(self, key_hash: str) -> int:
        return int(self.store.call("versionCount", hash_to_bytes32(key_hash)))

    def version(self, key_hash: str, index: int) -> ChainVersion:
        """Version ``index`` (below :meth:`version_count`)."""
        content_hash, uploader, organisation, source, kind, tombstone, at, writer = self.store.call(
            "getVersion", hash_to_bytes32(key_hash), index
        )
        return ChainVersion(
            content_hash=_hex(content_hash),
            uploader=uploader,
            organisation=organisation,
            data_source=source,
            record_type=kind,
            tombstone=bool(tombstone),
            recorded_at=int(at),
            writer=str(writer),
        )

    def describe(self) -> dict[str, Any]:
        """The chain and contract the versions live on, as a bundle names its source."""
        contract = self.store.contract
        client = contract.client
        return {
            "suite": client.suite.name,
            "chain_id": str(client.chain_id),
            "group_id": str(client.group_id),
            "record_store": contract.address,
        }
