"""Expected Prophet values from the peer implementation (Meta's `prophet` 1.5.0 from PyPI, with
cmdstanpy 1.3.2, the wheel's bundled CmdStan 2.37.0 model binary, pandas 3.1.1, numpy 2.4.6), for
the Rust Prophet model (augurs-prophet 0.10.3 + our own L-BFGS on Prophet's MAP objective).

Two cases, one per top-level key:

  "airpassengers": the 144 monthly AirPassengers values (key "y" of ets_airpassengers.json beside
      this file), ds = month starts from 1949-01-01; Prophet() with all defaults (linear growth,
      25 changepoints, changepoint_range 0.8, yearly auto -> on, weekly/daily auto -> off, additive,
      scaling 'absmax'); 12-month forecast (freq 'MS').
  "daily": 1096 days from 2021-01-01, t = 0..1095 (integer day index), no random numbers:
      y_t = 100 + 0.05*t + 10*sin(2*pi*t/7) + 5*cos(2*pi*t/7) + 20*sin(2*pi*t/365.25)
            + 3*(((t*7919) % 13) - 6)/6
      Prophet() defaults (yearly and weekly auto -> on, daily auto -> off); 28-day forecast.

For each case it records: input dates and y; the Stan data exactly as handed to cmdstanpy's
optimize (captured by wrapping CmdStanModel.optimize: T, K, S, t, y (scaled), t_change, X (rows),
sigmas, tau, s_a, s_m, cap, trend_indicator) plus y_scale / start / t_scale; the initial params
Prophet starts from; the other optimize kwargs (algorithm, iter; no `jacobian` kwarg is passed, so
cmdstanpy's default jacobian=False applies); the MAP params (k, m, delta, beta, sigma_obs) as
Prophet holds them (CmdStan's CSV output, 8 significant digits) and again from the same fit run
with sig_figs=18; the optimizer's lp__; our own recomputation of the objective at the optimum
(Stan `~` form, i.e. constants dropped, no Jacobian term for sigma_obs > 0) to show which form
lp__ is; yhat and trend for history + horizon from a fit with uncertainty_samples=0; and
yhat_lower / yhat_upper (interval_width 0.95) from a second fit with uncertainty_samples=1000
after np.random.seed(0) -- those intervals are Monte Carlo, only for a loose sanity comparison.

Run in a venv with `pip install prophet==1.5.0` (the wheel ships the compiled Stan model, no
CmdStan build needed):

    python make_prophet_expected.py > prophet_peers.json
"""
import json
import logging
import math
import os
import sys

import numpy as np
import pandas as pd
import cmdstanpy
import prophet
from prophet import Prophet

logging.getLogger("cmdstanpy").setLevel(logging.WARNING)
logging.getLogger("prophet").setLevel(logging.WARNING)

HERE = os.path.dirname(os.path.abspath(__file__))
DAILY_FORMULA = ("y_t = 100 + 0.05*t + 10*sin(2*pi*t/7) + 5*cos(2*pi*t/7) + 20*sin(2*pi*t/365.25)"
                 " + 3*(((t*7919) % 13) - 6)/6, t = 0..1095 (day index from 2021-01-01)")


def airpassengers_df():
    with open(os.path.join(HERE, "ets_airpassengers.json")) as f:
        y = json.load(f)["y"]
    assert len(y) == 144
    ds = pd.date_range("1949-01-01", periods=144, freq="MS")
    return pd.DataFrame({"ds": ds, "y": np.asarray(y, dtype=float)})


def daily_df():
    ys = []
    for t in range(1096):
        ys.append(100 + 0.05 * t + 10 * math.sin(2 * math.pi * t / 7) + 5 * math.cos(2 * math.pi * t / 7)
                  + 20 * math.sin(2 * math.pi * t / 365.25) + 3 * (((t * 7919) % 13) - 6) / 6)
    ds = pd.date_range("2021-01-01", periods=1096, freq="D")
    return pd.DataFrame({"ds": ds, "y": np.asarray(ys, dtype=float)})


def fl(a):
    return [float(v) for v in np.asarray(a, dtype=float).reshape(-1)]


