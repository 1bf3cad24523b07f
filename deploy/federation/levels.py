"""A multi-level alliance on one machine: province, city and county gateways, linked.

Each level is its own ``alliance serve`` process with its own data directory (SQLite
database, embedded chain, keys, twelve departments), port and settings file
(``federation.node``: R320000 江苏省, R320100 南京市, R320102 玄武区). The levels are linked the
way two operators link them, with the CLI and two files: the child's ``alliance sync identity``,
the parent's ``alliance sync children add``, the child's ``alliance sync join``. The
province's departments are simulated (``alliance provider-sim --all``); the scheduled jobs run
in each process, the ``federation`` job every ``--sync-seconds``.

``python deploy/federation/levels.py up`` runs it in the foreground until Ctrl-C (``run.sh``
is the same); the three-process test drives it as a library (:class:`Levels`): ``stop(i)``
sends SIGKILL to level ``i``, ``start(i)`` starts it again.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import IO, Any

HERE = Path(__file__).resolve().parent
ALLIANCE = str(Path(sys.executable).with_name("alliance"))
NODES = (("R320000", "江苏省"), ("R320100", "南京市"), ("R320102", "玄武区"))


def _processes() -> ModuleType:
    """The process helpers of ``deploy/ha/cluster.py`` (ports, waiting, simulators)."""
    name = "alliance_deploy_ha_cluster"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, HERE.parent / "ha" / "cluster.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@dataclass
class Level:
    node: str
    name: str
    port: int
    workdir: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def data_dir(self) -> Path:
        return self.workdir / "var"

    @property
    def config(self) -> Path:
        return self.workdir / "gateway.toml"

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def rpc_url(self) -> str:
        """The embedded chain's JSON-RPC address (published while the level serves)."""
        endpoint = json.loads((self.data_dir / "chain" / "endpoint.json").read_text())
        return str(endpoint["url"])

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ALLIANCE_")}
        env["ALLIANCE_CONFIG"] = str(self.config)
        return env


@dataclass
class Levels:
    workdir: Path
    depth: int = 3
    sync_seconds: float = 2.0
    log_level: str = "WARNING"
    levels: list[Level] = field(default_factory=list)
    _children: list[subprocess.Popen[Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        free_port = _processes().free_port
        self.levels = [
            Level(node, name, free_port(), self.workdir / node)
            for node, name in NODES[: self.depth]
        ]

    # -- commands ---------------------------------------------------------------------------

    def alliance(
        self, index: int, *args: str, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """``alliance ARGS`` as the operator of level ``index``."""
        return subprocess.run(
            [ALLIANCE, *args],
            env=self.levels[index].env(),
            capture_output=True,
            text=True,
            check=check,
            timeout=300,
        )

    def _log(self, level: Level, name: str) -> IO[bytes]:
        return (level.workdir / f"{name}.log").open("ab")

    # -- setting up -------------------------------------------------------------------------

    def _write_config(self, level: Level) -> None:
        level.workdir.mkdir(parents=True, exist_ok=True)
        level.config.write_text(
            f"""# written by deploy/federation/levels.py
data_dir = "{level.data_dir}"

[http]
port = {level.port}
workers = 1
threads = 16
public_url = "{level.url}"

[log]
level = "{self.log_level}"
format = "text"

[chain]
devnode_block_interval = 0.05

[evidence]
interval_seconds = 1.0

[oauth]
token_rate_limit = "100000/minute"
api_rate_limit = "1000000/minute"
query_rate_limit = "1000000/minute"

[providers]
simulate = false

[jobs]
in_process = true

[federation]
node = "{level.node}"
name = "{level.name}"
interval_seconds = {self.sync_seconds}
timeout = {10.0 + 5.0 * self.levels.index(level)}
"""
        )

    def _link(self, parent: int, child: int) -> None:
        identity = self.levels[child].workdir / "identity.json"
        link = self.levels[child].workdir / "link.json"
        self.alliance(child, "sync", "identity", "--out", str(identity))
        self.alliance(parent, "sync", "children", "add", str(identity), "--out", str(link))
        self.alliance(child, "sync", "join", str(link))

    def _start_simulators(self) -> None:
        helpers = _processes()
        top = self.levels[0]
        base = helpers.free_port_range(12)
        process = subprocess.Popen(
            [ALLIANCE, "provider-sim", "--all", "--base-port", str(base)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=top.env(),
        )
        self._children.append(process)
        assert process.stdout is not None
        listening = helpers.read_json_document(process.stdout, 60)
        urls = {item["member"]: item["url"] for item in listening["simulators"]}
        helpers.point_members_at(top.env(), urls)

    def start_all(self) -> Levels:
        for level in self.levels:
            self._write_config(level)
        initialising = []
        for level in self.levels:
            with self._log(level, "init") as log:
                initialising.append(
                    subprocess.Popen(
                        [ALLIANCE, "init"], env=level.env(), stdout=subprocess.DEVNULL, stderr=log
                    )
                )
        for process in initialising:
            if process.wait(timeout=300) != 0:
                raise RuntimeError("alliance init failed (see the levels' init.log)")
        for index in range(1, len(self.levels)):
            self._link(index - 1, index)
        self._start_simulators()
        for index in range(len(self.levels)):
            self.start(index, wait=False)
        for level in self.levels:
            _processes().wait_http(level.url + "/readyz", 120)
        return self

    # -- faults -----------------------------------------------------------------------------

    def stop(self, index: int) -> None:
        """SIGKILL level ``index`` (its gunicorn master and worker) at once."""
        level = self.levels[index]
        if level.alive:
            assert level.process is not None
            os.killpg(level.process.pid, signal.SIGKILL)
            level.process.wait()
        (level.data_dir / "chain" / "endpoint.json").unlink(missing_ok=True)

    def start(self, index: int, wait: bool = True) -> None:
        level = self.levels[index]
        with self._log(level, "serve") as log:
            level.process = subprocess.Popen(
                [ALLIANCE, "serve"],
                stdout=subprocess.DEVNULL,
                stderr=log,
                env=level.env(),
                start_new_session=True,
            )
        if wait:
            _processes().wait_http(level.url + "/readyz", 120)

    def stop_all(self) -> None:
        _processes().stop_all([level.process for level in self.levels], self._children)

    def __enter__(self) -> Levels:
        try:
            return self.start_all()
        except BaseException:
            self.stop_all()
            raise

    def __exit__(self, *exc: object) -> None:
        self.stop_all()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start the levels and keep them running until Ctrl-C")
    up.add_argument("--workdir", type=Path, default=Path("var-levels"))
    up.add_argument("--depth", type=int, choices=(2, 3), default=3)
    up.add_argument("--sync-seconds", type=float, default=30.0)
    args = parser.parse_args(argv)
    with Levels(args.workdir.resolve(), args.depth, args.sync_seconds) as levels:
        print(
            json.dumps(
                {
                    level.node: {
                        "name": level.name,
                        "url": level.url,
                        "config": str(level.config),
                        "chain": level.rpc_url(),
                    }
                    for level in levels.levels
                },
                ensure_ascii=False,
            ),
            flush=True,
        )
        try:
            while True:
                time.sleep(1)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
