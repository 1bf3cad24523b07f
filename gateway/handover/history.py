"""Which chain anchors which part of the evidence log: the chain periods and their handovers.

Before any handover there are no rows and the settings' own chain (profile ``default``) is
current. ``alliance chain switch`` closes the open period at the last anchored sequence and
opens the next one on the new chain; every process follows the open period (looked up at most
once a second), so a gateway never anchors on a chain it has handed over from.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from gateway.handover.tables import ChainHandoverRow, ChainPeriodRow
from gateway.onchain.runtime import DEFAULT_PROFILE
from gateway.settings import Settings

LOOKUP_SECONDS = 1.0


class ChainHistory:
    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings
        self._lock = threading.Lock()
        self._cached: tuple[float, str] | None = None

    def describe_profile(self, profile: str) -> dict[str, str]:
        if profile == DEFAULT_PROFILE:
            chain = self.settings.chain
            return {
                "vendor": "fisco-bcos",
                "suite": chain.suite,
                "chain_id": str(chain.chain_id),
                "group_id": str(chain.group_id),
                "rpc_url": chain.rpc_url,
            }
        conf = self.settings.chain_profiles[profile]
        return {
            "vendor": conf.vendor,
            "suite": conf.suite,
            "chain_id": str(conf.chain_id),
            "group_id": "evm" if conf.vendor == "evm" else str(conf.group_id),
            "rpc_url": conf.rpc_url,
        }

    def current(self) -> ChainPeriodRow | None:
        with Session(self.engine) as session:
            return session.scalars(
                select(ChainPeriodRow)
                .where(ChainPeriodRow.ended_at.is_(None))
                .order_by(ChainPeriodRow.id.desc())
                .limit(1)
            ).first()

    def current_profile(self) -> str:
        with self._lock:
            if self._cached is not None and time.monotonic() - self._cached[0] < LOOKUP_SECONDS:
                return self._cached[1]
        try:
            period = self.current()
        except SQLAlchemyError:
            period = None  # a database without the table yet (before `alliance db upgrade`)
        profile = DEFAULT_PROFILE if period is None else period.profile
        with self._lock:
            self._cached = (time.monotonic(), profile)
        return profile

    def forget(self) -> None:
        with self._lock:
            self._cached = None

    def periods(self) -> list[dict[str, Any]]:
        """Every chain period, oldest first, with its handover (for the console and the CLI)."""
        with Session(self.engine) as session:
            rows = list(session.scalars(select(ChainPeriodRow).order_by(ChainPeriodRow.id)))
            handovers = {row.id: row for row in session.scalars(select(ChainHandoverRow))}
        if not rows:
            described = self.describe_profile(DEFAULT_PROFILE)
            return [
                {
                    "profile": DEFAULT_PROFILE,
                    **described,
                    "ledger_address": None,
                    "first_sequence": 1,
                    "last_sequence": None,
                    "started_at": None,
                    "ended_at": None,
                    "frozen_at": None,
                    "handover": None,
                }
            ]
        periods = []
        for row in rows:
            handover = handovers.get(row.handover_id) if row.handover_id else None
            periods.append(
                {
                    "profile": row.profile,
                    "vendor": row.vendor,
                    "suite": row.suite,
                    "chain_id": row.chain_id,
                    "group_id": row.group_id,
                    "rpc_url": row.rpc_url,
                    "ledger_address": row.ledger_address,
                    "first_sequence": row.first_sequence,
                    "last_sequence": row.last_sequence,
                    "started_at": row.started_at,
                    "ended_at": row.ended_at,
                    "frozen_at": row.frozen_at,
                    "handover": None
                    if handover is None
                    else {
                        "id": handover.id,
                        "digest": handover.digest,
                        "old_tx": handover.old_tx,
                        "new_tx": handover.new_tx,
                        "created_at": handover.created_at,
                    },
                }
            )
        return periods

    def handovers(self) -> list[dict[str, Any]]:
        import json

        with Session(self.engine) as session:
            return [
                {
                    "id": row.id,
                    "from_profile": row.from_profile,
                    "to_profile": row.to_profile,
                    "digest": row.digest,
                    "old_tx": row.old_tx,
                    "new_tx": row.new_tx,
                    "created_at": row.created_at,
                    "document": json.loads(row.document),
                }
                for row in session.scalars(select(ChainHandoverRow).order_by(ChainHandoverRow.id))
            ]

    def period_of(self, sequence: int) -> dict[str, Any] | None:
        for period in self.periods():
            last = period["last_sequence"]
            if period["first_sequence"] <= sequence and (last is None or sequence <= last):
                return period
        return None

    @staticmethod
    def now() -> datetime:
        return datetime.now(UTC)
