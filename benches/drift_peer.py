"""Per-series drift decisions from Evidently (evidently==0.7.23), on the same windows as ours.

Input: a long CSV `kind,window,series,role,t,y` (role is `reference` or `current`, t orders the
values within a role). For each (kind, window) group the script builds one reference and one
current DataFrame with a column per series (values ordered by t) and runs ONE
`Report([DataDriftPreset()])` on it with Evidently's defaults: the stat test is chosen per column
by Evidently (numerical column, reference <= 1000 rows: K-S p-value, drift if p <= 0.05; reference
> 1000 rows: normed Wasserstein distance, drift if >= 0.1; <= 5 distinct values: chi-square / Z).
The report is run with include_tests=True only so that Evidently's own per-column verdict
("Value Drift for column X": FAIL = drifted) is in the snapshot; it changes no test or threshold.

Output: a CSV `kind,window,series,drift,stattest,score`. The wall and CPU (process_time) time
spent in Evidently's Report.run and .dict() over all groups is printed to stderr (importing
Evidently, a few seconds, and reading the CSV are not counted).

Usage: python drift_peer.py INPUT.csv OUTPUT.csv
"""

import os
import sys
import time
import warnings

os.environ.setdefault("DO_NOT_TRACK", "1")  # Evidently's UI telemetry; the Report sends none anyway

import pandas as pd
from evidently import Report
from evidently.presets import DataDriftPreset

# numpy's corrcoef on a constant column (e.g. an all-zero current window) inside Evidently's
# dataset-level summary; the per-column tests are not affected.
warnings.filterwarnings("ignore", message="invalid value encountered in divide", category=RuntimeWarning)


def frame(rows):
    """One column per series, values ordered by t; every series must have the same length."""
    wide = {s: g.sort_values("t")["y"].to_numpy(dtype=float) for s, g in rows.groupby("series", sort=True)}
    lengths = {len(v) for v in wide.values()}
    if len(lengths) != 1:
        raise ValueError(f"series of unequal lengths {sorted(lengths)}")
    return pd.DataFrame(wide)


def drift_of(reference, current):
    """Evidently's decision, chosen test and score for each column: {series: (drift, test, score)}."""
    snapshot = Report([DataDriftPreset()], include_tests=True).run(current, reference)
    out = snapshot.dict()
    found = {}
    for m in out["metrics"]:
        if m["config"]["type"].endswith(":ValueDrift"):
            found[m["id"]] = [m["config"]["column"], m["config"]["method"], m["value"], None]
    for t in out["tests"]:
        key = t["metric_config"]["metric_id"]
        if key in found and t["id"] == "drift":
            found[key][3] = 1 if t["status"] == "FAIL" else 0
    results = {col: (drift, test, score) for col, test, score, drift in found.values()}
    missing = set(current.columns) - set(results)
    if missing or any(d is None for d, _, _ in results.values()):
        raise RuntimeError(f"no drift verdict from Evidently for {sorted(missing) or 'some columns'}")
    return results


def main(src, dst):
    data = pd.read_csv(src, dtype={"kind": str, "window": int, "series": str, "role": str, "t": int, "y": float})
    rows, wall, cpu = [], 0.0, 0.0
    for (kind, window), group in data.groupby(["kind", "window"], sort=False):
        reference = frame(group[group["role"] == "reference"])
        current = frame(group[group["role"] == "current"])
        w0, c0 = time.perf_counter(), time.process_time()
        results = drift_of(reference, current)
        wall += time.perf_counter() - w0
        cpu += time.process_time() - c0
        for series in current.columns:
            drift, test, score = results[series]
            rows.append((kind, window, series, drift, test, score))
    pd.DataFrame(rows, columns=["kind", "window", "series", "drift", "stattest", "score"]).to_csv(dst, index=False)
    groups = data.groupby(["kind", "window"]).ngroups
    print(f"evidently: {groups} groups, {len(rows)} series, wall {wall:.2f} s, cpu {cpu:.2f} s", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__.split("Usage: ")[1])
    main(sys.argv[1], sys.argv[2])
