"""Expected forecasts of the intermittent-demand methods, from statsforecast 2.1.1.

    python make_intermittent_expected.py > intermittent.json

Series drawn here with a fixed seed (sparse counts, lumpy demand, a smooth series, a short
one, one ending in a long run of zeros, one with a single sale) and each method's 1-step
mean (every method's forecast is flat).
"""

import json

import numpy as np
from statsforecast.models import ADIDA, IMAPA, TSB, CrostonClassic, CrostonOptimized, CrostonSBA

rng = np.random.default_rng(20261206)


def sparse(n, p, high):
    return np.where(rng.random(n) < p, rng.integers(1, high + 1, n), 0).astype(float)


series = {
    "sparse": sparse(120, 0.3, 10),
    "lumpy": sparse(200, 0.08, 50),
    "smooth": rng.integers(3, 30, 60).astype(float),
    "short": np.array([0, 0, 4, 0, 1, 0, 0, 0, 6, 0], dtype=float),
    "fading": np.concatenate([sparse(80, 0.4, 8), np.zeros(40)]),
    "single": np.concatenate([[5.0], np.zeros(30)]),
    "weekly": sparse(365, 0.15, 4),
}
models = {
    "croston": CrostonClassic(),
    "sba": CrostonSBA(),
    "croston-optimized": CrostonOptimized(),
    "tsb": TSB(alpha_d=0.1, alpha_p=0.1),
    "tsb:0.3/0.05": TSB(alpha_d=0.3, alpha_p=0.05),
    "adida": ADIDA(),
    "imapa": IMAPA(),
}
out = []
for name, y in series.items():
    expected = {m: float(model.forecast(y=y, h=1)["mean"][0]) for m, model in models.items()}
    out.append({"name": name, "y": y.tolist(), "expected": expected})
print(json.dumps(out, indent=1))
