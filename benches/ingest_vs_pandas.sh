#!/usr/bin/env bash
# Ingest + validate a generated 1,000,000-row retail CSV with Horizon and with pandas, back to
# back on this machine; report median wall time, peak memory and the ratios.
# Usage: bash benches/ingest_vs_pandas.sh [RUNS]   (default 5 runs each, alternating)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
cache=${HORIZON_CACHE:-$HOME/.cache/horizon}
venv=$cache/bench-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import pandas' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r benches/requirements-pandas.txt
fi
cargo build --release -q -p horizon-benches --bins
bin=${CARGO_TARGET_DIR:-target}/release
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin"/make_retail_1m "$work/retail_1m.csv"
echo "file: $(wc -l < "$work/retail_1m.csv") lines, $(du -m "$work/retail_1m.csv" | cut -f1) MB; $(nproc) cores; $(date -u +%F)"
ours=(); theirs=()
for _ in $(seq "$runs"); do
  ours+=("$(python3 benches/measure.py 1 "$bin"/ingest_file "$work/retail_1m.csv")")
  theirs+=("$(python3 benches/measure.py 1 "$venv/bin/python" benches/pandas_ingest.py "$work/retail_1m.csv")")
done
python3 - "$runs" "${ours[@]}" "${theirs[@]}" <<'PY'
import json, sys
n = int(sys.argv[1]); rs = [json.loads(x) for x in sys.argv[2:]]
ours, theirs = rs[:n], rs[n:]
med = lambda xs: sorted(xs)[len(xs) // 2]
o_t, p_t = med([r["median_s"] for r in ours]), med([r["median_s"] for r in theirs])
o_m, p_m = max(r["peak_rss_mb"] for r in ours), max(r["peak_rss_mb"] for r in theirs)
print(f"horizon: {ours[-1]['out']}")
print(f"pandas:  {theirs[-1]['out']}")
print("| engine | median wall s | peak RSS MB |")
print("|---|---:|---:|")
print(f"| Horizon (ingest_csv) | {o_t:.3f} | {o_m:.0f} |")
print(f"| pandas read_csv + checks | {p_t:.3f} | {p_m:.0f} |")
print(f"| ratio pandas / Horizon | {p_t / o_t:.1f}x | {p_m / o_m:.1f}x |")
PY
