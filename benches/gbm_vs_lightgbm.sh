#!/usr/bin/env bash
# Train horizon-gbm and LightGBM (PyPI) on the same feature matrix (the retail panel, 200
# series × 3 years daily, built by Horizon's feature code), back to back on this machine, with
# the same settings and number of trees; report the median training time, the ratio and the
# test RMSE of each.
# Usage: bash benches/gbm_vs_lightgbm.sh [RUNS] [ROUNDS] [OBJECTIVE] [DEMAND]
#   (default 3 runs, 300 trees, objective regression; poisson or tweedie (power 1.5) for the
#   count losses, DEMAND 0.02 for slow movers whose days are mostly zero)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
rounds=${2:-300}
objective=${3:-regression}
demand=${4:-1}
cache=${HORIZON_CACHE:-$HOME/.cache/horizon}
venv=$cache/gbm-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import lightgbm, numpy' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r benches/requirements-lightgbm.txt
fi
cargo build --release -q -p horizon-benches --bin gbm_matrix --bin gbm_train
bin=${CARGO_TARGET_DIR:-target}/release
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin"/gbm_matrix "$work" "$demand"
echo "$(nproc) cores; $(date -u +%F); $rounds trees; objective $objective; demand x$demand"
ours=(); theirs=()
for _ in $(seq "$runs"); do
  ours+=("$("$bin"/gbm_train "$work" "$rounds" "$objective")")
  theirs+=("$("$venv/bin/python" benches/gbm_lightgbm.py "$work" "$rounds" "$objective")")
done
python3 - "$runs" "${ours[@]}" "${theirs[@]}" <<'PY'
import json, sys
n = int(sys.argv[1]); rs = [json.loads(x) for x in sys.argv[2:]]
ours, theirs = rs[:n], rs[n:]
med = lambda xs: sorted(xs)[len(xs) // 2]
o, t = med([r["train_s"] for r in ours]), med([r["train_s"] for r in theirs])
print("| engine | median train s | test RMSE (scaled) |")
print("|---|---:|---:|")
print(f"| {ours[0]['engine']} | {o:.2f} | {ours[0]['test_rmse']:.4f} |")
print(f"| {theirs[0]['engine']} | {t:.2f} | {theirs[0]['test_rmse']:.4f} |")
print(f"| ratio horizon-gbm / LightGBM | {o / t:.2f}x | |")
PY
