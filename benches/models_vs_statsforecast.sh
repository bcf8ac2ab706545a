#!/usr/bin/env bash
# Horizon's models against statsforecast on the public benchmark's reference sample (500
# Tourism and M1 series), in one run on this machine: the peers by shared/bench/peers.py, ours
# by bench_models, both scored by the benchmark's own code (score.py, summarize.py).
# Usage: bash benches/models_vs_statsforecast.sh [PEER_MODELS] [OUR_MODELS] [SUMMARY_NAME]
#   defaults: SeasonalNaive,AutoETS,MSTL  and  seasonal-naive,ets,ets+conformal,mstl
#   peers beyond peers.py's: AutoTheta, AutoCES, DOTM, SCUM (list its members AutoETS, AutoCES,
#   DOTM before it), see benches/quality_peers.py
# Writes the summary to benches/results/models_summary.md (and prints it).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
peers=${1:-SeasonalNaive,AutoETS,MSTL}
ours=${2:-seasonal-naive,ets,ets+conformal,mstl}
. benches/bench_env.sh
cargo build --release -q -p horizon-benches --bin bench_models
bin=${CARGO_TARGET_DIR:-target}/release/bench_models
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "== $(nproc) cores, $(date -u +%F); peers: $peers; ours: $ours"
# Per-series CPU: one thread each, back to back.
# The benchmark's runner with statsforecast's Theta, CES and SCUM registered (quality_peers.py);
# SCUM reads AutoARIMA from the benchmark's stored reference runs unless AutoARIMA is run too.
arima=()
if [[ ",$peers," == *,SCUM,* && ",$peers," != *,AutoARIMA,* ]]; then
  arima=(--arima-from "$bench/results/runs/ref_s0,$bench/results/runs/ref_s1")
fi
(cd "$bench" && "$venv/bin/python" "$repo/benches/quality_peers.py" "$bench" --sample ref --models "$peers" \
  "${arima[@]}" --tag statsforecast --out "$work/runs") | tail -2
RAYON_NUM_THREADS=1 "$bin" "$bench" "$work/horizon" --models "$ours"
# The whole sample in parallel on every core (wall time).
"$bin" "$bench" "$work/horizon_par" --models "$ours"
(cd "$bench" && "$venv/bin/python" score.py "$work/horizon_forecasts.csv" --timings "$work/horizon_timings.csv" \
  --tag horizon --sample ref --out "$work/runs") | tail -1
(cd "$bench" && "$venv/bin/python" summarize.py --runs "$work/runs" --out "$work") >/dev/null
mkdir -p benches/results
name=${3:-models_summary}
cp "$work/summary.md" "benches/results/$name.md"
cat "benches/results/$name.md"
