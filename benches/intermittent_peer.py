"""Intermittent-demand benchmark: slow-moving store x product daily sales, Horizon against
statsforecast's intermittent methods.

    python intermittent_peer.py prepare RETAIL_CSV WORK_DIR [--keep 1.0] [--horizon 28]
    python intermittent_peer.py peers WORK_DIR
    python intermittent_peer.py score WORK_DIR HORIZON_FORECAST_CSV...

`prepare` takes the retail sample's daily unit sales (made slow by the generator's --demand
factor; --keep below 1 also thins each unit away with that probability, numpy seed 7) and
writes the history without the last --horizon days (train.csv: ids, date, sales) and those
days (test.csv). `peers` runs statsforecast's CrostonClassic, CrostonSBA, CrostonOptimized,
TSB(0.1, 0.1), ADIDA and IMAPA on train.csv (n_jobs=1; CPU seconds recorded) into peers.csv.
`score` scores every forecast per series by MASE (the public benchmark's definition, season 7)
and RMSSE (M5: root mean squared error over the mean squared one-step change from the first
sale on) and prints the means; a Horizon file `h_NAME.csv` is the row NAME (Auto's file names
the model it chose per series, the row is still Auto's).
"""

import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

IDS = ["store_id", "product_id"]


def prepare(src, work, keep=1.0, horizon=28):
    df = pd.read_csv(src)
    if keep < 1.0:
        rng = np.random.default_rng(7)
        df["sales"] = rng.binomial(df["sales"].astype(np.int64), keep).astype(float)
    df = df[IDS + ["date", "sales"]].sort_values(IDS + ["date"])
    last = sorted(df["date"].unique())[-horizon:]
    test = df[df["date"].isin(last)]
    train = df[~df["date"].isin(last)]
    work.mkdir(parents=True, exist_ok=True)
    train.to_csv(work / "train.csv", index=False)
    test.to_csv(work / "test.csv", index=False)
    zeros = (train["sales"] == 0).mean()
    print(f"{train.groupby(IDS).ngroups} series, {len(train)} training rows, {zeros:.0%} zero days")


def peers(work):
    from statsforecast import StatsForecast
    from statsforecast.models import ADIDA, IMAPA, TSB, CrostonClassic, CrostonOptimized, CrostonSBA

    train = pd.read_csv(work / "train.csv", parse_dates=["date"])
    horizon = pd.read_csv(work / "test.csv")["date"].nunique()
    df = train.assign(unique_id=train["store_id"] + "/" + train["product_id"]).rename(columns={"date": "ds", "sales": "y"})
    df = df[["unique_id", "ds", "y"]]
    models = [CrostonClassic(), CrostonSBA(), CrostonOptimized(), TSB(alpha_d=0.1, alpha_p=0.1), ADIDA(), IMAPA()]
    # Warm up (numba/first-call costs), then time.
    StatsForecast(models=models, freq="D", n_jobs=1).forecast(df=df[df["unique_id"] == df["unique_id"].iloc[0]], h=horizon)
    c0 = time.process_time()
    out = StatsForecast(models=models, freq="D", n_jobs=1).forecast(df=df, h=horizon)
    cpu = time.process_time() - c0
    out = out.reset_index() if "unique_id" not in out.columns else out
    long = out.melt(id_vars=["unique_id", "ds"], var_name="model", value_name="forecast")
    long[["store_id", "product_id"]] = long["unique_id"].str.split("/", expand=True)
    long["date"] = pd.to_datetime(long["ds"]).dt.strftime("%Y-%m-%d")
    long[IDS + ["date", "model", "forecast"]].to_csv(work / "peers.csv", index=False)
    (work / "peers_cpu.json").write_text(json.dumps({"cpu_s": cpu, "series": df["unique_id"].nunique()}))
    print(f"statsforecast: {len(models)} models on {df['unique_id'].nunique()} series in {cpu:.2f} s CPU")


def scales(train, m=7):
    y = train.to_numpy(float)
    n = len(y)
    s = m if n > m else 1
    mase_scale = np.mean(np.abs(y[s:] - y[:-s])) if n > s else np.nan
    nz = np.flatnonzero(y != 0)
    active = y[nz[0]:] if len(nz) else y[:0]
    rmsse_scale = np.mean(np.diff(active) ** 2) if len(active) >= 2 else np.nan
    return mase_scale, rmsse_scale


def score(work, files):
    train = pd.read_csv(work / "train.csv")
    test = pd.read_csv(work / "test.csv")
    frames = [pd.read_csv(work / "peers.csv").assign(source="statsforecast")]
    for f in files:
        h = pd.read_csv(f)[IDS + ["date", "forecast"]]
        frames.append(h.assign(source="horizon", model=Path(f).stem.removeprefix("h_")))
    fc = pd.concat(frames)
    sc = {k: scales(g["sales"]) for k, g in train.groupby(IDS)}
    merged = fc.merge(test, on=IDS + ["date"], how="inner")
    rows = []
    for (src, model, store, product), g in merged.groupby(["source", "model"] + IDS):
        e = g["sales"].to_numpy(float) - g["forecast"].to_numpy(float)
        ms, rs = sc[(store, product)]
        rows.append(dict(source=src, model=model,
                         mase=np.mean(np.abs(e)) / ms if ms > 0 else np.nan,
                         rmsse=np.sqrt(np.mean(e ** 2) / rs) if rs > 0 else np.nan))
    table = pd.DataFrame(rows).groupby(["source", "model"]).agg(
        series=("mase", "size"), mase=("mase", "mean"), rmsse=("rmsse", "mean")).sort_values("mase")
    print(table.round(4).to_string())
    table.reset_index().to_csv(work / "scores.csv", index=False)


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "prepare":
        keep = float(args[args.index("--keep") + 1]) if "--keep" in args else 1.0
        horizon = int(args[args.index("--horizon") + 1]) if "--horizon" in args else 28
        prepare(args[0], Path(args[1]), keep, horizon)
    elif cmd == "peers":
        peers(Path(args[0]))
    elif cmd == "score":
        score(Path(args[0]), args[1:])
    else:
        raise SystemExit(__doc__)
