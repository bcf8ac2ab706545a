#!/usr/bin/env bash
# Intermittent demand: slow movers (the retail sample's 200 store x product daily series at a
# fiftieth of the usual demand: --demand 0.02, most days zero) forecast 28 days ahead by Horizon's
# Auto, intermittent methods and count GBMs and by statsforecast's intermittent methods, scored
# by MASE and RMSSE per series (benches/intermittent_peer.py).
# Usage: bash benches/intermittent_vs_statsforecast.sh   (prints the table; benches/results/intermittent.csv)
#   SEED=2 DEMAND=0.05 for another panel (results/intermittent_s2_d0.05.csv), MODELS="auto sba" for fewer models
set -euo pipefail
cd "$(dirname "$0")/.."
. benches/bench_env.sh
cargo build --release -q --bin horizon
horizon=${CARGO_TARGET_DIR:-target}/release/horizon
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
seed=${SEED:-1}
demand=${DEMAND:-0.02}
"$horizon" sample retail --stores 10 --products 20 --days 730 --seed "$seed" --demand "$demand" --out "$work/retail.csv" >/dev/null
"$venv/bin/python" benches/intermittent_peer.py prepare "$work/retail.csv" "$work"
"$venv/bin/python" benches/intermittent_peer.py peers "$work"
outs=()
for model in ${MODELS:-auto croston sba croston-optimized tsb adida imapa ets gbm gbm-poisson gbm-tweedie}; do
  start=$(date +%s.%N)
  "$horizon" forecast "$work/train.csv" --model "$model" --horizon 28 --level 95 --out "$work/h_$model.csv" >/dev/null
  echo "horizon $model: $(echo "$(date +%s.%N) - $start" | bc) s wall (all cores)"
  outs+=("$work/h_$model.csv")
done
"$venv/bin/python" benches/intermittent_peer.py score "$work" "${outs[@]}"
mkdir -p benches/results
name=intermittent
[ "$seed/$demand" = "1/0.02" ] || name=intermittent_s${seed}_d${demand}
cp "$work/scores.csv" "benches/results/$name.csv"
