"""``alliance init``, ``db``, ``serve`` and ``--version`` as an operator runs them."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text

import gateway

ALLIANCE = [sys.executable, "-m", "gateway.cli"]
FAST_CHAIN = {"ALLIANCE_LOG_FORMAT": "text", "ALLIANCE_CHAIN_DEVNODE_BLOCK_INTERVAL": "0.02"}


def run(
    args: list[str], env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ALLIANCE + args,
        env={**os.environ, **FAST_CHAIN, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _snapshot(data_dir: Path) -> dict[str, str]:
    """Content of every file except SQLite's WAL side files, plus the database rows."""
    files = {
        str(path.relative_to(data_dir)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(data_dir.rglob("*"))
        if path.is_file() and not path.name.endswith(("-wal", "-shm", ".db"))
    }
    engine = create_engine(f"sqlite:///{data_dir / 'gateway.db'}")
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT key, value, created_at FROM instance_settings")
        ).all()
        revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    engine.dispose()
    files["rows"] = repr(sorted(rows))
    files["revision"] = str(revision)
    return files


def test_version() -> None:
    result = run(["--version"], {})
    assert result.returncode == 0
    assert gateway.__version__ in result.stdout


def test_init_twice_changes_nothing_the_second_time(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    env = {"ALLIANCE_DATA_DIR": str(data_dir)}
    first = run(["init"], env)
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert report["created"]
    assert report["gateway_address"].startswith("0x") and len(report["gateway_address"]) == 42
    key_file = Path(report["gateway_key"])
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert data_dir.stat().st_mode & 0o777 == 0o700
    before = _snapshot(data_dir)

    second = run(["init"], env)
    assert second.returncode == 0, second.stderr
    again = json.loads(second.stdout)
    assert again["created"] == []
    assert again["instance_id"] == report["instance_id"]
    assert again["gateway_address"] == report["gateway_address"]
    assert _snapshot(data_dir) == before


@pytest.mark.postgres
def test_init_against_postgres(tmp_path: Path, postgres_url: str) -> None:
    env = {"ALLIANCE_DATA_DIR": str(tmp_path / "var"), "ALLIANCE_DATABASE_URL": postgres_url}
    first = json.loads(run(["init"], env).stdout)
    assert first["database"].startswith("postgresql+psycopg://")
    assert "schema" in first["created"]
    second = json.loads(run(["init"], env).stdout)
    assert second["created"] == []
    assert second["instance_id"] == first["instance_id"]
    current = json.loads(run(["db", "current"], env).stdout)
    assert current["revision"] == current["head"]


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"ALLIANCE_DATABASE_URL": "nonsense"}, "ALLIANCE_DATABASE_URL"),
        ({"ALLIANCE_HTTP_PORT": "-1"}, "ALLIANCE_HTTP_PORT"),
    ],
)
@pytest.mark.parametrize("command", [["serve"], ["init"], ["db", "upgrade"]])
def test_bad_settings_fail_fast_in_one_line(
    tmp_path: Path, env: dict[str, str], named: str, command: list[str]
) -> None:
    result = run(command, {"ALLIANCE_DATA_DIR": str(tmp_path), **env}, timeout=20)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert named in lines[0]
    assert "Traceback" not in result.stderr


def test_unreachable_database_is_one_line(tmp_path: Path) -> None:
    env = {
        "ALLIANCE_DATA_DIR": str(tmp_path),
        "ALLIANCE_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none",
    }
    result = run(["db", "upgrade"], env)
    assert result.returncode == 3
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_serve_answers_health_and_openapi(tmp_path: Path) -> None:
    env = {"ALLIANCE_DATA_DIR": str(tmp_path / "var")}
    assert run(["init"], env).returncode == 0
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [*ALLIANCE, "serve", "--port", str(port)],
            env={**os.environ, **FAST_CHAIN, **env},
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
                break
            except requests.RequestException:
                assert process.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "gateway did not start"
                time.sleep(0.2)
        assert response.status_code == 200
        spec = requests.get(f"http://127.0.0.1:{port}/api/openapi.json", timeout=5).json()
        assert spec["openapi"].startswith("3.")
        ready = requests.get(f"http://127.0.0.1:{port}/readyz", timeout=5)
        assert ready.status_code == 200, ready.text
        time.sleep(5)  # two or three anchoring runs (every 2 s)
    finally:
        process.terminate()
        process.wait(timeout=20)
    output = log.read_text()
    lines = output.splitlines()
    expected = (("API:", "/api/v1/"), ("API docs:", "/api/docs"), ("Console:", "/console/"))
    for label, path in expected:
        shown = [line for line in lines if line.startswith(label + " ")]
        assert [line.split()[-1] for line in shown] == [f"http://127.0.0.1:{port}{path}"], output
    assert "Running job" not in output
    assert "executed successfully" not in output


def test_served_urls_name_a_reachable_host() -> None:
    from gateway.server import served_urls

    assert served_urls("127.0.0.1", 8080)[0] == ("API", "http://127.0.0.1:8080/api/v1/")
    assert served_urls("0.0.0.0", 80)  # noqa: S104 - the wildcard bind is what is tested[2] == ("Console", "http://127.0.0.1:80/console/")
    assert served_urls("::", 81)[1] == ("API docs", "http://[::1]:81/api/docs")
    assert served_urls("gw.example", 82)[0][1] == "http://gw.example:82/api/v1/"
