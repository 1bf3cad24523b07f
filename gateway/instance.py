"""First-run set-up of a gateway installation: data directory, schema, keys, identity.

:func:`initialise` is idempotent: each step first checks whether its result exists and only
creates what is missing, so running ``alliance init`` again changes nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.bootstrap import Container
from gateway.storage.migrate import current_revision, head_revision, upgrade
from gateway.storage.tables import InstanceSetting

GATEWAY_KEY_FILE = "gateway-sm2.pem"


@dataclass
class InitReport:
    """What :func:`initialise` did; ``created`` is empty when everything already existed."""

    data_dir: str
    database: str
    revision: str | None = None
    instance_id: str | None = None
    gateway_key: str | None = None
    gateway_address: str | None = None
    created: list[str] = field(default_factory=list)


def _ensure_dir(path: Path, report: InitReport) -> None:
    if not path.is_dir():
        path.mkdir(parents=True, mode=0o700)
        report.created.append(str(path))


def _ensure_schema(container: Container, report: InitReport) -> None:
    engine = container.engine
    if current_revision(engine) != head_revision(engine):
        upgrade(engine)
        report.created.append("schema")
    report.revision = current_revision(engine)


def _ensure_instance_id(container: Container, report: InitReport) -> None:
    with Session(container.engine) as session, session.begin():
        row = session.scalar(select(InstanceSetting).where(InstanceSetting.key == "instance_id"))
        if row is None:
            row = InstanceSetting(
                key="instance_id", value=str(uuid.uuid4()), created_at=datetime.now(UTC)
            )
            session.add(row)
            report.created.append("instance_id")
        report.instance_id = row.value


def _ensure_gateway_key(container: Container, report: InitReport) -> None:
    from gateway.crypto.keyfiles import load_private_key, write_private_key
    from gateway.crypto.signing import address_of
    from gateway.crypto.sm2 import Sm2PrivateKey

    path = container.settings.keys_dir / GATEWAY_KEY_FILE
    if path.exists():
        key = load_private_key(path)
    else:
        key = Sm2PrivateKey.generate()
        write_private_key(path, key)
        report.created.append(str(path))
    report.gateway_key = str(path)
    report.gateway_address = address_of(key.public_key)


def initialise(container: Container) -> InitReport:
    settings = container.settings
    report = InitReport(
        data_dir=str(settings.data_dir.resolve()),
        database=container.engine.url.render_as_string(hide_password=True),
    )
    _ensure_dir(settings.data_dir, report)
    _ensure_dir(settings.keys_dir, report)
    _ensure_schema(container, report)
    _ensure_instance_id(container, report)
    _ensure_gateway_key(container, report)
    return report
