"""Reading what a parent anchored of its children and their descendants."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from gateway.federation.intake import stored_document
from gateway.federation.tables import ChildCheckpointRow


def anchored_checkpoints(engine: Engine, node: str | None, limit: int) -> list[dict[str, Any]]:
    """Newest first; of one node when given."""
    query = select(ChildCheckpointRow).order_by(ChildCheckpointRow.id.desc()).limit(limit)
    if node is not None:
        query = query.where(ChildCheckpointRow.node == node)
    with Session(engine) as session:
        return [
            {
                "node": row.node,
                "via": row.via,
                "tree_size": row.tree_size,
                "root": row.root,
                "key_id": row.key_id,
                "document_digest": row.document_digest,
                "issued_at": row.issued_at,
                "received_at": row.received_at,
                "tx_hash": row.tx_hash,
                "block_number": row.block_number,
                "document": stored_document(row),
            }
            for row in session.scalars(query)
        ]
