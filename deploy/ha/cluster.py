"""A multi-replica gateway on one machine: N replicas + HAProxy + a devnode + the simulators.

Every replica is an ``alliance serve`` process (one gunicorn worker, the scheduled jobs in
process under the shared Redis leases) over the same PostgreSQL database, Redis server and
data directory (the gateway and storage keys, the deployment file, the members' credentials);
the chain is a separate ``alliance devnode`` process, the departments' systems one
``alliance provider-sim --all`` process, and HAProxy (Debian's ``haproxy``) balances over the
replicas with health checks (``deploy/ha/haproxy.cfg.template``).

``python deploy/ha/cluster.py up --replicas 3 --database-url URL --redis-url URL`` runs it
in the foreground until Ctrl-C (``deploy/ha/run.sh`` is the same with environment defaults);
``tests/faults/ha_campaign.py`` drives it as a library (:class:`Cluster`): ``kill(i)`` sends
SIGKILL to replica ``i``, ``restart(i)`` starts it again.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import string
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

HERE = Path(__file__).resolve().parent
ALLIANCE = str(Path(sys.executable).with_name("alliance"))
PROVIDERS = 12


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def free_port_range(count: int) -> int:
    """The first of ``count`` consecutive free loopback ports."""
    for _ in range(200):
        base = free_port()
        if base + count >= 65535:
            continue
        sockets = []
        try:
            for offset in range(count):
                sock = socket.socket()
                sockets.append(sock)
                sock.bind(("127.0.0.1", base + offset))
            return base
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
    raise RuntimeError(f"no {count} consecutive free ports")


def read_json_document(stream: IO[str], timeout: float) -> Any:
    """Read one JSON document (one or several lines) from a child's stdout."""
    decoder = json.JSONDecoder()
    text = ""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = stream.readline()
        if not line:
            raise RuntimeError(f"the process ended before printing its address: {text!r}")
        text += line
        try:
            return decoder.raw_decode(text.strip())[0]
        except json.JSONDecodeError:
            continue
    raise RuntimeError("timed out waiting for the process to listen")


