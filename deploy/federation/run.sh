#!/usr/bin/env bash
# Province, city and county gateways on one machine, linked parent to child, each with its own
# SQLite database and embedded chain; the province's departments simulated:
#
#   bash deploy/federation/run.sh            # WORKDIR=var-levels DEPTH=3 SYNC_SECONDS=30
#
# Prints each level's URL, settings file and chain as JSON once all answer; Ctrl-C stops
# them. Run `ALLIANCE_CONFIG=<that file> .venv/bin/alliance sync status` against any level.
# See docs/federation.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec .venv/bin/python deploy/federation/levels.py up --workdir "${WORKDIR:-var-levels}" \
  --depth "${DEPTH:-3}" --sync-seconds "${SYNC_SECONDS:-30}"
