#!/usr/bin/env bash
# Drift detection: Horizon's monitor against Evidently's DataDriftPreset (pinned in
# benches/requirements-drift.txt), on the same generated windows where the truth is known
# (horizon_core::monitor::scenario: level shifts of 10-50 %, a trend break, a turned weekly
# pattern, doubled noise, zero-inflation, and unchanged series; a year of reference, new windows
# of 14, 28 and 56 days), run back to back. Writes benches/results/drift_summary.md.
set -euo pipefail
cd "$(dirname "$0")/.."
per_kind=${1:-60}
cache=${HORIZON_CACHE:-$HOME/.cache/horizon}
venv=$cache/drift-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import evidently' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r benches/requirements-drift.txt
fi
cargo build --release -q -p horizon-benches --bin drift_study
bin=${CARGO_TARGET_DIR:-target}/release/drift_study
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
TIMEFORMAT="horizon (generate, check every window, time a check of 10,000 series): %R s wall, %U s user"
{ time "$bin" "$work" "$per_kind" 10000 > "$work/timing.txt"; } 2> "$work/horizon_time.txt"
"$venv/bin/python" benches/drift_peer.py "$work/windows.csv" "$work/evidently.csv" 2> "$work/evidently_time.txt"
mkdir -p benches/results
out=benches/results/drift_summary.md
python3 - "$work" "$out" "$("$venv/bin/python" -c 'import evidently; print(evidently.__version__)')" <<'PY'
import csv, sys, collections
work, out, version = sys.argv[1], sys.argv[2], sys.argv[3]
ours = {(r["kind"], r["window"], r["series"]): r for r in csv.DictReader(open(f"{work}/horizon.csv"))}
theirs = {(r["kind"], r["window"], r["series"]): r for r in csv.DictReader(open(f"{work}/evidently.csv"))}
assert ours.keys() == theirs.keys(), "the two sides checked different series"
rate = collections.defaultdict(lambda: [0, 0, 0, 0, 0])
for k, r in ours.items():
    g = rate[(k[0], int(k[1]))]
    g[0] += 1
    g[1] += int(r["flagged"])
    g[2] += int(r["retrain"])
    g[3] += int(r["psi_major"])
    g[4] += int(theirs[k]["drift"])
kinds = sorted({k for k, _ in rate}, key=lambda k: (k != "unchanged", k))
lines = [f"# Drift detection vs Evidently {version} DataDriftPreset (same windows, back to back)", "",
         "Share of series flagged: recall for the changed kinds, false alarms for `unchanged`.",
         "Horizon: any drift finding under its false discovery control at 5 % over the run (two stages: Simes per series, Benjamini-Hochberg over the series, then within them; watch or retrain);",
         "retrain: a material change; PSI > 0.25: the rule of thumb alone. Evidently: its default column test (K-S, p <= 0.05).", "",
         "| kind | window | series | Horizon flagged | Horizon retrain | PSI > 0.25 | Evidently |", "|---|---:|---:|---:|---:|---:|---:|"]
for kind in kinds:
    for w in (14, 28, 56):
        n, f, r, p, e = rate[(kind, w)]
        pct = lambda x: f"{100 * x / n:.1f} %"
        lines.append(f"| {kind} | {w} | {n} | {pct(f)} | {pct(r)} | {pct(p)} | {pct(e)} |")
lines += ["", "Timing:", "", "```", open(f"{work}/timing.txt").read().strip(),
          open(f"{work}/horizon_time.txt").read().strip().splitlines()[-1],
          "evidently: " + open(f"{work}/evidently_time.txt").read().strip().splitlines()[-1], "```"]
open(out, "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
