"""``alliance jobs once`` and ``alliance jobs history``."""

from __future__ import annotations

import json

from click.testing import CliRunner

from gateway.cli.main import main
from gateway.settings import Settings


def test_once_runs_a_job_and_history_shows_it(seeded_settings: Settings) -> None:
    env = {
        "ALLIANCE_DATA_DIR": str(seeded_settings.data_dir),
        "ALLIANCE_LOG_FORMAT": "text",
        "ALLIANCE_CHAIN_DEVNODE_BLOCK_INTERVAL": "0.02",
    }
    runner = CliRunner()
    ran = runner.invoke(main, ["jobs", "once", "members-sync"], env=env)
    assert ran.exit_code == 0, ran.output
    assert json.loads(ran.output) == {"job": "members-sync", "outcome": "ran"}
    again = json.loads(runner.invoke(main, ["jobs", "once", "members-sync"], env=env).output)
    history = json.loads(runner.invoke(main, ["jobs", "history"], env=env).output)
    if again["outcome"] == "ran":  # the two calls straddled a 300 s tick boundary
        assert history[0]["tick"] != history[1]["tick"]
    else:
        assert again["outcome"] == "duplicate"
        assert len(history) == 1
    assert history[0]["job"] == "members-sync"
    assert history[0]["outcome"] == "ok"
    assert len(history[0]["detail"]["unchanged"]) == 12
    unknown = runner.invoke(main, ["jobs", "once", "nope"], env=env)
    assert unknown.exit_code == 2
