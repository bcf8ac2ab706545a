#!/usr/bin/env bash
# Intermittent demand: slow movers (the retail sample's 200 store x product daily series with
# 95 % of the units thinned away) forecast 28 days ahead by Horizon's Auto and intermittent
# methods and by statsforecast's, scored by MASE and RMSSE per series (benches/intermittent_peer.py).
# Usage: bash benches/intermittent_vs_statsforecast.sh   (prints the table; benches/results/intermittent.csv)
set -euo pipefail
cd "$(dirname "$0")/.."
. benches/bench_env.sh
cargo build --release -q --bin horizon
horizon=${CARGO_TARGET_DIR:-target}/release/horizon
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$horizon" sample retail --stores 10 --products 20 --days 730 --seed 1 --out "$work/retail.csv" >/dev/null
"$venv/bin/python" benches/intermittent_peer.py prepare "$work/retail.csv" "$work"
"$venv/bin/python" benches/intermittent_peer.py peers "$work"
outs=()
for model in auto croston sba croston-optimized tsb adida imapa ets; do
  start=$(date +%s.%N)
  "$horizon" forecast "$work/train.csv" --model "$model" --horizon 28 --level 95 --out "$work/h_$model.csv" >/dev/null 2>&1
  echo "horizon $model: $(echo "$(date +%s.%N) - $start" | bc) s wall (all cores)"
  outs+=("$work/h_$model.csv")
done
"$venv/bin/python" benches/intermittent_peer.py score "$work" "${outs[@]}"
mkdir -p benches/results
cp "$work/scores.csv" benches/results/intermittent.csv
