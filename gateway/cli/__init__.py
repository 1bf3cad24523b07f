"""The ``alliance`` command line.

Sub-command groups live in their own modules and are attached here; importing this package
only defines Click objects.
"""

from __future__ import annotations

from gateway.cli.main import main

__all__ = ["main"]
