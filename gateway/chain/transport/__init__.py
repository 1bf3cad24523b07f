"""JSON-RPC transports: HTTP (2.x and 3.x), retries, and the in-process slot for the devnode."""

from gateway.chain.transport.base import Transport

__all__ = ["Transport"]