def objective(data, p):
    """Prophet's MAP objective (linear trend, additive/multiplicative split), Stan `~` semantics:
    constants that do not depend on parameters dropped; returns (propto, full-constant) values.
    No Jacobian term (cmdstanpy optimize default jacobian=False)."""
    t = np.asarray(data["t"]); y = np.asarray(data["y"]); tc = np.asarray(data["t_change"])
    X = np.asarray(data["X"]); s_a = np.asarray(data["s_a"]); s_m = np.asarray(data["s_m"])
    sig = np.asarray(data["sigmas"], dtype=float); tau = float(data["tau"])
    k, m, sobs = p["k"], p["m"], p["sigma_obs"]
    delta = np.asarray(p["delta"]); beta = np.asarray(p["beta"])
    A = (t[:, None] >= tc[None, :]).astype(float)
    trend = (k + A @ delta) * t + (m + A @ (-tc * delta))
    mu = (X * s_a) @ beta + trend * (1 + (X * s_m) @ beta)
    T = len(y)
    r = y - mu
    propto = (-k * k / 50 - m * m / 50 - np.sum(np.abs(delta)) / tau - 2 * sobs * sobs
              - np.sum(beta * beta / (2 * sig * sig)) - T * math.log(sobs) - r @ r / (2 * sobs * sobs))
    c = -0.5 * math.log(2 * math.pi)
    full = (propto + 2 * (c - math.log(5)) + len(delta) * (-math.log(2 * tau))
            + (c - math.log(0.5)) + np.sum(c - np.log(sig)) + T * c)
    return float(propto), float(full)


