"""OAuth clients of member departments, with secrets stored only as salted HMAC-SM3 digests.

Client secrets are 256-bit random strings, so a fast keyed digest is enough (there is no
password to brute-force); the comparison is constant-time.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import DateTime, Engine, String, Text, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from gateway.crypto.hashing import hmac_sm3
from gateway.errors import NotFound
from gateway.oauth.scopes import parse_scope, scope_allowed
from gateway.storage.tables import Base

AUTH_SECRET_BASIC = "client_secret_basic"  # noqa: S105 - a method name, not a secret
AUTH_PRIVATE_KEY_JWT = "private_key_jwt"
GRANT_CLIENT_CREDENTIALS = "client_credentials"


class ClientNotFound(NotFound):
    code = "oauth_client_not_found"
    title = "No such OAuth client"


class OAuthClientRow(Base):
    __tablename__ = "oauth_clients"

    client_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    # References members.code (enforced by migration 0002, not declared here so the OAuth
    # tables load without the members package).
    member_code: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    secret_hash: Mapped[str | None] = mapped_column(String(64))
    secret_salt: Mapped[str | None] = mapped_column(String(32))
    auth_methods: Mapped[str] = mapped_column(String(200), nullable=False)
    scopes: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


def _digest(salt: str, secret: str) -> str:
    return hmac_sm3(bytes.fromhex(salt), secret.encode()).hex()


@dataclass(frozen=True)
class RegisteredClient:
    """A client as Authlib's ``ClientMixin`` sees it: client credentials grant only."""

    client_id: str
    member_code: str
    name: str
    secret_hash: str | None
    secret_salt: str | None
    auth_methods: tuple[str, ...]
    scopes: tuple[str, ...]
    active: bool

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> None:
        return None

    def get_allowed_scope(self, scope: str | None) -> str:
        requested = parse_scope(scope)
        if not requested:
            return " ".join(self.scopes)
        return " ".join(s for s in requested if scope_allowed(s, self.scopes))

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return False

    def check_client_secret(self, client_secret: str) -> bool:
        if not (self.active and self.secret_hash and self.secret_salt):
            return False
        return hmac.compare_digest(_digest(self.secret_salt, client_secret), self.secret_hash)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return self.active and method in self.auth_methods

    def check_response_type(self, response_type: str) -> bool:
        return False

    def check_grant_type(self, grant_type: str) -> bool:
        return self.active and grant_type == GRANT_CLIENT_CREDENTIALS


def _to_client(row: OAuthClientRow) -> RegisteredClient:
    return RegisteredClient(
        client_id=row.client_id,
        member_code=row.member_code,
        name=row.name,
        secret_hash=row.secret_hash,
        secret_salt=row.secret_salt,
        auth_methods=tuple(row.auth_methods.split()),
        scopes=tuple(row.scopes.split()),
        active=row.status == "active",
    )


class ClientStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(
        self, member_code: str, name: str, scopes: tuple[str, ...], with_secret: bool = True
    ) -> tuple[RegisteredClient, str | None]:
        """Register a client; returns it with its secret, which is never retrievable again."""
        client_id = f"{member_code.lower()}-{secrets.token_hex(8)}"
        secret = secrets.token_urlsafe(32) if with_secret else None
        salt = secrets.token_hex(16) if secret else None
        methods = [AUTH_PRIVATE_KEY_JWT] + ([AUTH_SECRET_BASIC] if secret else [])
        row = OAuthClientRow(
            client_id=client_id,
            member_code=member_code,
            name=name,
            secret_hash=_digest(salt, secret) if salt and secret else None,
            secret_salt=salt,
            auth_methods=" ".join(methods),
            scopes=" ".join(scopes),
            status="active",
            created_at=datetime.now(UTC),
        )
        with Session(self.engine) as session, session.begin():
            session.add(row)
            client = _to_client(row)
        return client, secret

    def get(self, client_id: str) -> RegisteredClient | None:
        with Session(self.engine) as session:
            row = session.get(OAuthClientRow, client_id)
            return _to_client(row) if row else None

    def for_member(self, member_code: str | None = None) -> list[RegisteredClient]:
        statement = select(OAuthClientRow).order_by(OAuthClientRow.client_id)
        if member_code:
            statement = statement.where(OAuthClientRow.member_code == member_code)
        with Session(self.engine) as session:
            return [_to_client(row) for row in session.scalars(statement)]

    def revoke(self, client_id: str) -> RegisteredClient:
        with Session(self.engine) as session, session.begin():
            row = session.get(OAuthClientRow, client_id)
            if row is None:
                raise ClientNotFound(f"no OAuth client {client_id!r}", client_id=client_id)
            row.status = "revoked"
            row.revoked_at = datetime.now(UTC)
            return _to_client(row)

    def revoke_member(self, member_code: str) -> int:
        with Session(self.engine) as session, session.begin():
            result = session.execute(
                update(OAuthClientRow)
                .where(OAuthClientRow.member_code == member_code)
                .where(OAuthClientRow.status == "active")
                .values(status="revoked", revoked_at=datetime.now(UTC))
            )
            return int(result.rowcount or 0)  # type: ignore[attr-defined]
