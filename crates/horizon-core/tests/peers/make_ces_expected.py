"""Expected CES fits from statsforecast 2.1.1 (`statsforecast.ces.auto_ces`), for
crates/horizon-core/tests/ces_peers.rs.

    python make_ces_expected.py [path/to/shared/bench] > ces.json

The series of make_theta_expected.py. For each seasonal form (N, S, P, F) and the automatic
choice: alpha_0, alpha_1, beta_0, beta_1, the criterion (n log of the squared one-step errors
after backcasting), AICc and the point forecasts.
"""

import json
import sys

import numpy as np
from statsforecast.ces import auto_ces, forecast_ces

from make_theta_expected import series  # noqa: E402  (same series, same order)

out = []
for name, (y, m, h) in series.items():
    y = np.asarray(y, dtype=float)
    case = {"name": name, "season": m, "h": h, "y": y.tolist(), "fits": {}}
    for form in ["Z", "N", "S", "P", "F"]:
        if form != "Z" and (m == 1 or len(y) < 2 * m) and form != "N":
            continue
        fit = auto_ces(y, m, model=form)
        f = forecast_ces(fit, h)["mean"]
        par = fit["par"]
        case["fits"]["auto" if form == "Z" else form] = {
            "form": fit["seasontype"],
            "par": [float(par[k]) if not np.isnan(par[k]) else None for k in ("alpha_0", "alpha_1", "beta_0", "beta_1")],
            "lik": float(-2 * fit["loglik"]),
            "aicc": float(fit["aicc"]),
            "forecast": [float(v) for v in f],
        }
    out.append(case)
print(json.dumps(out, indent=1))
