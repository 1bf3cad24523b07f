"""Making two gateways parent and child (``alliance sync children add``, ``alliance sync join``).

**At the parent.** The child's identity document (signed by its gateway key) makes it a member
of the parent's alliance: registered and approved on ``MemberRegistry`` with that key and the
consumer role, so its lifecycle is governed like any department's (``alliance members
suspend`` cuts the link at once). Its OAuth client takes no secret: the child authenticates
with ``private_key_jwt`` under the key on chain, holding ``catalog:read``, ``grants:apply``,
``query:*`` and ``federation:sync``. The answer is the link document, signed by the parent.

**At the child.** The link is kept, and the parent becomes a provider member of the child's
alliance (registered with the parent's gateway key), the provider of every mirrored entry.
Both steps can be run again: what exists already is left as it is.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from gateway.crypto.signing import address_of
from gateway.crypto.sm2 import Sm2PrivateKey, Sm2PublicKey
from gateway.federation.errors import ChildExists, MalformedFederationDocument
from gateway.federation.identity import Identity, LinkFile, ParentLink
from gateway.federation.tables import ChildRow
from gateway.members.model import MemberProfile, MemberStatus, Role
from gateway.members.service import MembershipService
from gateway.oauth.clients import ClientStore

CHILD_SCOPES = ("catalog:read", "grants:apply", "query:*", "federation:sync")


def _gateway_profile(code: str, name: str, roles: Role, url: str) -> MemberProfile:
    """Another level's gateway as a member here: no credit code of its own, reached at ``url``."""
    return MemberProfile(
        code=code, name_zh=name, name_en="", credit_code="", roles=roles, endpoint=url
    )


def _admit(
    members: MembershipService,
    profile: MemberProfile,
    key: Sm2PublicKey,
    actor: str,
    reason: str,
) -> bool:
    """Register and approve ``profile`` with ``key`` unless it is already; True if it was new.
    The client approval issues (with a secret) is revoked: the other gateway never uses one."""
    existing = members.index.get(profile.code)
    if existing is not None and existing.public_key != key.to_bytes().hex():
        raise ChildExists(
            f"member {profile.code} exists with another key ({existing.account})",
            member=profile.code,
        )
    if existing is None:
        members.apply(profile, key.to_bytes(), actor)
        existing = members.get(profile.code)
    if existing.status is MemberStatus.APPLIED:
        members.approve(profile.code, actor, reason)
        members.credentials.withdraw(profile.code)
        return True
    return False


class ChildRegistry:
    """The parent's side."""

    def __init__(
        self,
        engine: Engine,
        members: MembershipService,
        clients: ClientStore,
        *,
        node: str,
        name: str,
        url: str,
        issuer: str,
        key: Callable[[], Sm2PrivateKey],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.engine = engine
        self.members = members
        self.clients = clients
        self.node = node
        self.name = name or node
        self.url = url
        self.issuer = issuer
        self.key = key
        self.clock = clock

    def register(self, identity_document: object, actor: str) -> dict[str, Any]:
        identity = Identity.open(identity_document)
        if identity.node == self.node:
            raise MalformedFederationDocument(f"{identity.node} is this gateway itself")
        with Session(self.engine) as session:
            row = session.get(ChildRow, identity.node)
        if row is None:
            profile = _gateway_profile(identity.node, identity.name, Role.CONSUMER, identity.url)
            _admit(self.members, profile, identity.public_key, actor, "child gateway")
            client, _secret = self.clients.create(
                identity.node, f"{identity.name} (下级网关)", CHILD_SCOPES, with_secret=False
            )
            row = ChildRow(
                node=identity.node,
                name=identity.name,
                url=identity.url,
                client_id=client.client_id,
                registered_at=self.clock(),
            )
            with Session(self.engine, expire_on_commit=False) as session, session.begin():
                session.add(row)
        elif self.members.get(identity.node).public_key != identity.public_key.to_bytes().hex():
            raise ChildExists(
                f"{identity.node} is registered with another key; rotate it with "
                "`alliance members rotate-key` first",
                member=identity.node,
            )
        return ParentLink.sign(
            child=identity.node,
            client_id=row.client_id,
            parent=self.node,
            parent_name=self.name,
            url=self.url,
            issuer=self.issuer,
            key=self.key(),
        )

    def children(self) -> list[ChildRow]:
        with Session(self.engine, expire_on_commit=False) as session:
            return list(session.scalars(select(ChildRow).order_by(ChildRow.node)))

    def is_child(self, code: str) -> bool:
        with Session(self.engine) as session:
            return session.get(ChildRow, code) is not None


class ParentJoin:
    """The child's side."""

    def __init__(self, node: str, link_file: LinkFile, members: MembershipService) -> None:
        self.node = node
        self.link_file = link_file
        self.members = members

    def join(self, link_document: object, actor: str) -> dict[str, Any]:
        link = ParentLink.open(link_document)
        if link.child != self.node:
            raise MalformedFederationDocument(
                f"the link is for {link.child}; this gateway is {self.node}"
            )
        if link.parent == self.node:
            raise MalformedFederationDocument("a gateway cannot be its own parent")
        profile = _gateway_profile(link.parent, link.parent_name, Role.PROVIDER, link.url)
        added = _admit(self.members, profile, link.public_key, actor, "parent gateway")
        member = self.members.get(link.parent)
        if member.profile.endpoint != link.url:
            updated = dataclasses.replace(member.profile, endpoint=link.url)
            self.members.index.save(dataclasses.replace(member, profile=updated))
        self.link_file.write(link.document)
        return {
            "parent": link.parent,
            "parent_name": link.parent_name,
            "url": link.url,
            "key_id": address_of(link.public_key),
            "client_id": link.client_id,
            "member_added": added,
            "link_file": str(self.link_file.path),
        }
