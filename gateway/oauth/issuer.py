"""Credentials for members: the OAuth side of approval, suspension and revocation."""

from __future__ import annotations

from gateway.members.model import Member
from gateway.members.ports import IssuedCredentials
from gateway.oauth.clients import ClientStore
from gateway.oauth.scopes import scopes_for_roles
from gateway.oauth.tokens import TokenStore


class OAuthCredentialIssuer:
    """Implements ``gateway.members.ports.CredentialIssuer`` with the client and token stores."""

    def __init__(self, clients: ClientStore, tokens: TokenStore) -> None:
        self.clients = clients
        self.tokens = tokens

    def issue(self, member: Member) -> IssuedCredentials:
        scopes = scopes_for_roles(member.roles)
        client, secret = self.clients.create(member.code, member.profile.name_zh, scopes)
        assert secret is not None  # noqa: S101 - create() made a secret-bearing client
        return IssuedCredentials(client_id=client.client_id, client_secret=secret, scopes=scopes)

    def revoke_tokens(self, code: str) -> int:
        return self.tokens.revoke_member(code)

    def withdraw(self, code: str) -> int:
        revoked = self.clients.revoke_member(code)
        self.tokens.revoke_member(code)
        return revoked
