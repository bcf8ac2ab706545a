"""The pandas peer of Horizon's ingestion: read a long-format sales CSV and run the same
checks `horizon validate` runs, printing the same summary line.

Checks: date parsing (unparsable dates), numeric value (unparsable, non-finite, missing,
negative), exogenous columns numeric, duplicate (ids, date) rows aggregated by sum, the
frequency inferred from the most common step, gaps per series counted and filled with zero
(reindex onto the full date range of each series).
"""
import sys

import numpy as np
import pandas as pd


def main(path):
    df = pd.read_csv(path, sep=None if path.endswith(".txt") else ",", dtype={"store_id": str, "product_id": str})
    ids = ["store_id", "product_id"]
    dates = pd.to_datetime(df["date"], format="ISO8601", errors="coerce")
    bad_dates = int(dates.isna().sum())
    values = pd.to_numeric(df["sales"], errors="coerce")
    empty = int(df["sales"].isna().sum())  # empty cells: missing values (warnings)
    unparsable = int(values.isna().sum()) - empty
    nonfinite = int(np.isinf(values).sum())
    negative = int((values < 0).sum())
    exog = ["price", "promotion", "discount"]
    bad_exog = 0
    for c in exog:
        x = pd.to_numeric(df[c], errors="coerce")
        bad_exog += int(x.isna().sum() - df[c].isna().sum())
    df = df.assign(date=dates, sales=values)
    dup = int(df.duplicated(subset=ids + ["date"]).sum())
    agg = {"sales": "sum", **{c: "mean" for c in exog}}
    df = df.groupby(ids + ["date"], sort=True, as_index=False).agg(agg)
    steps = df.groupby(ids)["date"].diff().dt.days.dropna()
    step = int(steps.mode().iloc[0])
    freq = {1: "D", 7: "W"}.get(step, "D")
    gaps = 0
    parts = []
    for key, g in df.groupby(ids, sort=False):
        full = pd.date_range(g["date"].iloc[0], g["date"].iloc[-1], freq=freq)
        gaps += len(full) - len(g)
        g = g.set_index("date").reindex(full)
        g["sales"] = g["sales"].fillna(0.0)
        g[exog] = g[exog].interpolate(limit_direction="both")
        parts.append(g)
    series = len(parts)
    errors = bad_dates + unparsable + nonfinite + bad_exog
    warnings = empty + negative + (1 if dup else 0) + (1 if gaps else 0)
    print(f"rows={len(values)} series={series} errors={errors} warnings={warnings} duplicates={dup} gaps={gaps}")


if __name__ == "__main__":
    main(sys.argv[1])
