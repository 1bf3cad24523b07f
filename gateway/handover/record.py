"""The handover record: what the old chain had anchored when the alliance left it.

The record is RFC 8785 canonical JSON, signed by the gateway and by a quorum of member
departments (:mod:`gateway.witness.signatures`), and written on both chains as a
``RecordStore`` version under the key ``alliance.chain-handover`` whose content hash is the
SM3 digest of the signed document. It binds:

- the old chain (vendor, suite, chain and group ids, EvidenceLedger address) at a block
  (number and hash), and the new chain's ids and ledger;
- the last sequence and the latest batch root anchored on the old chain;
- the checkpoint (tree size = last sequence, RFC 9162 root) of the whole evidence log, which
  lets any record of the old chain be proved by an inclusion proof in that checkpoint when the
  old chain is gone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gateway.crypto.canonical import canonical_json
from gateway.crypto.hashing import sm3
from gateway.errors import GatewayError
from gateway.evidence.consistency import Checkpoint, MalformedCheckpoint
from gateway.witness.signatures import signature_valid

HANDOVER_VERSION = 1
RECORD_KEY = "alliance.chain-handover"


class MalformedHandover(GatewayError):
    code = "malformed_handover"
    status = 400
    title = "Malformed handover record"


@dataclass(frozen=True)
class HandoverRecord:
    body: dict[str, Any]
    signatures: tuple[dict[str, Any], ...]

    @property
    def signing_input(self) -> bytes:
        return canonical_json(self.body)

    @property
    def checkpoint(self) -> Checkpoint:
        try:
            return Checkpoint.from_dict(self.body["log_checkpoint"])
        except (KeyError, MalformedCheckpoint) as exc:
            raise MalformedHandover("the handover record has no log checkpoint") from exc

    @property
    def last_sequence(self) -> int:
        return int(self.body["last_sequence"])

    def to_dict(self) -> dict[str, Any]:
        return {"record": self.body, "signatures": list(self.signatures)}

    @property
    def digest(self) -> bytes:
        """SM3 of the canonical signed document: the content hash written on both chains."""
        return sm3(canonical_json(self.to_dict()))

    @classmethod
    def from_dict(cls, data: object) -> HandoverRecord:
        if not isinstance(data, dict) or not isinstance(data.get("record"), dict):
            raise MalformedHandover("a handover document is {record, signatures}")
        signatures = data.get("signatures")
        if not isinstance(signatures, list) or not all(isinstance(s, dict) for s in signatures):
            raise MalformedHandover("signatures must be a list of objects")
        body = data["record"]
        if body.get("handover_version") != HANDOVER_VERSION:
            raise MalformedHandover("unknown handover_version")
        return cls(body, tuple(signatures))

    def check_signatures(
        self, gateway_public_key: bytes, members: dict[str, bytes], quorum: int
    ) -> tuple[bool, str]:
        """The gateway signed, and at least ``quorum`` distinct members with their registered
        keys did; (ok, detail)."""
        message = self.signing_input
        gateway = [s for s in self.signatures if s.get("party") == "gateway"]
        if not any(signature_valid(s, message, gateway_public_key) for s in gateway):
            return False, "no valid gateway signature"
        valid = {
            str(s["party"])
            for s in self.signatures
            if s.get("party") in members and signature_valid(s, message, members[s["party"]])
        }
        if len(valid) < quorum:
            return False, f"{len(valid)} valid member signatures, {quorum} required"
        return True, f"gateway and {len(valid)} members ({', '.join(sorted(valid))})"
