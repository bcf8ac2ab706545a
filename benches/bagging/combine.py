"""Bagged forecasts from bench_models' forecasts of the bootstrapped copies: point = mean (or
median) of the copies' points; bounds by several rules. Writes one forecasts CSV per rule."""
import sys, pandas as pd
fc = pd.read_csv(sys.argv[1]); out = sys.argv[2]; label = sys.argv[3]
fc["orig"] = fc.series_id.str.replace(r"__b\d+$", "", regex=True)
g = fc.groupby(["orig", "step"])
res = []
for name, f in {
    "mean_minmax": lambda: pd.DataFrame({"point": g.point.mean(), "lo95": g.lo95.min(), "hi95": g.hi95.max()}),
    "mean_medbounds": lambda: pd.DataFrame({"point": g.point.mean(), "lo95": g.lo95.median(), "hi95": g.hi95.median()}),
    "median_medbounds": lambda: pd.DataFrame({"point": g.point.median(), "lo95": g.lo95.median(), "hi95": g.hi95.median()}),
}.items():
    d = f().reset_index().rename(columns={"orig": "series_id"})
    d["model"] = f"{label}_{name}"
    res.append(d)
pd.concat(res)[["series_id", "model", "step", "point", "lo95", "hi95"]].to_csv(out, index=False)
