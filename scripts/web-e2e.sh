#!/usr/bin/env bash
# Build dist/ and run the browser end-to-end test (tests/web/e2e.mjs) in headless Chromium.
# Screenshots, the downloaded CSV and report.json (start-up and forecast times) are kept in
# $HORIZON_CACHE/artifacts/web-e2e (or the folder given as $1).
set -euo pipefail
cd "$(dirname "$0")/.."
export HORIZON_CACHE=${HORIZON_CACHE:-$HOME/.cache/horizon}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HORIZON_CACHE/target}
artifacts=${1:-$HORIZON_CACHE/artifacts/web-e2e}
bash scripts/setup.sh e2e
bash scripts/setup.sh mlflow
bash scripts/web-build.sh dist
cargo build --locked -p horizon --bin horizon
rm -rf "$artifacts"
mkdir -p "$artifacts"
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_for() {
  for _ in $(seq 1800); do
    python3 -c "import urllib.request; urllib.request.urlopen('$1')" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "web-e2e: $1 does not answer" >&2
  return 1
}
work=$(mktemp -d)
pids=()
mlflow_pid=
stop_all() {
  kill "${pids[@]}" 2>/dev/null || true
  [ -n "$mlflow_pid" ] && kill -- "-$mlflow_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap stop_all EXIT

# The static site.
port=$(free_port)
python3 -m http.server --bind 127.0.0.1 --directory dist "$port" >"$artifacts/http.log" 2>&1 &
pids+=($!)

# A real MLflow server with one model registered by the pipeline CLI, for the browser to list.
mlflow_port=$(free_port)
# In its own process group (setsid), so the trap stops uvicorn's workers with it.
MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false setsid \
  "$HORIZON_CACHE/mlflow-venv/bin/mlflow" server --host 127.0.0.1 --port "$mlflow_port" --workers 1 \
  --backend-store-uri "sqlite:///$work/mlflow.db" --artifacts-destination "$work/mlartifacts" \
  >"$artifacts/mlflow.log" 2>&1 &
mlflow_pid=$!
wait_for "http://127.0.0.1:$port/index.html"
wait_for "http://127.0.0.1:$mlflow_port/health"
cp sample_data/retail_small.csv "$work/"
cat >"$work/pipeline.toml" <<TOML
[data]
path = "retail_small.csv"
[training]
models = ["seasonal-naive", "ets"]
horizon = 28
folds = 2
[registry]
target = "mlflow"
url = "http://127.0.0.1:$mlflow_port"
timeout_secs = 60
model_name = "sales"
TOML
"$CARGO_TARGET_DIR/debug/horizon" train --config "$work/pipeline.toml" >"$artifacts/train.log"

HORIZON_NODE="$HORIZON_CACHE/node" \
  node tests/web/e2e.mjs "http://127.0.0.1:$port/index.html" "$artifacts" "http://127.0.0.1:$mlflow_port"
echo "web-e2e: artifacts in $artifacts"
