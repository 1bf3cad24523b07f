"""In-process transport: the chain client talks to a devnode without HTTP.

Implements :class:`gateway.chain.transport.base.Transport` by calling the devnode's
dispatcher directly. Results go through a JSON round trip so the client sees exactly the
values it would get over HTTP (hex strings, fresh objects), and errors become the chain
client's own types: :class:`~gateway.chain.errors.RpcError` with FISCO's code, or
:class:`~gateway.chain.errors.ChainUnavailable` once the node is stopped.
"""

from __future__ import annotations

import json
from typing import Any

from gateway.chain.errors import ChainUnavailable, RpcError
from gateway.devnode.errors import DevnodeError, RpcMethodError
from gateway.devnode.rpc import Dispatcher


class InProcessTransport:
    """A :class:`~gateway.chain.transport.base.Transport` over a devnode in this process."""

    def __init__(self, dispatcher: Dispatcher) -> None:
        self._dispatcher = dispatcher

    def request(self, method: str, params: list[Any]) -> Any:
        wire_params = json.loads(json.dumps(params))
        try:
            result = self._dispatcher.dispatch(method, wire_params)
        except RpcMethodError as exc:
            raise RpcError(exc.rpc_code, exc.message) from exc
        except DevnodeError as exc:
            raise ChainUnavailable(f"devnode unavailable: {exc}") from exc
        return json.loads(json.dumps(result))
