#!/usr/bin/env bash
# N gateway replicas behind HAProxy on one machine, with a devnode chain and the provider
# simulators, over the PostgreSQL and Redis you name:
#
#   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/alliance_ha \
#   REDIS_URL=redis://127.0.0.1:6379/0 REPLICAS=3 bash deploy/ha/run.sh
#
# Prints the balancer's URL as JSON once everything answers; Ctrl-C stops it all. A replica
# that dies is restarted. See docs/ha.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${DATABASE_URL:?set DATABASE_URL to a PostgreSQL database the replicas share}"
: "${REDIS_URL:?set REDIS_URL to the Redis server the replicas share}"
if ! command -v haproxy >/dev/null 2>&1 && [ ! -x /usr/sbin/haproxy ]; then
  echo "HAProxy is missing: apt-get install -y haproxy" >&2
  exit 2
fi
exec .venv/bin/python deploy/ha/cluster.py up --replicas "${REPLICAS:-3}" \
  --database-url "$DATABASE_URL" --redis-url "$REDIS_URL" --workdir "${WORKDIR:-var-ha}"
