"""``alliance chain`` commands: offline transaction tools and a node status probe.

``decode-tx`` and ``sign-tx`` work offline and double as conformance checks against FISCO
BCOS data; ``status`` asks a node over JSON-RPC. Output is JSON on stdout; failures are one
line on stderr with a non-zero exit code.
"""

from __future__ import annotations

import importlib.util
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from gateway.chain.errors import ChainError
from gateway.chain.hexutil import hex_to_bytes, to_hex
from gateway.chain.suite import CryptoSuite, PrivateKey, suite_by_name
from gateway.crypto.errors import CryptoError

F = TypeVar("F", bound=Callable[..., Any])

#: Environment variable holding the passphrase of an encrypted key file.
KEY_PASSPHRASE_ENV = "ALLIANCE_KEY_PASSPHRASE"  # noqa: S105 - a variable name, not a secret

_FIELD_ALIASES = {
    "randomid": "nonce",
    "gasPrice": "gas_price",
    "gasLimit": "gas_limit",
    "blockLimit": "block_limit",
    "fiscoChainId": "chain_id",
    "chainId": "chain_id",
    "groupId": "group_id",
    "extraData": "extra_data",
}
_INT_FIELDS = ("nonce", "gas_price", "gas_limit", "block_limit", "value", "chain_id", "group_id")
_HEX_FIELDS = ("to", "data", "extra_data")


class ChainCommandError(click.ClickException):
    """One-line operator error (exit code 1)."""


def _emit(value: object) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False))


def _suite_option(func: F) -> F:
    return click.option(
        "--suite",
        type=click.Choice(["sm", "ecdsa"]),
        required=True,
        help="Crypto suite of the chain: sm (SM2/SM3, guomi) or ecdsa (secp256k1/Keccak-256).",
    )(func)


def _hex_argument(text: str, what: str) -> bytes:
    try:
        return hex_to_bytes(text)
    except ValueError as exc:
        raise ChainCommandError(f"{what} is not hex: {exc}") from exc


@click.group(name="chain")
def chain() -> None:
    """FISCO BCOS chain tools: decode and sign transactions, query a node."""


@chain.command(name="decode-tx")
@_suite_option
@click.argument("raw_hex")
def decode_tx(suite: str, raw_hex: str) -> None:
    """Decode a signed transaction (2.x RLP or 3.x TARS) and check its signature."""
    from gateway.chain.cli_support import describe_raw_transaction

    raw = _hex_argument(raw_hex, "RAW_HEX")
    try:
        _emit(describe_raw_transaction(raw, suite_by_name(suite)))
    except ChainError as exc:
        raise ChainCommandError(str(exc)) from exc


def _load_key(spec: str, suite: CryptoSuite) -> PrivateKey:
    path = Path(spec)
    try:
        if path.is_file():
            from gateway.crypto.keyfiles import load_private_key

            passphrase = os.environ.get(KEY_PASSPHRASE_ENV)
            key: PrivateKey = load_private_key(
                str(path), passphrase.encode() if passphrase is not None else None
            )
            suite.public_key_of(key)  # raises SuiteMismatch for the other curve
            return key
        secret = _hex_argument(spec, "--key")
        if len(secret) != 32:
            raise ChainCommandError("--key is a key file or a 32-byte hex private key")
        return suite.load_key(secret)
    except (CryptoError, ChainError, OSError) as exc:
        raise ChainCommandError(f"cannot load key: {exc}") from exc


def _fields_json(text: str) -> dict[str, Any]:
    source = text
    if text.startswith("@"):
        try:
            source = Path(text[1:]).read_text(encoding="utf-8")
        except OSError as exc:
            raise ChainCommandError(f"cannot read {text[1:]}: {exc}") from exc
    try:
        value = json.loads(source)
    except ValueError as exc:
        raise ChainCommandError(f"--fields is not JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise ChainCommandError("--fields must be a JSON object")
    fields: dict[str, Any] = {}
    for name, item in value.items():
        canonical = _FIELD_ALIASES.get(name, name)
        if canonical not in _INT_FIELDS + _HEX_FIELDS:
            raise ChainCommandError(f"unknown transaction field {name!r}")
        fields[canonical] = item
    return fields


def _int_field(fields: dict[str, Any], name: str, default: int | None) -> int:
    value = fields.get(name, default)
    if value is None:
        raise ChainCommandError(f"--fields needs {name}")
    if isinstance(value, bool):
        raise ChainCommandError(f"{name} must be a number")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text, 16) if text[:2].lower() == "0x" else int(text, 10)
        except ValueError as exc:
            raise ChainCommandError(f"{name} is not a number: {value!r}") from exc
    raise ChainCommandError(f"{name} must be a JSON integer or a decimal string")


