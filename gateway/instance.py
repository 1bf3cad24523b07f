"""First-run set-up of a gateway installation: data directory, schema, keys, identity.

:func:`initialise` is idempotent: each step first checks whether its result exists and only
creates what is missing, so running ``alliance init`` again changes nothing.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.bootstrap import Container
from gateway.settings import GATEWAY_KEY_FILE, STORAGE_KEY_FILE
from gateway.storage.migrate import current_revision, head_revision, upgrade
from gateway.storage.tables import InstanceSetting


@dataclass
class InitReport:
    """What :func:`initialise` did; ``created`` is empty when everything already existed."""

    data_dir: str
    database: str
    revision: str | None = None
    instance_id: str | None = None
    gateway_key: str | None = None
    gateway_address: str | None = None
    deployment: str | None = None
    members: dict[str, str] = field(default_factory=dict)
    catalog_entries: int = 0
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


def _ensure_storage_key(container: Container, report: InitReport) -> None:
    """The SM4 key that encrypts data at rest (stored answers, off-chain record content)."""
    import secrets

    path = container.settings.keys_dir / STORAGE_KEY_FILE
    if path.exists():
        return
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(descriptor, secrets.token_hex(16).encode() + b"\n")
    finally:
        os.close(descriptor)
    report.created.append(str(path))


def _ensure_deployment(container: Container, report: InitReport) -> None:
    """Deploy the alliance contracts on the embedded chain the first time; later, deploy
    those a newer release added that the deployment lacks (``deployment:<Name>``)."""
    from gateway.onchain.artifacts import load_artifacts
    from gateway.onchain.deployment import deploy_alliance, deploy_missing

    runtime = container.chain
    if runtime.deployment_path.exists():
        report.deployment = str(runtime.deployment_path)
        deployment, added = deploy_missing(
            runtime.client, runtime.governance_key(), load_artifacts(), runtime.deployment()
        )
        if added:
            deployment.save(runtime.deployment_path)
            report.created.extend(f"deployment:{name}" for name in added)
        return
    deployment = deploy_alliance(runtime.client, runtime.governance_key(), load_artifacts())
    deployment.save(runtime.deployment_path)
    report.deployment = str(runtime.deployment_path)
    report.created.append(report.deployment)


def _ensure_gateway_authorised(container: Container, report: InitReport) -> None:
    """The key that signs receipts and audit workbooks is an authorised gateway of
    ``EvidenceLedger``, so an auditor with only the chain can trust a workbook's signer
    (``alliance audit verify --rpc``)."""
    from gateway.crypto.signing import address_of
    from gateway.onchain.artifacts import load_artifacts

    runtime = container.chain
    address = runtime.deployment().address("EvidenceLedger")
    ledger = runtime.client.contract(load_artifacts()["EvidenceLedger"], address)
    gateway = address_of(container.gateway_key().public_key)
    if not ledger.call("isGateway", gateway):
        ledger.transact("authoriseGateway", gateway, key=runtime.governance_key())
        report.created.append(f"EvidenceLedger gateway {gateway}")


def _ensure_seed_members(container: Container, report: InitReport) -> None:
    """Register, approve and hand credentials to every member of ``conf/members.toml``."""
    from gateway.members.credentials_file import write_credentials
    from gateway.members.model import MemberStatus
    from gateway.members.seed import load_seed
    from gateway.settings import conf_dir

    service = container.members
    directory = container.settings.data_dir / "credentials"
    for profile in load_seed(conf_dir() / "members.toml"):
        member = service.index.get(profile.code)
        if member is None:
            member = service.apply(profile, None, "alliance init")
            report.created.append(f"member {profile.code}")
        if member.status is MemberStatus.APPLIED:
            member, credentials = service.approve(profile.code, "alliance init", "seed member")
            write_credentials(
                directory,
                member,
                credentials,
                token_url=container.settings.issuer + "/oauth/token",
                key_file=service.keys.path_of(profile.code),
            )
        report.members[profile.code] = member.status.value


def _ensure_seed_catalog(container: Container, report: InitReport) -> None:
    """Publish every entry of ``conf/catalog.toml`` that the catalogue does not have yet."""
    from gateway.catalog.actors import Actor
    from gateway.catalog.seed import load_catalog_seed
    from gateway.settings import conf_dir

    office = Actor(member="GAO", is_office=True, label="alliance init")
    service = container.catalog
    for spec in load_catalog_seed(conf_dir() / "catalog.toml"):
        if service.index.get(spec.id) is None:
            service.publish(spec.document(), office)
            report.created.append(f"entry {spec.id}")
        report.catalog_entries += 1


def _ensure_sample_grants(container: Container, report: InitReport) -> None:
    """Grant what the demonstration queries (``alliance demo samples``) need, once each.

    The consumer applies for every field; the grant allows the non-personal ones in clear, so
    the answers show personal data masked (脱敏) as docs/broker.md describes.
    """
    from datetime import timedelta

    from gateway.catalog.actors import Actor
    from gateway.catalog.model import GrantStatus, SharingClass
    from gateway.providers.samples import sample_queries

    grants = container.grants
    catalog = container.catalog
    seen: set[tuple[str, str, str]] = set()
    for sample in sample_queries(container.settings.providers.simulator_seed):
        triple = (sample["consumer"], sample["entry_id"], sample["purpose"])
        if triple in seen:
            continue
        seen.add(triple)
        entry = catalog.get(sample["entry_id"])
        if entry.spec.sharing_class is SharingClass.NOT_SHARED:
            continue
        if grants.usable_grant(*triple) is not None:
            continue
        office = Actor(member=sample["consumer"], is_office=True, label="alliance init")
        grant = grants.apply(
            sample["entry_id"],
            sample["consumer"],
            sample["purpose"],
            sample["description"],
            [f.name for f in entry.spec.fields],
            datetime.now(UTC) + timedelta(days=365),
            office,
        )
        if grant.status is GrantStatus.APPLIED:
            clear = [f.name for f in entry.spec.fields if not f.personal]
            grants.approve(grant.id, clear or None, None, office)
        report.created.append(f"grant {sample['consumer']}→{sample['entry_id']}")


def initialise(container: Container, *, with_chain: bool = True) -> InitReport:
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
    _ensure_storage_key(container, report)
    if with_chain and not container.settings.chain.rpc_url:
        _ensure_deployment(container, report)
        _ensure_gateway_authorised(container, report)
        _ensure_seed_members(container, report)
        _ensure_seed_catalog(container, report)
        _ensure_sample_grants(container, report)
    return report
