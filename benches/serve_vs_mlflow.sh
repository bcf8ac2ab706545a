#!/usr/bin/env bash
# Load benchmark of `horizon serve` against `mlflow models serve` (a statsforecast AutoETS pyfunc
# model), back to back on this machine, loopback only, the same requests in MLflow's scoring
# protocol from the same client: stored-model forecasts (one series named by its ids) and
# refits (one series' 365 days sent as history). Bounded in count: REQUESTS per case.
# Usage: bash benches/serve_vs_mlflow.sh [REQUESTS] [CONCURRENCY]   (default 2000, 4)
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-2000}
concurrency=${2:-4}
cache=${HORIZON_CACHE:-$HOME/.cache/horizon}
venv=$cache/serve-peer-venv
if [ ! -x "$venv/bin/mlflow" ] || ! "$venv/bin/python" -c 'import statsforecast, mlflow' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r benches/requirements-serve.txt
fi
cargo build --release -q -p horizon-benches --bin serve_bench
bin=${CARGO_TARGET_DIR:-target}/release/serve_bench
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT
"$bin" prepare "$work"
"$venv/bin/python" benches/serve_peer.py prepare "$work"

# The peer's request count is bounded by time too: refits take it seconds each.
peer_requests=$(( requests < 200 ? requests : 200 ))
echo "$(nproc) cores; $(date -u +%F); $requests requests per Horizon case, $peer_requests per MLflow case; $concurrency concurrent"

"$bin" server "$work" > "$work/horizon.out" &
pids+=($!)
until grep -q "listening on" "$work/horizon.out" 2>/dev/null; do sleep 0.2; done
url=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$work/horizon.out" | head -1)
h_stored=$("$bin" load "$url/invocations" "$work/stored.json" "$requests" "$concurrency")
h_refit=$("$bin" load "$url/invocations" "$work/refit.json" "$requests" "$concurrency")
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
PATH="$venv/bin:$PATH" "$venv/bin/mlflow" models serve -m "$work/peer_model" --env-manager local \
  -h 127.0.0.1 -p "$port" --workers "$(nproc)" > "$work/mlflow.log" 2>&1 &
pids+=($!)
for _ in $(seq 600); do
  curl -sf "http://127.0.0.1:$port/ping" > /dev/null 2>&1 && break
  sleep 0.5
done
m_stored=$("$bin" load "http://127.0.0.1:$port/invocations" "$work/stored.json" "$peer_requests" "$concurrency")
m_refit=$("$bin" load "http://127.0.0.1:$port/invocations" "$work/refit.json" "$peer_requests" "$concurrency")

python3 - "$h_stored" "$h_refit" "$m_stored" "$m_refit" <<'PY'
import json, sys
hs, hr, ms, mr = (json.loads(x) for x in sys.argv[1:])
print("| case | server | requests | errors | req/s | p50 ms | p99 ms |")
print("|---|---|---:|---:|---:|---:|---:|")
for case, h, m in (("stored model", hs, ms), ("refit on history", hr, mr)):
    for name, r in (("horizon serve", h), ("mlflow models serve (statsforecast AutoETS)", m)):
        print(f"| {case} | {name} | {r['requests']} | {r['errors']} | {r['rps']:.1f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} |")
    print(f"| {case} | ratio | | | **{h['rps'] / m['rps']:.1f}x** | {m['p50_ms'] / h['p50_ms']:.1f}x lower | {m['p99_ms'] / h['p99_ms']:.1f}x lower |")
PY
