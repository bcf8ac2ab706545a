"""What the benchmark's hold-out asks of a conformal band, and whether the history shows it.

Input: the CSV written by `calib_dump` for `--sample all` (see study.py). For the product's
origin layout (`study.layout("new")`, the one in `models/conformal.rs`) it prints, per dataset
and sample (reference 500 / the other 1113 series):

- the hold-out coverage of the conformal 95 % band, and the factor `c` every band would have
  to be multiplied by for the dataset's coverage to reach 95 % (found on the hold-out itself,
  so a measurement of the gap, not a rule anyone could use);
- the coverage by thirds of series length within the dataset (is the gap a short-series effect?);
- the coverage by forecast step on the reference sample (is it a horizon-shape effect?).

    calib_dump ../shared/bench /tmp/ets_all.csv --model ets --sample all
    python benches/calibration/needs.py /tmp/ets_all.csv ../shared/bench

With `calib_dump … --cut h` the hold-out is the last horizon of each history instead (a pseudo
hold-out: does the end of the history already look as hard as what follows it?).
"""
import os
import sys

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import study  # noqa: E402


def per_series(dump, bench):
    d = pd.read_csv(dump)
    man = pd.read_csv(f"{bench}/manifest.csv").set_index("series_id")
    rule = study.layout("new")
    rows = []
    for sid, g in d.groupby("series_id"):
        mf = man.loc[sid]
        hold = g[g.kind == "hold"].sort_values("step")
        if hold.empty:
            continue
        # The hold-out's origin is the history's length (shorter than n_train after --cut).
        m, n = int(mf.season_length), int(hold.origin.iloc[0])
        q = rule(g[g.kind == "cal"], n, m)
        r = (np.abs(hold.y - hold.point) / hold.scale).values
        rows.append(dict(ds=mf.dataset, ref=int(mf.ref_sample), n=n, q=q, r=r))
    return pd.DataFrame(rows)


def coverage(group, c=1.0):
    return float(np.mean([np.mean(x.r <= c * x.q) for x in group.itertuples()]))


def main():
    t = per_series(sys.argv[1], sys.argv[2])
    factors = np.round(np.arange(0.5, 3.001, 0.05), 2)
    print("dataset            sample     series  cov95  factor for 95 %")
    for (ds, ref), g in t.groupby(["ds", "ref"]):
        need = next((c for c in factors if coverage(g, c) >= 0.95), None)
        print(f"{ds:18s} {'reference' if ref else 'other':9s} {len(g):7d}  {coverage(g):.3f}  {need}")
    t["cov"] = [np.mean(x.r <= x.q) for x in t.itertuples()]
    t["third"] = t.groupby("ds").n.transform(
        lambda s: pd.qcut(s.rank(method="first"), 3, labels=["short", "middle", "long"]))
    print("\ncoverage by thirds of series length (both samples)")
    print(t.groupby(["ds", "third"], observed=True)["cov"].mean().unstack().round(3).to_string())
    print("\ncoverage by step (reference sample)")
    for ds, g in t[t.ref == 1].groupby("ds"):
        steps = max(len(x.r) for x in g.itertuples())
        cells = [np.mean([x.r[h] <= x.q for x in g.itertuples() if len(x.r) > h]) for h in range(steps)]
        print(f"{ds:18s} " + " ".join(f"{v:.2f}" for v in cells))


if __name__ == "__main__":
    main()
