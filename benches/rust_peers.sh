#!/usr/bin/env bash
# Other Rust forecasting crates on the public benchmark's reference sample (500 Tourism and M1
# series): anofox-forecast 0.19 (AutoETS, AutoARIMA/SARIMA) and augurs 0.10.3 (non-seasonal
# AutoETS, MSTL with an AutoETS trend), run by the standalone program benches/rust_peers/ and
# scored by the benchmark's own code (score.py, summarize.py), next to statsforecast's
# SeasonalNaive run live (it defines the evaluation set and the relMASE baseline).
# Usage: bash benches/rust_peers.sh [MODELS] [extra rust_peers args, e.g. --arima-first 30]
#   MODELS default: anofox-AutoETS,anofox-AutoARIMA,augurs-AutoETS,augurs-MSTL
# Env: CARGO_BUILD_JOBS (cargo's own; e.g. 1 on a shared machine), RUST_PEERS_TARGET_DIR
#   (default ~/.cache/horizon/target-peers: rust_peers is not part of the main workspace).
# Writes the summary to benches/results/rust_peers_summary.md (and prints it).
set -euo pipefail
cd "$(dirname "$0")/.."
models=${1:-anofox-AutoETS,anofox-AutoARIMA,augurs-AutoETS,augurs-MSTL}
shift || true
. benches/bench_env.sh
target=${RUST_PEERS_TARGET_DIR:-$cache/target-peers}
(cd benches/rust_peers && CARGO_TARGET_DIR="$target" cargo build --release -q)
bin=$target/release/horizon-rust-peers
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "== $(nproc) cores, $(date -u +%F); models: $models $*"
(cd "$bench" && "$venv/bin/python" peers.py --sample ref --models SeasonalNaive --tag statsforecast \
  --out "$work/runs") | tail -1
# Per-series CPU: one thread, series back to back (as bench_models under RAYON_NUM_THREADS=1).
RAYON_NUM_THREADS=1 "$bin" "$bench" "$work/rust_peers" --models "$models" "$@"
(cd "$bench" && "$venv/bin/python" score.py "$work/rust_peers_forecasts.csv" \
  --timings "$work/rust_peers_timings.csv" --tag rust_peers --sample ref --out "$work/runs") | tail -1
(cd "$bench" && "$venv/bin/python" summarize.py --runs "$work/runs" --out "$work") >/dev/null
# Why a model has no forecast for a series (score.py only sees "missing"), the models each
# library selected, the crate versions, and the per-series time check.
"$venv/bin/python" - "$work" "$bench/manifest.csv" benches/rust_peers/Cargo.lock >>"$work/summary.md" <<'EOF'
import re, sys
import pandas as pd
work, manifest, lock = sys.argv[1:]
info = pd.read_csv(f"{work}/rust_peers_info.csv", dtype=str, keep_default_na=False)
man = pd.read_csv(manifest, dtype={"series_id": str})[["series_id", "dataset"]]
info = info.merge(man, on="series_id")
bad = info[info["status"] != "ok"].copy()
print("## Failure reasons (rust_peers_info.csv)\n")
if bad.empty:
    print("none\n")
else:
    bad["reason"] = bad["detail"].str.replace(r"\d+", "N", regex=True).str.slice(0, 120)
    print("```\n" + bad.groupby(["dataset", "model", "status", "reason"]).size().to_string() + "\n```\n")
ok = info[info["status"] == "ok"].copy()
ok["kind"] = ok["detail"].str.replace(r"\[\d+\]", "", regex=True)
print("## Selected models (most frequent per dataset and model)\n")
for (ds, model), g in ok[ok["model"] != "augurs-MSTL"].groupby(["dataset", "model"]):
    top = g["kind"].value_counts().head(6)
    print(f"- {ds} / {model}: " + ", ".join(f"{k} {v}" for k, v in top.items()))
print()
ps = pd.read_csv(f"{work}/runs/rust_peers/per_series.csv", dtype={"series_id": str})
ps = ps[ps["error"].isna()]
wild = ps[ps["swidth95"] > 1000]
print("## Exploding intervals (scaled width > 1000)\n")
if wild.empty:
    print("none\n")
for r in wild.itertuples(index=False):
    rest = ps[(ps["dataset"] == r.dataset) & (ps["model"] == r.model) & (ps["series_id"] != r.series_id)]
    print(f"- {r.dataset} / {r.model} / {r.series_id} (n_train {r.n_train}): sWidth {r.swidth95:.4g}, "
          f"MSIS {r.msis:.4g}, MASE {r.mase:.3f}; without it the dataset's means are MSIS "
          f"{rest['msis'].mean():.3f}, sWidth {rest['swidth95'].mean():.3f}, cov95 {rest['coverage95'].mean():.3f}")
print()
tm = pd.read_csv(f"{work}/rust_peers_timings.csv", dtype={"series_id": str})
print("## Timing check\n")
print("cpu_s = fit + predict time on one thread (Instant, as bench_models); thread CPU time "
      f"(CLOCK_THREAD_CPUTIME_ID) summed over all fits is {tm['thread_cpu_s'].sum():.1f} s vs "
      f"{tm['cpu_s'].sum():.1f} s.\n")
text = open(lock).read()
vers = [f"{n} {v}" for n, v in re.findall(r'name = "([^"]+)"\nversion = "([^"]+)"', text)
        if n in ("anofox-forecast", "augurs-core", "augurs-ets", "augurs-mstl", "stlrs")]
print("Crates (benches/rust_peers/Cargo.lock): " + ", ".join(vers) + "\n")
EOF
mkdir -p benches/results
cp "$work/summary.md" benches/results/rust_peers_summary.md
cat benches/results/rust_peers_summary.md
