#!/usr/bin/env bash
# Horizon's Python API (the wheel, release build) against statsforecast, back to back on this
# machine, on the public benchmark; then both on a local Ray cluster of 1 and 2 workers.
#   benches/python_vs_statsforecast.sh [--models ets,arima] [--no-ray]
set -euo pipefail
cd "$(dirname "$0")/.."
source benches/bench_env.sh
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$cache/target}
bash scripts/setup.sh python
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$cache/mlflow-venv/bin/maturin" build --quiet --release --locked --manifest-path crates/horizon-py/Cargo.toml --out "$work"
"$venv/bin/pip" install -q --disable-pip-version-check "ray==2.60.0" "pyarrow>=14"
"$venv/bin/pip" install -q --disable-pip-version-check --force-reinstall --no-deps "$work"/horizon_forecast-*.whl
mkdir -p benches/results
"$venv/bin/python" benches/python_api_peer.py --bench "$bench" --out benches/results/python_vs_statsforecast.json "$@"
