"""``alliance chain deploy``: deploy the alliance contracts and write the deployment file.

Works against any FISCO BCOS 2.x JSON-RPC endpoint, a real node or ``alliance devnode``.
The deployment file (JSON, see :mod:`gateway.onchain.deployment`) is what the gateway reads
to find the contracts; it names the suite, chain id and group id it belongs to.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from gateway.chain.client import ChainClient
from gateway.chain.errors import ChainError
from gateway.chain.suite import suite_by_name
from gateway.chain.transport.http import HttpTransport
from gateway.cli.context import cli_settings
from gateway.crypto.errors import CryptoError
from gateway.crypto.keyfiles import load_private_key
from gateway.crypto.sm2 import Sm2PrivateKey
from gateway.onchain.artifacts import ArtifactsMissing, load_artifacts
from gateway.onchain.deployment import DEPLOYMENT_FILE, DeploymentError, deploy_alliance


class DeployFailed(click.ClickException):
    """One line on stderr, exit code 1."""

    def show(self, file: object = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


@click.command(name="deploy")
@click.option("--rpc", "rpc_url", required=True, help="JSON-RPC URL of a FISCO BCOS 2.x node.")
@click.option(
    "--key",
    "key_file",
    required=True,
    type=click.Path(dir_okay=False, exists=True),
    help="Deployer key: PKCS#8 PEM (SM2 or secp256k1) or python-sdk gm_account.json.",
)
@click.option(
    "--passphrase-env",
    default="ALLIANCE_KEY_PASSPHRASE",
    show_default=True,
    help="Environment variable holding the key file's passphrase, if it is encrypted.",
)
@click.option("--suite", type=click.Choice(["sm", "ecdsa"]), help="Default: settings chain.suite.")
@click.option("--chain-id", type=int, help="Default: settings chain.chain_id.")
@click.option("--group-id", type=int, help="Default: settings chain.group_id.")
@click.option(
    "--out",
    "out_file",
    type=click.Path(dir_okay=False),
    help=f"Deployment file to write. Default: <data_dir>/{DEPLOYMENT_FILE}.",
)
@click.option(
    "--artifacts",
    "artifacts_dir",
    type=click.Path(file_okay=False, exists=True),
    help="Directory of the compiled contracts. Default: contracts/build/solc-0.8.11.",
)
@click.option("--timeout", type=float, default=30.0, show_default=True, help="Receipt wait, s.")
@click.pass_context
def deploy(
    ctx: click.Context,
    rpc_url: str,
    key_file: str,
    passphrase_env: str,
    suite: str | None,
    chain_id: int | None,
    group_id: int | None,
    out_file: str | None,
    artifacts_dir: str | None,
    timeout: float,
) -> None:
    """Deploy MemberRegistry, DataCatalog, AccessGrants, EvidenceLedger and RecordStore."""
    settings = cli_settings(ctx)
    chain_suite = suite_by_name(suite or settings.chain.suite)
    chain_id = settings.chain.chain_id if chain_id is None else chain_id
    group_id = settings.chain.group_id if group_id is None else group_id
    out = Path(out_file) if out_file else settings.data_dir / DEPLOYMENT_FILE
    passphrase = os.environ.get(passphrase_env)
    try:
        key = load_private_key(key_file, passphrase.encode() if passphrase else None)
        if isinstance(key, Sm2PrivateKey) != (chain_suite.name == "sm"):
            raise DeployFailed(
                f"the key in {key_file} does not belong to the {chain_suite.name} suite"
            )
        artifacts = load_artifacts(Path(artifacts_dir) if artifacts_dir else None)
        with HttpTransport(rpc_url) as transport:
            client = ChainClient(
                transport,
                chain_suite,
                group_id,
                chain_id,
                receipt_timeout=timeout,
                poll_interval=0.1,
            )
            deployment = deploy_alliance(client, key, artifacts)
        out.parent.mkdir(parents=True, exist_ok=True)
        deployment.save(out)
    except (ChainError, CryptoError, DeploymentError, ArtifactsMissing, OSError) as exc:
        raise DeployFailed(str(exc)) from exc
    click.echo(json.dumps({"deployment_file": str(out), **deployment.to_json()}, sort_keys=True))
