#!/usr/bin/env python3
"""Horizon's Python API against statsforecast, back to back in one process, on the public
benchmark (../shared/bench: Tourism and M1, monthly and quarterly; the last h points held out).

Same models (Horizon `ets` and `arima` against statsforecast AutoETS and AutoARIMA, the
dataset's season), same series, n_jobs equal (1). Measured per dataset: CPU seconds
(time.process_time of this process, both libraries warmed up first: numba's compilation is
not counted), series per CPU second, and accuracy (mean MASE over the series, scaled by the
in-sample seasonal naive error as ../shared/bench/METRICS.md defines it; 95 % coverage).

Then both on a local Ray cluster (ray.init(num_cpus=W) for W = 1, 2): the whole panel split
into shards, one Ray task per shard running the library on its series; wall seconds and
series per second.

    python benches/python_api_peer.py [--bench DIR] [--models ets,arima] [--ray-models ets] [--no-single] [--no-ray] [--out FILE.json]
"""

import argparse
import json
import math
import os
import time

import numpy as np
import pandas as pd

PEERS = {"ets": "AutoETS", "arima": "AutoARIMA"}


def load(bench):
    series = pd.read_csv(os.path.join(bench, "series.csv"), parse_dates=["date"])
    manifest = pd.read_csv(os.path.join(bench, "manifest.csv"))
    out = {}
    for ds, meta in manifest.groupby("dataset"):
        df = series[series["series_id"].isin(meta["series_id"])].rename(
            columns={"series_id": "unique_id", "date": "ds", "value": "y"}
        )
        h = int(meta["horizon"].iloc[0])
        m = int(meta["season_length"].iloc[0])
        freq = meta["freq"].iloc[0]
        df = df.sort_values(["unique_id", "ds"])
        test = df.groupby("unique_id").tail(h)
        train = df.drop(test.index)
        out[ds] = dict(train=train.reset_index(drop=True), test=test.reset_index(drop=True), h=h, m=m, freq=freq)
    return out


def mase(train, test, fc, col, m):
    """Mean over series of MAE / in-sample seasonal-naive MAE, and 95 % coverage."""
    scores, inside = [], []
    merged = test.merge(fc, on=["unique_id", "ds"], how="left")
    for uid, g in merged.groupby("unique_id"):
        y = train.loc[train["unique_id"] == uid, "y"].to_numpy()
        scale = np.mean(np.abs(y[m:] - y[:-m])) if len(y) > m else np.nan
        err = np.mean(np.abs(g["y"].to_numpy() - g[col].to_numpy()))
        scores.append(err / scale if scale and scale > 0 else np.nan)
        inside.append(np.mean((g["y"] >= g[f"{col}-lo-95"]) & (g["y"] <= g[f"{col}-hi-95"])))
    return float(np.nanmean(scores)), float(np.mean(inside))


def horizon_forecast(train, h, m, freq, model, n_jobs=1):
    from horizon_forecast import HorizonForecast

    hf = HorizonForecast(models=[f"{model}:{m}"], freq=freq, n_jobs=n_jobs)
    out = hf.forecast(train, h=h, level=[95])
    return out.rename(columns=lambda c: c.replace(model, "fc", 1) if c.startswith(model) else c)


def statsforecast_forecast(train, h, m, freq, model, n_jobs=1):
    from statsforecast import StatsForecast
    from statsforecast.models import AutoARIMA, AutoETS

    peer = {"ets": AutoETS, "arima": AutoARIMA}[model](season_length=m)
    sf = StatsForecast(models=[peer], freq={"M": "MS", "Q": "QS"}[freq], n_jobs=n_jobs)
    out = sf.forecast(df=train, h=h, level=[95])
    name = PEERS[model]
    return out.rename(columns=lambda c: c.replace(name, "fc", 1) if c.startswith(name) else c)


def timed(f, *args):
    c0, w0 = time.process_time(), time.perf_counter()
    out = f(*args)
    return out, time.process_time() - c0, time.perf_counter() - w0


def ray_run(data, model, workers, shards_per_worker=4):
    import ray

    ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:

        @ray.remote
        def run(lib, part, h, m, freq):
            f = horizon_forecast if lib == "horizon" else statsforecast_forecast
            f(part, h, m, freq, model)
            return len(part["unique_id"].unique())

        # Warm every worker (imports, numba compilation) before the clock starts.
        first = next(iter(data.values()))
        warm = first["train"][first["train"]["unique_id"].isin(first["train"]["unique_id"].unique()[:2])]
        for lib in ("horizon", "statsforecast"):
            ray.get([run.remote(lib, warm, first["h"], first["m"], first["freq"]) for _ in range(workers * 2)])
        results = {}
        for lib in ("horizon", "statsforecast"):
            tasks = []
            t0 = time.perf_counter()
            for d in data.values():
                ids = d["train"]["unique_id"].unique()
                n = workers * shards_per_worker
                for k in range(n):
                    part = d["train"][d["train"]["unique_id"].isin(ids[k::n])]
                    tasks.append(run.remote(lib, part, d["h"], d["m"], d["freq"]))
            series = sum(ray.get(tasks))
            wall = time.perf_counter() - t0
            results[lib] = dict(series=series, wall_s=wall, series_per_s=series / wall)
        return results
    finally:
        ray.shutdown()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared", "bench"))
    ap.add_argument("--models", default="ets,arima")
    ap.add_argument("--out", default=None)
    ap.add_argument("--no-ray", action="store_true")
    ap.add_argument("--no-single", action="store_true", help="only the Ray runs")
    ap.add_argument("--ray-models", default="ets", help="models of the Ray runs (statsforecast's AutoARIMA takes minutes per run)")
    a = ap.parse_args()
    data = load(a.bench)
    # Warm-up: imports and numba's compilation, outside the clock.
    first = next(iter(data.values()))
    warm = first["train"][first["train"]["unique_id"].isin(first["train"]["unique_id"].unique()[:3])]
    for model in set(a.models.split(",")) | set(a.ray_models.split(",")):
        horizon_forecast(warm, first["h"], first["m"], first["freq"], model)
        statsforecast_forecast(warm, first["h"], first["m"], first["freq"], model)
    rows = []
    for model in ([] if a.no_single else a.models.split(",")):
        for ds, d in data.items():
            n = d["train"]["unique_id"].nunique()
            for lib, f in (("horizon", horizon_forecast), ("statsforecast", statsforecast_forecast)):
                fc, cpu, wall = timed(f, d["train"], d["h"], d["m"], d["freq"], model)
                fc["ds"] = pd.to_datetime(fc["ds"])
                score, cover = mase(d["train"], d["test"], fc, "fc", d["m"])
                rows.append(dict(model=model, dataset=ds, lib=lib, series=n, cpu_s=cpu, wall_s=wall,
                                 series_per_cpu_s=n / cpu, mase=score, coverage95=cover))
                print(json.dumps(rows[-1]), flush=True)
    report = dict(single_process=rows)
    if not a.no_ray:
        report["ray"] = {}
        for model in a.ray_models.split(","):
            for workers in (1, 2):
                r = ray_run(data, model, workers)
                report["ray"][f"{model}/{workers}"] = r
                print(json.dumps({"ray": f"{model}/{workers}", **r}), flush=True)
    if a.out:
        with open(a.out, "w") as f:
            json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()
