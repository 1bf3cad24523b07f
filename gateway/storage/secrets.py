"""Secrets shared by every replica of the gateway, kept in the database they share.

:func:`shared_secret` returns the secret called ``name``, creating it with ``make`` the first
time. Creation is an insert that loses quietly to a concurrent one (the primary key decides),
after which every caller reads the one stored value, so replicas started together agree.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gateway.storage.tables import SharedSecretRow


def shared_secret(engine: Engine, name: str, make: Callable[[], str]) -> str:
    with Session(engine) as session:
        value = session.scalar(select(SharedSecretRow.value).where(SharedSecretRow.name == name))
    if value is not None:
        return value
    try:
        with Session(engine) as session, session.begin():
            session.add(SharedSecretRow(name=name, value=make(), created_at=datetime.now(UTC)))
    except IntegrityError:
        pass  # another replica created it first: use theirs
    with Session(engine) as session:
        return session.execute(
            select(SharedSecretRow.value).where(SharedSecretRow.name == name)
        ).scalar_one()
