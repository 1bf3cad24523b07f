"""The management console (支撑管理平台): server-rendered pages for the office and departments."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from gateway.console.ports import GatewayServices


def register_console(app: Flask, container: GatewayServices) -> None:
    """Mount the console at ``/console`` on the gateway's app."""
    from gateway.console.web import install

    install(app, container)
