"""``alliance chain`` decode-tx / sign-tx / status: JSON out, one-line errors, real vectors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from gateway.chain.suite import ECDSA_SUITE, SM_SUITE
from gateway.chain.tx.v2 import decode_raw_transaction
from gateway.cli.main import main


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, ["chain", *args], env=env)


def ok_json(result: Result) -> Any:
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def assert_one_line_error(result: Result) -> None:
    assert result.exit_code != 0
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def _sdk_fields(record: dict[str, Any]) -> str:
    return json.dumps(record["tx_fields"])


def _snake_fields(record: dict[str, Any]) -> str:
    """The documented key names, numbers as decimal strings."""
    f = record["tx_fields"]
    return json.dumps(
        {
            "nonce": str(f["randomid"]),
            "gas_price": str(f["gasPrice"]),
            "gas_limit": f["gasLimit"],
            "block_limit": str(f["blockLimit"]),
            "to": f["to"],
            "value": "0",
            "data": f["data"],
            "chain_id": f["fiscoChainId"],
            "group_id": str(f["groupId"]),
            "extra_data": f["extraData"],
        }
    )


def test_decode_documented_ecdsa_transaction(transactions: Any) -> None:
    (record,) = transactions["doc_raw_transactions"]["ecdsa"]
    out = ok_json(run("decode-tx", "--suite", "ecdsa", record["raw_tx"]))
    assert out["tx_hash"] == record["documented_result"]
    assert out["signing_hash"] == record["signing_hash"]
    assert out["sender"] == record["recovered_sender_address"].lower()
    assert out["signature_valid"] is True
    assert out["fields"]["block_limit"] == 0x1F8
    assert out["fields"]["to"] == record["decoded_by_sdk"]["to"]
    assert out["fields"]["nonce"] == int(record["decoded_by_sdk"]["randomid"], 16)


def test_decode_documented_sm2_transaction(transactions: Any) -> None:
    (record,) = transactions["doc_raw_transactions"]["gm"]
    out = ok_json(run("decode-tx", "--suite", "sm", record["raw_tx"]))
    assert out["signature_valid"] is True
    assert out["tx_hash"] == record["tx_hash"]
    assert out["sender"] == record["sender_address"]
    assert out["v"] == record["decoded_by_sdk"]["v"]


def test_decode_documented_3x_transaction(rpc3_examples: Any) -> None:
    raw = next(e for e in rpc3_examples if e["method"] == "sendTransaction")["request"]["params"][2]
    out = ok_json(run("decode-tx", "--suite", "sm", raw))
    assert out["format"] == "fisco-bcos-3.x-tars"
    assert out["tx_hash"] == "0x867fc7059f04e9f172202b777673a8413c9e47990dcd09b11311a2f1f5b55a4f"
    assert out["signature_valid"] is True
    assert out["sender"] == "0xf3293c3452b3b0479e64a4c612e8c1b0da5fe1af"


@pytest.mark.parametrize("style", [_sdk_fields, _snake_fields], ids=["sdk-keys", "snake-keys"])
def test_sign_ecdsa_vectors_byte_for_byte(transactions: Any, style: Any) -> None:
    for record in transactions["ecdsa"]:
        out = ok_json(
            run(
                "sign-tx",
                "--suite",
                "ecdsa",
                "--key",
                record["private_key"],
                "--fields",
                style(record),
            )
        )
        assert out["raw_tx"] == record["raw_tx"], record["name"]
        assert out["signing_hash"] == record["signing_hash"]
        assert out["tx_hash"] == record["tx_hash"]


def test_sign_sm2_vectors_by_hash_and_verification(transactions: Any) -> None:
    for record in transactions["gm"]:
        out = ok_json(
            run(
                "sign-tx",
                "--suite",
                "sm",
                "--key",
                record["private_key"],
                "--fields",
                _snake_fields(record),
            )
        )
        assert out["signing_hash"] == record["signing_hash"]
        decoded = decode_raw_transaction(bytes.fromhex(out["raw_tx"][2:]), SM_SUITE)
        assert decoded.signature_valid
        assert "0x" + decoded.tx_hash.hex() == out["tx_hash"]
        assert out["sender"] == record["from_address"].lower()


def test_sign_deploy_with_empty_to_and_defaults() -> None:
    key = "0x" + "01".rjust(64, "0")
    out = ok_json(
        run(
            "sign-tx",
            "--suite",
            "ecdsa",
            "--key",
            key,
            "--fields",
            '{"block_limit": 600, "to": "", "data": "0x6080"}',
        )
    )
    decoded = decode_raw_transaction(bytes.fromhex(out["raw_tx"][2:]), ECDSA_SUITE)
    assert decoded.fields.to == b"" and decoded.fields.block_limit == 600
    assert decoded.fields.nonce.bit_length() > 128  # a random 256-bit nonce by default
    assert out["sender"] == "0x7e5f4552091a69125d5dfcb7b8c2659029395bdf"


def test_sign_with_key_files(tmp_path: Path, accounts: Any) -> None:
    keyfile = accounts["ecdsa"]["keyfiles"][0]
    pem = tmp_path / "account.pem"
    pem.write_text(keyfile["file_content"])
    fields = '{"nonce": 1, "block_limit": 2, "to": ""}'
    out = ok_json(run("sign-tx", "--suite", "ecdsa", "--key", str(pem), "--fields", fields))
    assert out["sender"] == keyfile["address"].lower()
    gm = accounts["gm"]["keyfiles"][0]
    account = tmp_path / "gm_account.json"
    account.write_text(json.dumps(gm["file_content"]))
    env = {"ALLIANCE_KEY_PASSPHRASE": gm["password"]}
    out = ok_json(
        run("sign-tx", "--suite", "sm", "--key", str(account), "--fields", fields, env=env)
    )
    assert out["sender"] == gm["address"].lower()
    # an SM2 key file cannot sign for the ecdsa suite
    assert_one_line_error(
        run("sign-tx", "--suite", "ecdsa", "--key", str(account), "--fields", fields, env=env)
    )


def test_fields_from_a_file(tmp_path: Path, transactions: Any) -> None:
    record = transactions["ecdsa"][0]
    path = tmp_path / "fields.json"
    path.write_text(_sdk_fields(record))
    out = ok_json(
        run("sign-tx", "--suite", "ecdsa", "--key", record["private_key"], "--fields", f"@{path}")
    )
    assert out["raw_tx"] == record["raw_tx"]


KEY = "0x" + "11" * 32


@pytest.mark.parametrize(
    "args",
    [
        ("decode-tx", "--suite", "ecdsa", "0xzz"),
        ("decode-tx", "--suite", "ecdsa", "0x"),
        ("decode-tx", "--suite", "ecdsa", "0xc0"),
        ("sign-tx", "--suite", "sm", "--key", "0x1234", "--fields", '{"block_limit": 1}'),
        ("sign-tx", "--suite", "sm", "--key", "0x" + "00" * 32, "--fields", '{"block_limit": 1}'),
        ("sign-tx", "--suite", "sm", "--key", KEY, "--fields", "{not json"),
        ("sign-tx", "--suite", "sm", "--key", KEY, "--fields", "[]"),
        ("sign-tx", "--suite", "sm", "--key", KEY, "--fields", '{"gas": 1, "block_limit": 1}'),
        ("sign-tx", "--suite", "sm", "--key", KEY, "--fields", '{"to": ""}'),
        ("sign-tx", "--suite", "sm", "--key", KEY, "--fields", '{"block_limit": "ten"}'),
        ("sign-tx", "--suite", "sm", "--key", KEY, "--fields", '{"block_limit": -1}'),
        ("sign-tx", "--suite", "sm", "--key", KEY, "--fields", '{"block_limit": 1, "to": "0x12"}'),
        ("sign-tx", "--suite", "sm", "--key", KEY, "--fields", "@/nonexistent/fields.json"),
    ],
)
def test_operator_errors_are_one_line(args: tuple[str, ...]) -> None:
    assert_one_line_error(run(*args))


def test_status_of_a_2x_node(replay_server: Any, rpc2_examples: Any) -> None:
    table = {
        e["method"]: e["response"]
        for e in rpc2_examples
        if isinstance(e.get("response"), dict) and "result" in e["response"]
    }
    replay_server.set_responder(
        lambda r: (200, json.dumps({**table[r["method"]], "id": r["id"]}).encode())
    )
    out = ok_json(run("status", "--rpc", replay_server.url))
    assert out["height"] == 1 and out["version"] == "2.0.0" and out["group"] == 1
    assert len(out["sealers"]) == 3


def test_status_of_a_3x_node(replay_server: Any, rpc3_examples: Any) -> None:
    table = {
        e["method"]: e["response"] for e in rpc3_examples if isinstance(e.get("response"), dict)
    }
    replay_server.set_responder(
        lambda r: (200, json.dumps({**table[r["method"]], "id": r["id"]}).encode())
    )
    out = ok_json(run("status", "--rpc", replay_server.url, "--fisco", "3"))
    assert (out["height"], out["version"], out["group"]) == (8, "3.3.0", "group0")


def test_status_with_a_bad_group_or_url() -> None:
    assert_one_line_error(run("status", "--rpc", "http://127.0.0.1:1", "--group", "group0"))
    assert_one_line_error(run("status", "--rpc", "not a url"))


def test_status_of_an_unreachable_node() -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert_one_line_error(run("status", "--rpc", f"http://127.0.0.1:{port}", "--timeout", "1"))
