#!/usr/bin/env bash
# The whole test suite on a fresh machine: virtualenv, install, contracts toolchain, lint,
# format check, type check, contract artefact check, then pytest (PostgreSQL at 127.0.0.1:5432
# and Redis at 127.0.0.1:6379 must be running; .ci/run starts them when they are down).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -e '.[test,dev]'

# The console's browser tests drive Debian's Chromium (never a downloaded browser).
if [ ! -x /usr/bin/chromium ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null
fi

# The HA fault campaign (tests/faults) balances replicas with Debian's HAProxy.
if ! command -v haproxy >/dev/null 2>&1 && [ ! -x /usr/sbin/haproxy ]; then
  echo "installing HAProxy for the high-availability fault campaign"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null
fi

if [ -f contracts/package-lock.json ]; then
  npm --prefix contracts ci --no-audit --no-fund --loglevel=error
fi
# The EVM node (Hardhat Network) the EVM chain adapter is tested against, on loopback.
if [ -f tests/evmnode/package-lock.json ]; then
  npm --prefix tests/evmnode ci --no-audit --no-fund --loglevel=error
fi

echo "== ruff"; .venv/bin/ruff check . && .venv/bin/ruff format --check .
echo "== mypy"; .venv/bin/mypy
if [ -f contracts/package-lock.json ] && grep -q '"check"' contracts/package.json; then
  echo "== contracts"; npm --prefix contracts run --silent check
fi

echo "== pytest"
set +e
.venv/bin/pytest "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: that is a failure" >&2
  exit 1
fi
exit "$status"