def wait_http(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 - loopback
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer 200 within {timeout} s")


@dataclass
class Replica:
    index: int
    port: int
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


@dataclass
class Cluster:
    workdir: Path
    database_url: str
    redis_url: str
    replicas: int = 3
    block_interval: float = 0.2
    log_level: str = "WARNING"
    members: list[Replica] = field(default_factory=list)
    _children: list[subprocess.Popen[Any]] = field(default_factory=list)
    rpc_url: str = ""
    balancer_port: int = 0

    @property
    def data_dir(self) -> Path:
        return self.workdir / "var"

    @property
    def config(self) -> Path:
        return self.workdir / "gateway.toml"

    @property
    def balancer_url(self) -> str:
        return f"http://127.0.0.1:{self.balancer_port}"

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ALLIANCE_")}
        env["ALLIANCE_CONFIG"] = str(self.config)
        if self.rpc_url:
            env["ALLIANCE_CHAIN_RPC_URL"] = self.rpc_url
        env.update(extra)
        return env

    def _log(self, name: str) -> IO[bytes]:
        return (self.workdir / f"{name}.log").open("ab")

    # -- setting up ------------------------------------------------------------------------

    def _write_config(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.config.write_text(
            f"""# written by deploy/ha/cluster.py
data_dir = "{self.data_dir}"
database_url = "{self.database_url}"
redis_url = "{self.redis_url}"

[http]
workers = 1
threads = 16
public_url = "http://127.0.0.1:{self.balancer_port}"

[log]
level = "{self.log_level}"
format = "text"

[chain]
timeout = 10.0

[oauth]
token_rate_limit = "100000/minute"
api_rate_limit = "1000000/minute"
query_rate_limit = "1000000/minute"

[evidence]
# The longest a request can run here is about 2 x (connect 2 s + read 10 s): a pending request
# older than this belongs to a killed replica.
interrupted_after_seconds = 40.0

[providers]
simulate = false

[jobs]
in_process = true
lease_seconds = 6.0
"""
        )

    def _init(self) -> None:
        with self._log("init") as log:
            subprocess.run(
                [ALLIANCE, "init"],
                env=self.env(ALLIANCE_CHAIN_DEVNODE_BLOCK_INTERVAL="0.02"),
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        (self.data_dir / "chain" / "endpoint.json").unlink(missing_ok=True)

    def _start_devnode(self) -> None:
        with self._log("devnode") as log:
            process = subprocess.Popen(
                [
                    *(ALLIANCE, "devnode", "--port", "0", "--data", str(self.data_dir / "chain")),
                    *("--block-interval", str(self.block_interval)),
                ],
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
                env=self.env(),
            )
        self._children.append(process)
        assert process.stdout is not None
        self.rpc_url = read_json_document(process.stdout, 60)["url"]

    def _start_simulators(self) -> None:
        base = free_port_range(PROVIDERS)
        process = subprocess.Popen(
            [ALLIANCE, "provider-sim", "--all", "--base-port", str(base)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=self.env(),
        )
        self._children.append(process)
        assert process.stdout is not None
        listening = read_json_document(process.stdout, 60)
        urls = {item["member"]: item["url"] for item in listening["simulators"]}
        point_members_at(self.env(), urls)

    def _start_balancer(self) -> None:
        servers = "\n".join(
            f"    server gw{r.index} 127.0.0.1:{r.port} check" for r in self.members
        )
        template = string.Template((HERE / "haproxy.cfg.template").read_text())
        path = self.workdir / "haproxy.cfg"
        path.write_text(
            template.substitute(bind=f"127.0.0.1:{self.balancer_port}", servers=servers)
        )
        haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
        subprocess.run([haproxy, "-c", "-q", "-f", str(path)], check=True)
        with self._log("haproxy") as log:
            self._children.append(
                subprocess.Popen(
                    [haproxy, "-db", "-f", str(path)], stdout=log, stderr=subprocess.STDOUT
                )
            )

    def start(self) -> Cluster:
        self.balancer_port = free_port()
        self._write_config()
        self._init()
        self._start_devnode()
        self._start_simulators()
        self.members = [Replica(i, free_port()) for i in range(self.replicas)]
        for replica in self.members:
            self.restart(replica.index, wait=False)
        for replica in self.members:
            wait_http(replica.url + "/readyz", 90)
        self._start_balancer()
        wait_http(self.balancer_url + "/healthz", 30)
        return self

    # -- faults ------------------------------------------------------------------------------

    def kill(self, index: int) -> None:
        """SIGKILL replica ``index`` (its gunicorn master and worker) at once."""
        replica = self.members[index]
        if replica.process is not None and replica.process.poll() is None:
            os.killpg(replica.process.pid, signal.SIGKILL)
            replica.process.wait()

    def restart(self, index: int, wait: bool = True) -> None:
        replica = self.members[index]
        replica.starts += 1
        with self._log(f"replica-{index}") as log:
            replica.process = subprocess.Popen(
                [ALLIANCE, "serve", "--port", str(replica.port), "--workers", "1"],
                stdout=subprocess.DEVNULL,
                stderr=log,
                env=self.env(),
                start_new_session=True,  # its own process group, killed as one
            )
        if wait:
            wait_http(replica.url + "/readyz", 90)

    def stop(self) -> None:
        stop_all([replica.process for replica in self.members], list(reversed(self._children)))

    def __enter__(self) -> Cluster:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc: object) -> None:
        self.stop()


def stop_all(
    sessions: list[subprocess.Popen[bytes] | None], children: list[subprocess.Popen[Any]]
) -> None:
    """SIGTERM each session's process group (``alliance serve``: gunicorn master and worker),
    SIGKILL what is left after 20 s; then terminate the helper processes in order."""
    for process in sessions:
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in sessions:
        if process is not None:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    for child in children:
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(15)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        if child.stdout is not None:
            child.stdout.close()


def point_members_at(env: dict[str, str], urls: dict[str, str]) -> None:
    """Record the simulators' addresses as the members' endpoints in the shared database."""
    script = (
        "import dataclasses, json, sys\n"
        "from gateway.bootstrap import build_container\n"
        "from gateway.settings import load_settings\n"
        "from gateway.members.ports import MemberQuery\n"
        "urls = json.loads(sys.argv[1])\n"
        "c = build_container(load_settings())\n"
        "index = c.members.index\n"
        "for m in index.find(MemberQuery(limit=100)):\n"
        "    if m.code in urls:\n"
        "        p = dataclasses.replace(m.profile, endpoint=urls[m.code])\n"
        "        index.save(dataclasses.replace(m, profile=p))\n"
        "c.close()\n"
    )
    subprocess.run([sys.executable, "-c", script, json.dumps(urls)], env=env, check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start the cluster and keep it running until Ctrl-C")
    up.add_argument("--replicas", type=int, default=3)
    up.add_argument("--database-url", required=True)
    up.add_argument("--redis-url", required=True)
    up.add_argument("--workdir", type=Path, default=Path("var-ha"))
    args = parser.parse_args(argv)
    cluster = Cluster(args.workdir.resolve(), args.database_url, args.redis_url, args.replicas)
    with cluster:
        print(
            json.dumps(
                {
                    "balancer": cluster.balancer_url,
                    "replicas": [r.url for r in cluster.members],
                    "chain": cluster.rpc_url,
                    "config": str(cluster.config),
                    "credentials": str(cluster.data_dir / "credentials"),
                }
            ),
            flush=True,
        )
        try:
            while True:
                time.sleep(1)
                for replica in cluster.members:
                    if not replica.alive:  # a supervisor restarts what dies
                        cluster.restart(replica.index)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
