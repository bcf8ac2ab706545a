"""Expected ARIMA values from a peer implementation (statsforecast 2.1.1, pinned in
shared/bench/requirements.txt), for crates/horizon-core/tests/arima_peers.rs.

For fixed orders on AirPassengers (Box & Jenkins series G, shipped with statsforecast) it records
the peer's coefficients, sigma2, log-likelihood, AICc, and 12-step forecasts with 95 % bounds;
and the order its AutoARIMA picks.

    python make_arima_expected.py > arima_airpassengers.json
"""
import json
import numpy as np
from statsforecast.utils import AirPassengers
from statsforecast.models import ARIMA, AutoARIMA

y = np.asarray(AirPassengers, dtype=float)
out = {"source": "statsforecast 2.1.1 ARIMA / AutoARIMA(season_length=12) on AirPassengers", "y": y.tolist(), "models": []}
cases = [((0, 1, 1), (0, 1, 1), False), ((1, 1, 0), (0, 1, 0), False), ((2, 0, 0), (0, 0, 0), True)]
for order, sorder, mean in cases:
    m = ARIMA(order=order, seasonal_order=sorder, season_length=12, include_mean=mean).fit(y)
    fit = m.model_
    f = m.predict(h=12, level=[95])
    out["models"].append({
        "order": list(order), "seasonal_order": list(sorder), "include_mean": mean,
        "coef": {k: float(v) for k, v in fit["coef"].items()},
        "sigma2": float(fit["sigma2"]), "loglik": float(fit["loglik"]), "aicc": float(fit["aicc"]),
        "forecast": [float(v) for v in f["mean"]],
        "lo95": [float(v) for v in f["lo-95"]], "hi95": [float(v) for v in f["hi-95"]],
    })
auto = AutoARIMA(season_length=12).fit(y).model_
out["auto"] = {"arma": [int(v) for v in auto["arma"]], "aicc": float(auto["aicc"])}
print(json.dumps(out, indent=1))
