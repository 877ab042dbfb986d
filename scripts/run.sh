#!/usr/bin/env bash
# `make run`: the sandbox on loopback (35 days of history, so settlements exist), 35 days of orders (what the
# settlements' periods cover) and the last 30 days of settlements loaded and posted, then the Dagster UI with the
# order and settlement sensors running. Ctrl-C stops everything this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PORT="${SANDBOX_PORT:-8765}"
UI_PORT="${DAGSTER_PORT:-3000}"
export AMAZON_NETSUITE_SANDBOX_URL="${AMAZON_NETSUITE_SANDBOX_URL:-http://127.0.0.1:$PORT}"
export DAGSTER_HOME="${DAGSTER_HOME:-$PWD/data/dagster_home}"
mkdir -p "$DAGSTER_HOME"
cp dagster_instance.yaml "$DAGSTER_HOME/dagster.yaml"

pids=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "stopped."
}
trap cleanup INT TERM EXIT

if ! curl -fs "$AMAZON_NETSUITE_SANDBOX_URL/_sandbox/health" >/dev/null 2>&1; then
  # Its access log (every SP-API and NetSuite call) goes to a file, not over the sync's summary.
  SANDBOX_LOG="${AMAZON_NETSUITE_DATA_DIR:-data}/sandbox.log"
  mkdir -p "$(dirname "$SANDBOX_LOG")"
  echo "sandbox on $AMAZON_NETSUITE_SANDBOX_URL (log: $SANDBOX_LOG)"
  "$BIN/amazon-netsuite" sandbox serve --port "$PORT" >"$SANDBOX_LOG" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 50); do
    curl -fs "$AMAZON_NETSUITE_SANDBOX_URL/_sandbox/health" >/dev/null 2>&1 && break
    sleep 0.2
  done
fi

# sync shows its own progress and summary; Dagster's run logs go to data/logs/sync-*.log (it prints where).
echo "Loading 35 days of orders and 30 days of settlements from the sandbox through Dagster..."
"$BIN/amazon-netsuite" sync --days 35 || echo "some runs failed; see them in the UI and the run log named above"

echo
echo "Dagster UI: http://127.0.0.1:$UI_PORT  (Ctrl-C stops the UI and the sandbox)"
# In the foreground, so Ctrl-C reaches it (background jobs of a script ignore SIGINT); the EXIT trap then stops
# the sandbox.
"$BIN/dg" dev -w workspace.yaml --host 127.0.0.1 --port "$UI_PORT"
