"""The console's page modules; each has a ``routes`` collector (see ``gateway.console.pages``)."""

from __future__ import annotations

import importlib
import pkgutil

from flask import Blueprint

from gateway.console.pages import Routes


def install_views(blueprint: Blueprint) -> None:
    """Add the views of every module of this package that has ``routes``."""
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        routes = getattr(module, "routes", None)
        if isinstance(routes, Routes):
            routes.install(blueprint)
