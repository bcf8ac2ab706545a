#!/usr/bin/env bash
# Totals that add up: Horizon's reconciliation against hierarchicalforecast (MinTrace
# mint_shrink, BottomUp over statsforecast's AutoETS), same data and split, run back to back.
# Data: the bundled retail sample (2 stores x 3 products) and a generated 5 x 20 panel.
# Writes benches/results/hierarchy_summary.md (and prints it).
set -euo pipefail
cd "$(dirname "$0")/.."
bench=${HORIZON_BENCH_DIR:-$(cd .. && pwd)/shared/bench}
[ -f "$bench/manifest.csv" ] || bench=/work/shared/bench
cache=${HORIZON_CACHE:-$HOME/.cache/horizon}
hvenv=$cache/hier-venv
if [ ! -x "$hvenv/bin/python" ] || ! "$hvenv/bin/python" -c 'import hierarchicalforecast' 2>/dev/null; then
  python3 -m venv "$hvenv"
  "$hvenv/bin/pip" install -q -r "$bench/requirements.txt" -r benches/requirements-hierarchy.txt
fi
cargo build --release -q --bin horizon
bin=${CARGO_TARGET_DIR:-target}/release/horizon
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
h=28
out=benches/results/hierarchy_summary.md
mkdir -p benches/results
echo "# Reconciliation vs hierarchicalforecast ($(nproc) cores, $(date -u +%F)); MASE (lag 7), lower is better" > "$out"
"$bin" sample retail --stores 5 --products 20 --days 730 --out "$work/large.csv" 2>/dev/null
cp sample_data/retail_small.csv "$work/small.csv"
for data in small large; do
  # The training part: all but the last $h days.
  python3 - "$work/$data.csv" "$work/${data}_train.csv" "$h" <<'PY'
import csv, sys, datetime as dt
rows = list(csv.reader(open(sys.argv[1])))
head, body = rows[0], rows[1:]
d = head.index("date")
last = max(dt.date.fromisoformat(r[d]) for r in body)
cut = last - dt.timedelta(days=int(sys.argv[3]))
w = csv.writer(open(sys.argv[2], "w", newline=""))
w.writerow(head)
w.writerows(r for r in body if dt.date.fromisoformat(r[d]) <= cut)
PY
  mkdir -p "$work/$data"
  : > "$work/$data/timings.txt"
  for m in none bottom-up top-down mint-shrink auto; do
    start=$(date +%s.%N)
    RAYON_NUM_THREADS=1 "$bin" forecast "$work/${data}_train.csv" --model ets:7 --horizon $h \
      --hierarchy store_id/product_id --reconcile $m --out "$work/$data/$m.csv" 2>/dev/null
    end=$(date +%s.%N)
    echo "$m $(python3 -c "print(f'{$end - $start:.2f}')")" >> "$work/$data/timings.txt"
  done
  "$hvenv/bin/python" benches/hierarchy_peer.py "$work/$data.csv" $h "$work/$data" "$out" >/dev/null
done
cat "$out"
