"""HTTP JSON-RPC server of the devnode (FISCO BCOS 2.x's RPC port, 8545 by default).

A :class:`http.server.ThreadingHTTPServer` with HTTP/1.1 keep-alive: each POST body is one
JSON-RPC request answered by the :class:`~gateway.devnode.rpc.Dispatcher`. Like a 2.x node
it has no TLS and should listen on loopback.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from gateway.devnode import errors
from gateway.devnode.rpc import Dispatcher

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024 * 1024


class _RpcHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: DevnodeHttpServer

    def setup(self) -> None:
        super().setup()
        # One small response per request: without TCP_NODELAY, Nagle's algorithm and the
        # peer's delayed ACK add ~40 ms to every keep-alive round trip.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._reply(413, {"error": {"code": errors.INVALID_REQUEST, "message": "too large"}})
            return
        body = self.rfile.read(length)
        try:
            response = self.server.dispatcher.handle_body(body)
        except Exception:
            log.exception("unexpected failure answering a JSON-RPC request")
            response = {
                "error": {"code": errors.INTERNAL_ERROR, "data": None, "message": "Internal error"},
                "id": None,
                "jsonrpc": "2.0",
            }
        self._reply(200, response)

    def _reply(self, code: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload, separators=(",", ":")).encode("utf-8")
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s - %s", self.address_string(), format % args)


class DevnodeHttpServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, host: str, port: int, dispatcher: Dispatcher) -> None:
        self.dispatcher = dispatcher
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__((host, port), _RpcHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def server_close(self) -> None:
        """Stop listening and cut the open keep-alive connections.

        Their handler threads would otherwise go on serving a node that is stopping; a
        client must see the node go away (connection reset), as with a real node.
        """
        super().server_close()
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            # OSError: its handler closed it meanwhile, nothing left to cut
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        if isinstance(host, bytes):
            host = host.decode("ascii")
        return f"http://{host}:{port}"

    def serve_in_thread(self) -> threading.Thread:
        thread = threading.Thread(
            target=self.serve_forever,
            kwargs={"poll_interval": 0.05},  # how fast shutdown() is noticed
            name="devnode-http",
            daemon=True,
        )
        thread.start()
        return thread