def run_case(name, df, periods, freq, extra):
    captured = {}
    m = Prophet(uncertainty_samples=0)
    model = m.stan_backend.model
    orig = model.optimize

    def spy(**kwargs):
        captured.setdefault("calls", []).append(kwargs)
        return orig(**kwargs)

    model.optimize = spy
    m.fit(df)
    model.optimize = orig
    calls = captured["calls"]
    assert len(calls) == 1, "Newton fallback happened: %d optimize calls" % len(calls)
    call = calls[0]
    data, init = call["data"], call["inits"]
    other_kwargs = {k: v for k, v in call.items() if k not in ("data", "inits")}
    mle = m.stan_fit
    opt = mle.optimized_params_dict
    params = {k: fl(m.params[k]) for k in ["k", "m", "delta", "beta", "sigma_obs"]}
    p_scalar = {"k": params["k"][0], "m": params["m"][0], "sigma_obs": params["sigma_obs"][0],
                "delta": params["delta"], "beta": params["beta"]}
    init_p = {"k": float(init["k"]), "m": float(init["m"]), "sigma_obs": float(init["sigma_obs"]),
              "delta": fl(init["delta"]), "beta": fl(init["beta"])}
    obj_opt = objective(data, p_scalar)
    obj_init = objective(data, init_p)

    future = m.make_future_dataframe(periods=periods, freq=freq)
    fc = m.predict(future)

    # Same fit with CmdStan's output at 18 significant digits (default CSV output has 8, and
    # Prophet's own m.params / predictions use those rounded values).
    m3 = Prophet(uncertainty_samples=0)
    m3.fit(df, sig_figs=18)
    params_hp = {k: fl(m3.params[k]) for k in ["k", "m", "delta", "beta", "sigma_obs"]}
    fc3 = m3.predict(m3.make_future_dataframe(periods=periods, freq=freq))

    np.random.seed(0)
    m2 = Prophet(interval_width=0.95)
    m2.fit(df)
    same = all(np.allclose(fl(m2.params[k]), params[k], rtol=0, atol=0) for k in params)
    np.random.seed(0)
    fc2 = m2.predict(m2.make_future_dataframe(periods=periods, freq=freq))

    seas = {k: {"period": v["period"], "fourier_order": v["fourier_order"],
                "prior_scale": v["prior_scale"], "mode": v["mode"]}
            for k, v in m.seasonalities.items()}
    case = {
        "description": extra,
        "prophet_version": prophet.__version__,
        "cmdstanpy_version": cmdstanpy.__version__,
        "cmdstan_version": m.stan_backend.CMDSTAN_VERSION,
        "pandas_version": pd.__version__,
        "numpy_version": np.__version__,
        "prophet_call": "Prophet(uncertainty_samples=0).fit(df); predict(make_future_dataframe(periods=%d, freq=%r))" % (periods, freq),
        "ds": [d.strftime("%Y-%m-%d") for d in df["ds"]],
        "y": fl(df["y"]),
        "seasonalities": seas,
        "y_scale": float(m.y_scale),
        "scaling": m.scaling,
        "logistic_floor": bool(m.logistic_floor),
        "start": m.start.strftime("%Y-%m-%d"),
        "t_scale_days": m.t_scale / pd.Timedelta(days=1),
        "changepoints": [d.strftime("%Y-%m-%d") for d in m.changepoints],
        "stan_data": {
            "T": int(data["T"]), "K": int(data["K"]), "S": int(data["S"]),
            "tau": float(data["tau"]), "trend_indicator": int(data["trend_indicator"]),
            "t": fl(data["t"]), "y": fl(data["y"]), "cap": fl(data["cap"]),
            "t_change": fl(data["t_change"]),
            "s_a": fl(data["s_a"]), "s_m": fl(data["s_m"]),
            "sigmas": fl(data["sigmas"]),
            "X_columns": [str(c) for c in m.make_all_seasonality_features(m.history)[0].columns],
            "X": [fl(row) for row in data["X"]],
        },
        "init_params": init_p,
        "optimize_kwargs": {k: (v if isinstance(v, (int, float, str, bool)) else repr(v))
                            for k, v in other_kwargs.items()},
        "jacobian": bool(other_kwargs.get("jacobian", False)),
        "jacobian_note": "prophet/models.py CmdStanPyBackend.fit passes no jacobian kwarg; cmdstanpy 1.3.2 optimize default is jacobian=False",
        "algorithm": other_kwargs["algorithm"],
        "params": params,
        "lp__": float(opt["lp__"]),
        "objective_at_optimum": {"propto": obj_opt[0], "with_constants": obj_opt[1]},
        "objective_at_init": {"propto": obj_init[0], "with_constants": obj_init[1]},
        "objective_note": "recomputed in Python from the captured stan_data; 'propto' drops constants as Stan's ~ does; neither has a Jacobian term",
        "params_sig_figs_18": {
            "call": "Prophet(uncertainty_samples=0).fit(df, sig_figs=18) (same optimizer run, only the CSV output precision differs)",
            "params": params_hp,
            "lp__": float(m3.stan_fit.optimized_params_dict["lp__"]),
            "yhat": fl(fc3["yhat"]),
        },
        "forecast_ds": [d.strftime("%Y-%m-%d") for d in fc["ds"]],
        "yhat": fl(fc["yhat"]),
        "trend": fl(fc["trend"]),
        "n_history": len(df),
        "horizon": periods,
        "interval_fit": {
            "call": "np.random.seed(0); Prophet(interval_width=0.95) (uncertainty_samples=1000); fit; np.random.seed(0); predict",
            "params_identical_to_main_fit": bool(same),
            "yhat": fl(fc2["yhat"]),
            "yhat_lower": fl(fc2["yhat_lower"]),
            "yhat_upper": fl(fc2["yhat_upper"]),
        },
    }
    return case


def main():
    out = {
        "airpassengers": run_case("airpassengers", airpassengers_df(), 12, "MS",
                                  "AirPassengers monthly, ds = month starts from 1949-01-01"),
        "daily": run_case("daily", daily_df(), 28, "D", {"formula": DAILY_FORMULA, "start": "2021-01-01", "n": 1096}),
    }
    # one case per top-level key, one field per line, values compact (floats via repr = full precision)
    lines = ["{"]
    for ci, (name, case) in enumerate(out.items()):
        lines.append(" %s: {" % json.dumps(name))
        items = list(case.items())
        for fi, (k, v) in enumerate(items):
            sep = "," if fi < len(items) - 1 else ""
            lines.append("  %s: %s%s" % (json.dumps(k), json.dumps(v, separators=(",", ":")), sep))
        lines.append(" }" + ("," if ci < len(out) - 1 else ""))
    lines.append("}")
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
