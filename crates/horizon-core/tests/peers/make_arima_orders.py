"""The orders statsforecast 2.1.1's AutoARIMA (pinned in shared/bench/requirements.txt) picks on
the training part of the public benchmark's 500 reference series, for
crates/horizon-core/tests/bench_peers.rs. `auto_arima_f` with its defaults is what
`AutoARIMA(season_length=m)` runs; `arma` holds (p, q, P, Q, m, d, D).

    python make_arima_orders.py ../../../../shared/bench [DATASET ...] > arima_orders_ref.csv

(about 25 minutes on one core, most of it Tourism monthly).
"""
import sys
import warnings

import numpy as np
import pandas as pd
from statsforecast.arima import auto_arima_f

warnings.simplefilter("ignore")
bench = sys.argv[1]
datasets = sys.argv[2:] or ["tourism_monthly", "tourism_quarterly", "m1_monthly", "m1_quarterly"]
man = pd.read_csv(f"{bench}/manifest.csv")
ser = pd.read_csv(f"{bench}/series.csv")
print("series_id,p,d,q,P,D,Q,constant,aicc")
for ds in datasets:
    for _, r in man[(man.ref_sample == 1) & (man.dataset == ds)].iterrows():
        y = ser[ser.series_id == r.series_id].value.to_numpy(dtype=float)[: r.n_train]
        fit = auto_arima_f(y, period=int(r.season_length))
        p, q, P, Q, _, d, D = (int(v) for v in fit["arma"][:7])
        constant = int(any(k in ("intercept", "drift") for k in fit["coef"]))
        print(f"{r.series_id},{p},{d},{q},{P},{D},{Q},{constant},{float(fit['aicc']):.4f}", flush=True)
