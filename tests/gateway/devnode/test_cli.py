"""``alliance devnode`` and ``alliance chain deploy`` as an operator runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from gateway.chain.rpc import FiscoV2Rpc
from gateway.cli.main import main
from gateway.devnode.testing import running_devnode
from gateway.onchain.deployment import Deployment

from .helpers import artefact, http_transport

ALLIANCE = str(Path(sys.executable).with_name("alliance"))


def test_chain_deploy_writes_a_deployment_file_the_gateway_reads(tmp_path: Path) -> None:
    runner = CliRunner()
    key_file = tmp_path / "deployer.pem"
    generated = runner.invoke(main, ["keys", "generate", "--suite", "sm", "--out", str(key_file)])
    assert generated.exit_code == 0, generated.output
    out = tmp_path / "deployment.json"
    with running_devnode(tmp_path / "chain", suite="sm") as (url, _node):
        result = runner.invoke(
            main,
            [
                "chain",
                "deploy",
                "--rpc",
                url,
                "--key",
                str(key_file),
                "--suite",
                "sm",
                "--chain-id",
                "1",
                "--group-id",
                "1",
                "--out",
                str(out),
            ],
            env={"ALLIANCE_DATA_DIR": str(tmp_path / "var")},
        )
        assert result.exit_code == 0, result.output
        deployment = Deployment.load(out)
        rpc = FiscoV2Rpc(http_transport(url))
        for name in (
            "MemberRegistry",
            "DataCatalog",
            "AccessGrants",
            "EvidenceLedger",
            "FederationLedger",
            "RecordStore",
            "TransferCase",
            "Supervision",
        ):
            code = rpc.get_code(deployment.address(name))
            assert code == bytes.fromhex(artefact(name)["deployedBytecode"][2:]), name
    assert json.loads(result.output)["deployment_file"] == str(out)
    deployment.check_matches("sm", 1, 1)


def test_chain_deploy_refuses_a_key_of_the_other_suite(tmp_path: Path) -> None:
    runner = CliRunner()
    key_file = tmp_path / "deployer.pem"
    runner.invoke(main, ["keys", "generate", "--suite", "ecdsa", "--out", str(key_file)])
    result = runner.invoke(
        main,
        [
            "chain",
            "deploy",
            "--rpc",
            "http://127.0.0.1:9",
            "--key",
            str(key_file),
            "--suite",
            "sm",
            "--out",
            str(tmp_path / "d.json"),
        ],
        env={"ALLIANCE_DATA_DIR": str(tmp_path / "var")},
    )
    assert result.exit_code == 1
    assert "does not belong to the sm suite" in result.output
    assert not (tmp_path / "d.json").exists()


def test_devnode_command_refuses_a_data_directory_in_use(tmp_path: Path) -> None:
    with running_devnode(tmp_path, suite="sm"):
        done = subprocess.run(
            [ALLIANCE, "devnode", "--port", "0", "--data", str(tmp_path)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.returncode == 1
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "another devnode is using" in lines[0]
