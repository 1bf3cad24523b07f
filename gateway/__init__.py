"""alliance-gateway: the provincial data-sharing alliance gateway.

Importing this package does nothing but define names: no connections, no key loading,
no threads. Everything is wired by :func:`create_app` through the composition root.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gateway.version import __version__

if TYPE_CHECKING:
    from flask import Flask

    from gateway.settings import Settings


def create_app(settings: Settings | None = None) -> Flask:
    """Build the WSGI application from ``settings`` (default: :func:`load_settings`)."""
    from gateway.app import build_app

    return build_app(settings)


__all__ = ["__version__", "create_app"]
