"""The composition root: the only place that wires adapters to services.

:mod:`gateway.bootstrap.container` builds every adapter once and hands them to the services;
:mod:`gateway.bootstrap.jobs` turns them into the scheduled jobs. Nothing here runs at import.
"""

from gateway.bootstrap.container import Container, build_container

__all__ = ["Container", "build_container"]