def _hex_field(fields: dict[str, Any], name: str) -> bytes:
    value = fields.get(name, "")
    if not isinstance(value, str):
        raise ChainCommandError(f"{name} must be a hex string")
    return _hex_argument(value, name)


@chain.command(name="sign-tx")
@_suite_option
@click.option("--key", "key_spec", required=True, help="Key file, or 32-byte private key hex.")
@click.option(
    "--fields",
    "fields_text",
    required=True,
    help="JSON object (or @file) with nonce, gas_price, gas_limit, block_limit, to, value, "
    "data, chain_id, group_id, extra_data.",
)
def sign_tx(suite: str, key_spec: str, fields_text: str) -> None:
    """Sign a FISCO BCOS 2.x transaction offline (ECDSA is deterministic, RFC 6979)."""
    from gateway.chain.tx.v2 import TransactionFieldsV2, random_nonce, sign_transaction

    chain_suite = suite_by_name(suite)
    key = _load_key(key_spec, chain_suite)
    fields = _fields_json(fields_text)
    to = _hex_field(fields, "to")
    if len(to) not in (0, 20):
        raise ChainCommandError("to must be empty (deploy) or a 20-byte address")
    try:
        tx_fields = TransactionFieldsV2(
            nonce=_int_field(fields, "nonce", random_nonce()),
            gas_price=_int_field(fields, "gas_price", 30_000_000),
            gas_limit=_int_field(fields, "gas_limit", 30_000_000),
            block_limit=_int_field(fields, "block_limit", None),
            to=to,
            value=_int_field(fields, "value", 0),
            data=_hex_field(fields, "data"),
            chain_id=_int_field(fields, "chain_id", 1),
            group_id=_int_field(fields, "group_id", 1),
            extra_data=_hex_field(fields, "extra_data"),
        )
        signed = sign_transaction(tx_fields, chain_suite, key)
    except (ChainError, CryptoError) as exc:
        raise ChainCommandError(str(exc)) from exc
    _emit(
        {
            "raw_tx": to_hex(signed.raw),
            "signing_hash": to_hex(signed.signing_hash),
            "tx_hash": to_hex(signed.tx_hash),
            "sender": to_hex(signed.sender),
        }
    )


@chain.command(name="status")
@click.option(
    "--rpc", "rpc_url", required=True, help="Node JSON-RPC URL, e.g. http://127.0.0.1:8545"
)
@click.option(
    "--fisco", "fisco_version", type=click.Choice(["2", "3"]), default="2", show_default=True
)
@click.option(
    "--group", default=None, help="Group id (2.x, default 1) or name (3.x, default group0)."
)
@click.option("--ca", "ca_file", type=click.Path(dir_okay=False), help="CA certificate (3.x TLS).")
@click.option("--cert", "cert_file", type=click.Path(dir_okay=False), help="SDK certificate.")
@click.option(
    "--cert-key", "key_file", type=click.Path(dir_okay=False), help="SDK certificate key."
)
@click.option("--timeout", type=float, default=10.0, show_default=True)
def status(
    rpc_url: str,
    fisco_version: str,
    group: str | None,
    ca_file: str | None,
    cert_file: str | None,
    key_file: str | None,
    timeout: float,
) -> None:
    """Show a node's block height, version, group and sealers."""
    from gateway.chain.client import ChainClient
    from gateway.chain.suite import SM_SUITE
    from gateway.chain.transport.http import HttpTransport, TlsOptions
    from gateway.chain.transport.retry import RetryPolicy

    tls = TlsOptions(ca_file=ca_file, cert_file=cert_file, key_file=key_file)
    with HttpTransport(rpc_url, timeout=timeout, tls=tls) as transport:
        try:
            client = ChainClient(
                transport,
                SM_SUITE,  # status reads nothing suite-specific
                group,
                fisco_version=int(fisco_version),
                retry=RetryPolicy(attempts=2),
            )
            node = client.status()
        except (ChainError, ValueError) as exc:
            raise ChainCommandError(str(exc)) from exc
    _emit(
        {
            "height": node.block_number,
            "version": node.node_version,
            "group": node.group,
            "sealers": list(node.sealers),
            "fisco_version": node.fisco_version,
        }
    )


# ``alliance chain deploy`` lives in its own module; attach it when that module is installed.
if importlib.util.find_spec("gateway.cli.chain_deploy") is not None:
    from gateway.cli.chain_deploy import deploy as _deploy

    chain.add_command(_deploy)

from gateway.cli.chain_switch import history as _history  # noqa: E402
from gateway.cli.chain_switch import switch as _switch  # noqa: E402

chain.add_command(_switch)
chain.add_command(_history)
