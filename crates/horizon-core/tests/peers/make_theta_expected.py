"""Expected Theta fits from statsforecast 2.1.1 (`statsforecast.theta.auto_theta`), for
crates/horizon-core/tests/theta_peers.rs.

    python make_theta_expected.py [path/to/shared/bench] > theta.json

Series: AirPassengers (shipped with statsforecast), the training part of the first Tourism
monthly and quarterly series and of the first M1 monthly and quarterly series of the public
benchmark, AirPassengers minus 300 (negative values: additive decomposition) and a short
non-seasonal series. For each variant (STM, OTM, DSTM, DOTM) and for the automatic choice:
the fitted start level, alpha, theta, the criterion (`mse`: squared one-step errors after the
first three over the mean absolute value) and the point forecasts.
"""

import csv
import json
import sys
from collections import defaultdict

import numpy as np
from statsforecast.theta import auto_theta, forecast_theta
from statsforecast.utils import AirPassengers

bench = sys.argv[1] if len(sys.argv) > 1 else "../../../../../shared/bench"
values = defaultdict(list)
with open(f"{bench}/series.csv") as f:
    for row in csv.DictReader(f):
        values[row["series_id"]].append(float(row["value"]))
meta = {}
with open(f"{bench}/manifest.csv") as f:
    for row in csv.DictReader(f):
        meta[row["series_id"]] = row


def train(sid):
    return values[sid][: int(meta[sid]["n_train"])], int(meta[sid]["season_length"]), int(meta[sid]["horizon"])


air = np.asarray(AirPassengers, dtype=float)
series = {"air_passengers": (air.tolist(), 12, 12)}
for ds in ["tourism_monthly", "tourism_quarterly", "m1_monthly", "m1_quarterly"]:
    sid = next(k for k, v in meta.items() if v["dataset"] == ds)
    series[sid] = train(sid)
series["air_minus_300"] = ((air - 300).tolist(), 12, 12)
series["short"] = ([12.0, 15, 11, 17, 16, 19, 18, 22, 21, 24], 1, 4)


def main():
    out = []
    for name, (y, m, h) in series.items():
        y = np.asarray(y, dtype=float)
        case = {"name": name, "season": m, "h": h, "y": y.tolist(), "fits": {}}
        for variant in [None, "STM", "OTM", "DSTM", "DOTM"]:
            fit = auto_theta(y, m, model=variant)
            f = forecast_theta(fit, h)["mean"]
            case["fits"][variant or "auto"] = {
                "variant": fit["modeltype"],
                "level0": float(fit["par"]["initial_smoothed"]),
                "alpha": float(fit["par"]["alpha"]),
                "theta": float(fit["par"]["theta"]),
                "mse": float(fit["mse"]),
                "decomposed": fit.get("decomposition_type") if fit.get("decompose", False) else None,
                "forecast": [float(v) for v in f],
            }
        out.append(case)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
