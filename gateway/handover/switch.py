"""``alliance chain switch``: hand the evidence log over from one chain to another.

Steps, in order (the caller holds the anchoring lease, so no other process anchors meanwhile):

1. freeze the open chain period (``frozen_at``; visible on the console);
2. anchor on the old chain everything closed so far, so the old chain ends at a batch boundary;
3. read the old chain's last sequence, latest root and head block (number and hash), and check
   the evidence log's checkpoint of that many leaves;
4. deploy the alliance contracts on the new chain when its profile has no deployment yet, and
   make its ``EvidenceLedger`` continue the sequence and root (``continueFrom``);
5. sign the handover record (gateway + a quorum of member keys) and write its digest on the old
   chain, then on the new one (``RecordStore``);
6. close the old period and open the new one: from now on every process anchors on the new
   chain, starting with the records logged during the switch.

A failure before step 6 leaves the old chain current (unfrozen again) and can be retried: the
deployment is kept, and ``continueFrom`` is skipped once done.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from gateway.crypto.signing import PrivateKey, address_of
from gateway.errors import Conflict
from gateway.evidence.anchoring import Anchorer
from gateway.evidence.consistency import LogTree
from gateway.evidence.digests import hex_digest
from gateway.evidence.ledger import ChainEvidenceLedger, EvidenceLedgerRefused
from gateway.handover.history import ChainHistory
from gateway.handover.record import HANDOVER_VERSION, RECORD_KEY, HandoverRecord
from gateway.handover.tables import ChainHandoverRow, ChainPeriodRow
from gateway.onchain.artifacts import load_artifacts
from gateway.onchain.bound import BoundContract, text_to_bytes32
from gateway.onchain.deployment import DeploymentError, deploy_alliance
from gateway.onchain.runtime import ChainNotReady, ChainRuntime
from gateway.witness.signatures import sign_as


class HandoverRefused(Conflict):
    code = "handover_refused"
    title = "The chain handover was refused"


@dataclass(frozen=True)
class HandoverResult:
    record: HandoverRecord
    old_tx: str
    new_tx: str
    deployed: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "digest": hex_digest(self.record.digest),
            "old_tx": self.old_tx,
            "new_tx": self.new_tx,
            "deployed": self.deployed,
            **self.record.to_dict(),
        }


def _chain_facts(runtime: ChainRuntime) -> dict[str, Any]:
    client = runtime.client
    return {
        "profile": runtime.profile,
        "vendor": client.vendor,
        "suite": client.suite.name,
        "chain_id": str(client.chain_id),
        "group_id": str(client.group_id),
        "evidence_ledger": runtime.deployment().address("EvidenceLedger"),
    }


class ChainSwitch:
    def __init__(
        self,
        engine: Engine,
        history: ChainHistory,
        *,
        gateway_key: PrivateKey,
        member_keys: Mapping[str, PrivateKey],
        registered_keys: Callable[[str], bytes | None],
        quorum: int,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.engine = engine
        self.history = history
        self.gateway_key = gateway_key
        self.member_keys = member_keys
        self.registered_keys = registered_keys
        self.quorum = quorum
        self.clock = clock

    def run(self, old: ChainRuntime, new: ChainRuntime) -> HandoverResult:
        if old.profile == new.profile:
            raise HandoverRefused(f"the alliance is on chain profile {old.profile} already")
        signers = self._signers()
        period_id = self._freeze(old)
        try:
            return self._hand_over(old, new, signers, period_id)
        except BaseException:
            self._unfreeze(period_id)
            raise

    def _signers(self) -> dict[str, PrivateKey]:
        signers = {}
        for code, key in sorted(self.member_keys.items()):
            registered = self.registered_keys(code)
            if registered is None or registered[-64:] != key.public_key.to_bytes():
                raise HandoverRefused(f"{code}'s key is not its registered member key")
            signers[code] = key
        if len(signers) < self.quorum:
            raise HandoverRefused(
                f"a handover needs {self.quorum} member signatures, {len(signers)} keys given"
            )
        return signers

    def _hand_over(
        self,
        old: ChainRuntime,
        new: ChainRuntime,
        signers: dict[str, PrivateKey],
        period_id: int,
    ) -> HandoverResult:
        old_ledger = ChainEvidenceLedger(
            BoundContract(lambda: old, "EvidenceLedger", EvidenceLedgerRefused)
        )
        Anchorer(self.engine, old_ledger).run_once()
        last_sequence = old_ledger.next_sequence() - 1
        latest_root = "0x" + bytes(old_ledger.ledger.call("latestRoot")).hex()
        height = old.client.block_number()
        log = LogTree.read(self.engine, up_to=last_sequence)
        if log.size != last_sequence:
            raise HandoverRefused(
                f"the evidence log holds {log.size} anchored records, the old chain "
                f"{last_sequence}: reconcile before switching"
            )
        deployed = self._ensure_deployed(new)
        self._continue(new, last_sequence, latest_root)
        body = {
            "handover_version": HANDOVER_VERSION,
            "from": {
                **_chain_facts(old),
                "block_number": height,
                "block_hash": old.client.block_hash(height),
            },
            "to": _chain_facts(new),
            "last_sequence": last_sequence,
            "last_root": latest_root,
            "log_checkpoint": log.checkpoint().to_dict(),
            "gateway": address_of(self.gateway_key.public_key),
            "created_at": self.clock().isoformat(timespec="seconds"),
        }
        message = HandoverRecord(body, ()).signing_input
        signatures = [sign_as("gateway", self.gateway_key, message)]
        signatures += [sign_as(code, key, message) for code, key in signers.items()]
        record = HandoverRecord(body, tuple(signatures))
        old_tx = self._write_record(old, record)
        new_tx = self._write_record(new, record)
        self._open_new_period(period_id, old, new, record, old_tx, new_tx)
        return HandoverResult(record, old_tx, new_tx, deployed)

    def _ensure_deployed(self, new: ChainRuntime) -> bool:
        try:
            new.deployment()
            return False
        except ChainNotReady:
            pass
        deployment = deploy_alliance(new.client, new.governance_key(), load_artifacts())
        deployment.save(new.deployment_path)
        return True

    @staticmethod
    def _continue(new: ChainRuntime, last_sequence: int, latest_root: str) -> None:
        ledger = BoundContract(lambda: new, "EvidenceLedger", EvidenceLedgerRefused)
        if last_sequence == 0 or int(ledger.call("lastSequence")) == last_sequence:
            return
        ledger.send("continueFrom", last_sequence, bytes.fromhex(latest_root[2:]))

    @staticmethod
    def _write_record(runtime: ChainRuntime, record: HandoverRecord) -> str:
        store = BoundContract(lambda: runtime, "RecordStore", HandoverRefused)
        body = record.body
        return store.transact(
            "putVersion",
            text_to_bytes32(RECORD_KEY),
            record.digest,
            body["gateway"],
            f"{body['from']['profile']}->{body['to']['profile']}",
            "evidence-log",
            "chain-handover",
            False,
        )

    # -- the database side ---------------------------------------------------------------

    def _freeze(self, old: ChainRuntime) -> int:
        now = self.clock()
        with Session(self.engine) as session, session.begin():
            period = self.history.current()
            if period is None:
                facts = self.history.describe_profile(old.profile)
                row = ChainPeriodRow(
                    profile=old.profile,
                    vendor=facts["vendor"],
                    suite=facts["suite"],
                    chain_id=facts["chain_id"],
                    group_id=facts["group_id"],
                    rpc_url=facts["rpc_url"],
                    ledger_address=_ledger_address(old),
                    first_sequence=1,
                    started_at=_deployed_at(old) or now,
                    frozen_at=now,
                )
                session.add(row)
                session.flush()
                return row.id
            if period.profile != old.profile:
                raise HandoverRefused(
                    f"the open chain period is {period.profile}, not {old.profile}"
                )
            session.execute(
                update(ChainPeriodRow).where(ChainPeriodRow.id == period.id).values(frozen_at=now)
            )
            return period.id

    def _unfreeze(self, period_id: int) -> None:
        with Session(self.engine) as session, session.begin():
            session.execute(
                update(ChainPeriodRow).where(ChainPeriodRow.id == period_id).values(frozen_at=None)
            )

    def _open_new_period(
        self,
        period_id: int,
        old: ChainRuntime,
        new: ChainRuntime,
        record: HandoverRecord,
        old_tx: str,
        new_tx: str,
    ) -> None:
        now = self.clock()
        facts = self.history.describe_profile(new.profile)
        with Session(self.engine) as session, session.begin():
            handover = ChainHandoverRow(
                from_profile=old.profile,
                to_profile=new.profile,
                document=json.dumps(record.to_dict(), ensure_ascii=False, sort_keys=True),
                digest=hex_digest(record.digest),
                old_tx=old_tx,
                new_tx=new_tx,
                created_at=now,
            )
            session.add(handover)
            session.flush()
            session.execute(
                update(ChainPeriodRow)
                .where(ChainPeriodRow.id == period_id)
                .values(last_sequence=record.last_sequence, ended_at=now, handover_id=handover.id)
            )
            session.add(
                ChainPeriodRow(
                    profile=new.profile,
                    vendor=facts["vendor"],
                    suite=facts["suite"],
                    chain_id=facts["chain_id"],
                    group_id=facts["group_id"],
                    rpc_url=facts["rpc_url"],
                    ledger_address=_ledger_address(new),
                    first_sequence=record.last_sequence + 1,
                    started_at=now,
                    handover_id=handover.id,
                )
            )
        self.history.forget()


def _ledger_address(runtime: ChainRuntime) -> str | None:
    try:
        return runtime.deployment().address("EvidenceLedger")
    except (ChainNotReady, DeploymentError):
        return None


def _deployed_at(runtime: ChainRuntime) -> datetime | None:
    try:
        return datetime.fromisoformat(runtime.deployment().deployed_at)
    except (ChainNotReady, DeploymentError, ValueError):
        return None
