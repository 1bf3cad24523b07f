"""A witness: a member department that co-signs the evidence log's checkpoints.

Before signing a new checkpoint the witness checks an RFC 9162 §2.1.4 consistency proof from
the last checkpoint *it* saw (kept in its own state, not in the gateway's database). A gateway
that rewrote any anchored record, or that shows a smaller or different log, cannot produce that
proof: the witness refuses, records an alert in its state, and keeps its last checkpoint, so
every later attempt is refused too until an operator looks. The first checkpoint a witness sees
is trusted as given (trust on first use); witnesses should start with the log.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from gateway.crypto.signing import PrivateKey
from gateway.errors import Conflict
from gateway.evidence.consistency import Checkpoint, MalformedCheckpoint, check_consistency
from gateway.witness.signatures import sign_as


class WitnessRefused(Conflict):
    code = "witness_refused"
    title = "A witness refused to co-sign the checkpoint"


class WitnessState(Protocol):
    def last_seen(self) -> Checkpoint | None: ...

    def accept(self, checkpoint: Checkpoint) -> None: ...

    def alert(self, reason: str, offered: dict[str, Any]) -> None: ...

    def alerts(self) -> list[dict[str, Any]]: ...


class FileWitnessState:
    """``<dir>/<CODE>.json``: the last checkpoint the witness signed and its alerts."""

    def __init__(self, directory: Path, code: str) -> None:
        self.path = directory / f"{code}.json"

    def _read(self) -> dict[str, Any]:
        try:
            data: dict[str, Any] = json.loads(self.path.read_text())
        except FileNotFoundError:
            return {"last": None, "alerts": []}
        return data

    def _write(self, data: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
        os.replace(temporary, self.path)

    def last_seen(self) -> Checkpoint | None:
        last = self._read().get("last")
        return None if last is None else Checkpoint.from_dict(last)

    def accept(self, checkpoint: Checkpoint) -> None:
        data = self._read()
        data["last"] = checkpoint.to_dict()
        self._write(data)

    def alert(self, reason: str, offered: dict[str, Any]) -> None:
        data = self._read()
        data.setdefault("alerts", []).append(
            {"at": datetime.now(UTC).isoformat(timespec="seconds"), "reason": reason, **offered}
        )
        self._write(data)

    def alerts(self) -> list[dict[str, Any]]:
        return list(self._read().get("alerts", []))


@dataclass
class Witness:
    code: str
    key: PrivateKey
    state: WitnessState
    origin: str
    """The log's identity (the gateway's key id): signatures are bound to it."""

    def last_seen(self) -> Checkpoint | None:
        return self.state.last_seen()

    def cosign(self, document: dict[str, Any]) -> dict[str, Any]:
        """Check ``{old, new, proof}`` (a consistency document) and sign ``new``."""
        try:
            new = Checkpoint.from_dict(document.get("new"))
            old = None if document.get("old") is None else Checkpoint.from_dict(document["old"])
            proof = [bytes.fromhex(str(node).removeprefix("0x")) for node in document["proof"]]
        except (MalformedCheckpoint, KeyError, TypeError, ValueError) as exc:
            raise WitnessRefused(f"{self.code}: the checkpoint offered is malformed") from exc
        last = self.state.last_seen()
        if last is not None:
            reason = None
            if old != last:
                reason = f"the proof starts at {old} but the witness last saw {last}"
            elif not check_consistency(last, new, proof):
                reason = (
                    f"the log of {new.tree_size} leaves is not an extension of the log of "
                    f"{last.tree_size} leaves the witness signed: history was rewritten"
                )
            if reason is not None:
                self.state.alert(reason, {"offered": new.to_dict(), "last": last.to_dict()})
                raise WitnessRefused(f"{self.code}: {reason}")
        entry = sign_as(self.code, self.key, new.signing_input(self.origin))
        self.state.accept(new)
        return entry
