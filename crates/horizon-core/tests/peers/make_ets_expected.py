"""Expected ETS values from a peer implementation (statsforecast 2.1.1, the version pinned in
shared/bench/requirements.txt), for crates/horizon-core/tests/ets_peers.rs.

For each model on AirPassengers (Box & Jenkins series G, 144 monthly values, shipped with
statsforecast) it records the peer's fitted smoothing parameters, initial states, -2 log
likelihood term `lik` (n log SSE [+ 2 sum log|f|]), AICc and 12-step point forecasts.

    python make_ets_expected.py > ets_airpassengers.json
"""
import json
import numpy as np
from statsforecast.utils import AirPassengers
from statsforecast.models import AutoETS

y = np.asarray(AirPassengers, dtype=float)
out = {"source": "statsforecast 2.1.1 AutoETS(model=..., season_length=12) on AirPassengers", "y": y.tolist(), "models": []}
for code in ["ANN", "AAN", "AAA", "MAM", "MNM"]:
    m = AutoETS(model=code, season_length=12, damped=False).fit(y)
    fit = m.model_
    par = np.asarray(fit["par"], dtype=float)
    f = m.predict(h=12)["mean"]
    out["models"].append({
        "model": code,
        "method": fit["method"],
        "alpha": float(par[0]),
        "beta": None if np.isnan(par[1]) else float(par[1]),
        "gamma": None if np.isnan(par[2]) else float(par[2]),
        "phi": None if np.isnan(par[3]) else float(par[3]),
        "init_states": [float(v) for v in par[4:]],
        "loglik": float(fit["loglik"]),
        "aicc": float(fit["aicc"]),
        "sigma2": float(fit["sigma2"]),
        "forecast": [float(v) for v in f],
    })
print(json.dumps(out, indent=1))
