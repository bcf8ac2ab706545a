"""Totals that add up, against Nixtla's hierarchicalforecast on the same data and split.

For each dataset (a sales CSV with store_id, product_id, date, sales): the last H days are held
out; the peer forecasts every level (total, store, product, store x product) with statsforecast's
AutoETS (season 7) and reconciles with hierarchicalforecast (BottomUp, MinTrace mint_shrink);
Horizon's CSVs (written by `horizon forecast --hierarchy ... --reconcile X`) are read from --ours.
Both are scored by the same code: MASE (seasonal lag 7 on the training part) per level, averaged
over the level's series, and the mean over every series.

Usage: python hierarchy_peer.py DATA.csv H OURS_DIR OUT.md
"""

import sys
import time

import numpy as np
import pandas as pd
from hierarchicalforecast.core import HierarchicalReconciliation
from hierarchicalforecast.methods import BottomUp, MinTrace
from hierarchicalforecast.utils import aggregate
from statsforecast import StatsForecast
from statsforecast.models import AutoETS

ALL = "(all)"
LEVELS = ["total", "store_id", "product_id", "store_id/product_id"]


def node_key(level, store, product):
    return (level, store if level in ("store_id", "store_id/product_id") else ALL,
            product if level in ("product_id", "store_id/product_id") else ALL)


def split(path, h):
    df = pd.read_csv(path, parse_dates=["date"])
    last = df["date"].max()
    cut = last - pd.Timedelta(days=h)
    return df[df["date"] <= cut], df[df["date"] > cut]


def levels_of(df):
    """Every node's series: {(level, store, product): DataFrame(date, sales)}."""
    out = {}
    out[("total", ALL, ALL)] = df.groupby("date")["sales"].sum()
    for s, g in df.groupby("store_id"):
        out[("store_id", s, ALL)] = g.groupby("date")["sales"].sum()
    for p, g in df.groupby("product_id"):
        out[("product_id", ALL, p)] = g.groupby("date")["sales"].sum()
    for (s, p), g in df.groupby(["store_id", "product_id"]):
        out[("store_id/product_id", s, p)] = g.set_index("date")["sales"]
    return out


def mase(train, test, fc, m=7):
    y = train.values
    scale = np.mean(np.abs(y[m:] - y[:-m]))
    return float(np.mean(np.abs(test.values - fc)) / scale)


def score(train_nodes, test_nodes, forecasts):
    """forecasts: {node: array of H}. Mean MASE per level and over every node."""
    per_level = {l: [] for l in LEVELS}
    for node, f in forecasts.items():
        per_level[node[0]].append(mase(train_nodes[node], test_nodes[node], f))
    row = {l: np.mean(v) for l, v in per_level.items()}
    row["all"] = np.mean([x for v in per_level.values() for x in v])
    return row


def peer(train, h):
    df = train.rename(columns={"date": "ds", "sales": "y"}).assign(total="total")
    df = df[["total", "store_id", "product_id", "ds", "y"]]
    spec = [["total"], ["total", "store_id"], ["total", "product_id"], ["total", "store_id", "product_id"]]
    t0 = time.process_time()
    y_df, s_df, tags = aggregate(df, spec)
    sf = StatsForecast(models=[AutoETS(season_length=7)], freq="D", n_jobs=1)
    y_hat = sf.forecast(df=y_df, h=h, fitted=True)
    fitted = sf.forecast_fitted_values()
    t_base = time.process_time() - t0
    hrec = HierarchicalReconciliation(reconcilers=[BottomUp(), MinTrace(method="mint_shrink")])
    rec = hrec.reconcile(Y_hat_df=y_hat, Y_df=fitted, S_df=s_df, tags=tags)
    t_all = time.process_time() - t0
    out = {}
    for col, name in [("AutoETS", "none"), ("AutoETS/BottomUp", "bottom-up"), ("AutoETS/MinTrace_method-mint_shrink", "mint-shrink")]:
        f = {}
        for uid, g in rec.groupby("unique_id"):
            parts = uid.split("/")[1:]
            if len(parts) == 0:
                node = ("total", ALL, ALL)
            elif len(parts) == 1:
                v = parts[0]
                node = ("store_id", v, ALL) if v in set(train["store_id"]) else ("product_id", ALL, v)
            else:
                node = ("store_id/product_id", parts[0], parts[1])
            f[node] = g.sort_values("ds")[col].values
        out[name] = f
    return out, t_base, t_all


def ours(path):
    df = pd.read_csv(path, dtype={"store_id": str, "product_id": str})
    f = {}
    for (level, s, p), g in df.groupby(["level", "store_id", "product_id"]):
        f[(level, s, p)] = g.sort_values("date")["forecast"].values
    return f


def main():
    data, h, ours_dir, out_md = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    train, test = split(data, h)
    train_nodes, test_nodes = levels_of(train), levels_of(test)
    peer_f, t_base, t_all = peer(train, h)
    rows = []
    for name, f in peer_f.items():
        rows.append(("hierarchicalforecast + statsforecast AutoETS", name, score(train_nodes, test_nodes, f)))
    timings = open(f"{ours_dir}/timings.txt").read().split()
    times = dict(zip(timings[::2], timings[1::2]))
    for name in ["none", "bottom-up", "top-down", "mint-shrink", "auto"]:
        rows.append(("horizon ets:7", name, score(train_nodes, test_nodes, ours(f"{ours_dir}/{name}.csv"))))
    lines = [f"Data: {data.split('/')[-1]}, last {h} days held out, {len(train_nodes)} series over 4 levels.", "",
             "| forecaster | reconciliation | total | store | product | store x product | all series |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for who, name, r in rows:
        lines.append(f"| {who} | {name} | {r['total']:.3f} | {r['store_id']:.3f} | {r['product_id']:.3f} | "
                     f"{r['store_id/product_id']:.3f} | {r['all']:.3f} |")
    lines += ["", f"CPU seconds: peer base forecasts {t_base:.2f} s, + both reconciliations {t_all:.2f} s; "
              f"horizon (whole command, each method): " + ", ".join(f"{k} {v} s" for k, v in times.items()), ""]
    open(out_md, "a").write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
