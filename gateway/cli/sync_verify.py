"""``alliance sync verify``: a descendant's record checked on this level's chain."""

from __future__ import annotations

from typing import Any

import click

from gateway.cli.context import CommandFailed, cli_settings
from gateway.errors import GatewayError


def _remote_ledger(rpc: str, contract: str, suite: str) -> Any:
    from gateway.chain.client import ChainClient
    from gateway.chain.suite import suite_by_name
    from gateway.chain.transport.http import HttpTransport
    from gateway.federation.ledger import CONTRACT, ChainFederationLedger, ReadOnlyContract
    from gateway.onchain.artifacts import load_artifacts

    client = ChainClient(HttpTransport(rpc, timeout=10.0), suite_by_name(suite))
    bound = client.contract(load_artifacts()[CONTRACT], contract)
    return ChainFederationLedger(ReadOnlyContract(bound))


def verify_bundle(
    ctx: click.Context, bundle: Any, rpc: str | None, contract: str | None, suite: str
) -> Any:
    """Run :func:`gateway.federation.proofs.verify_federated_proof` against the ledger at
    ``rpc`` (``contract`` there) or this gateway's own chain and deployment."""
    from gateway.bootstrap import build_container
    from gateway.chain.errors import ChainError
    from gateway.federation.ledger import CONTRACT, ChainFederationLedger, FederationLedgerRefused
    from gateway.federation.proofs import verify_federated_proof
    from gateway.onchain.bound import BoundContract
    from gateway.onchain.deployment import DeploymentError
    from gateway.onchain.runtime import ChainNotReady

    container = build_container(cli_settings(ctx))
    try:
        if rpc:
            address = contract or container.chain.deployment().address(CONTRACT)
            ledger = _remote_ledger(rpc, address, suite)
        else:
            ledger = ChainFederationLedger(
                BoundContract(lambda: container.chain, CONTRACT, FederationLedgerRefused)
            )
        return verify_federated_proof(bundle, ledger.by_size)
    except GatewayError as exc:
        raise CommandFailed(f"{exc.code}: {exc.detail}") from exc
    except (DeploymentError, ChainNotReady, ChainError) as exc:
        raise CommandFailed(f"chain_unavailable: {exc}") from exc
    finally:
        container.close()
