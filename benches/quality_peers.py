"""statsforecast's competition models as peers on the public benchmark, run by the benchmark's
own runner (shared/bench/peers.py) with more models registered:

- AutoTheta, AutoCES, DynamicOptimizedTheta (DOTM), each with the benchmark's season;
- SCUM (Petropoulos & Svetunkov 2020): the median of AutoETS, AutoCES, AutoARIMA and DOTM
  point forecasts and 95 % bounds, its cost the sum of the four.

    python quality_peers.py BENCH_DIR [peers.py options, e.g. --sample ref --models AutoTheta,SCUM --tag sf]

SCUM is computed from its members' results: list them before it in --models
(AutoETS,AutoCES,DOTM[,AutoARIMA],SCUM). AutoARIMA costs seconds per series on Tourism
monthly; with
--arima-from RUN_DIR[,RUN_DIR] (the benchmark's stored reference runs, same statsforecast
version) its AutoARIMA forecasts and CPU times are read from there instead of refitted.
"""

import sys
from pathlib import Path

import numpy as np
import pandas as pd

bench = Path(sys.argv[1])
sys.path.insert(0, str(bench))
import peers  # noqa: E402

argv = sys.argv[2:]
arima_from = None
if "--arima-from" in argv:
    k = argv.index("--arima-from")
    arima_from = argv[k + 1].split(",")
    del argv[k : k + 2]

stored = {}
if arima_from:
    # The runner passes each series' training values, not its id: find the id by them.
    man, ser = peers.load_data()
    by_values = {}
    for rec in man.itertuples(index=False):
        y = ser[ser["series_id"] == rec.series_id]["value"].to_numpy(float)[: -int(rec.horizon)]
        by_values[y.tobytes()] = rec.series_id
    for run in arima_from:
        fc = pd.read_csv(Path(run) / "forecasts.csv.gz")
        ps = pd.read_csv(Path(run) / "per_series.csv")
        fc = fc[fc["model"] == "AutoARIMA"].sort_values(["series_id", "step"])
        cost = ps[ps["model"] == "AutoARIMA"].set_index("series_id")
        for sid, g in fc.groupby("series_id"):
            stored[sid] = (g["point"].to_numpy(float), g["lo95"].to_numpy(float), g["hi95"].to_numpy(float),
                           float(cost.loc[sid, "wall_s"]), float(cost.loc[sid, "cpu_s"]))

base_runners = peers.make_runners
current = {}


def make_runners(with_prophet=False):
    from statsforecast.models import AutoCES, AutoTheta, DynamicOptimizedTheta

    run = base_runners(with_prophet)
    run["AutoTheta"] = lambda y, h, m, **_: peers._sf(AutoTheta(season_length=m), y, h)
    run["AutoCES"] = lambda y, h, m, **_: peers._sf(AutoCES(season_length=m), y, h)
    run["DOTM"] = lambda y, h, m, **_: peers._sf(DynamicOptimizedTheta(season_length=m), y, h)
    return run


peers.make_runners = make_runners
for name in ["AutoTheta", "AutoCES", "DOTM", "SCUM"]:
    if name not in peers.MODEL_ORDER:
        peers.MODEL_ORDER.append(name)

# SCUM is combined from its members' results inside the runner's loop: wrap `timed` so each
# series' member results are kept, and compute SCUM when its turn comes.
base_timed = peers.timed
members = ["AutoETS", "AutoCES", "AutoARIMA", "DOTM"]


def timed(fn, **kw):
    key = id(kw["y"])
    name = getattr(fn, "_name", None)
    if name == "SCUM":
        parts = current.get(key, {})
        if arima_from:
            sid = by_values.get(np.asarray(kw["y"], float).tobytes())
            if sid in stored:
                parts["AutoARIMA"] = (*stored[sid][:3], stored[sid][3], stored[sid][4], "")
        if any(parts.get(m, (None,) * 6)[5] != "" for m in members):
            h = kw["h"]
            nan = np.full(h, np.nan)
            return nan, nan, nan, 0.0, 0.0, "component failed"
        f, lo, hi = (np.median(np.vstack([parts[m][i] for m in members]), axis=0) for i in range(3))
        return f, lo, hi, sum(parts[m][3] for m in members), sum(parts[m][4] for m in members), ""
    r = base_timed(fn, **kw)
    current.setdefault(key, {})[name] = r
    return r


peers.timed = timed
wrapped = peers.make_runners


def named_runners(with_prophet=False):
    run = wrapped(with_prophet)

    def tag(name, fn):
        def call(**kw):
            return fn(**kw)

        call._name = name
        return call

    run = {k: tag(k, v) for k, v in run.items()}
    run["SCUM"] = tag("SCUM", lambda **kw: None)
    return run


peers.make_runners = named_runners
peers.main(argv)
