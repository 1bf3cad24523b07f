"""The transport port: one JSON-RPC call in, its ``result`` out.

A transport knows nothing of FISCO versions: it sends ``method`` with ``params`` exactly as
given (groupId first for 2.x, ``[group, node, ...]`` for 3.x, hex strings and all) and returns
the ``result`` member of the response. The HTTP transport speaks to real nodes; the devnode
plugs an in-process implementation into the same slot that calls its RPC dispatcher directly
with the very same JSON values.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class Transport(Protocol):
    """Sends one JSON-RPC request.

    Returns the response's ``result`` (which may be ``None``, e.g. a receipt not committed yet).
    Raises :class:`~gateway.chain.errors.RpcError` for a JSON-RPC ``error`` object and
    :class:`~gateway.chain.errors.ChainUnavailable` when the node cannot be reached.
    """

    def request(self, method: str, params: list[Any]) -> Any: ...
