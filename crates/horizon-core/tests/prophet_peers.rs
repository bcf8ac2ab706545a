//! Prophet against the Python package: Prophet 1.5.0 (CmdStan 2.37 L-BFGS) on AirPassengers
//! and on a 3-year daily series, recorded by `tests/peers/make_prophet_expected.py` into
//! `tests/peers/prophet_peers.json` (the Stan data, the peer's MAP parameters and `lp__`, its
//! forecasts and a 95 % band from 1000 draws).
//!
//! 1. Our objective, at the peer's parameters and on the peer's Stan data, is the peer's `lp__`.
//! 2. Our L-BFGS reaches a posterior at least as high as Stan's.
//! 3. Our forecasts (augurs-prophet's features, our optimizer) match the peer's within 0.5 %,
//!    and our 95 % band's width is within 10 % of its own.

use augurs_prophet::PositiveFloat;
use augurs_prophet::optimizer::{Data, TrendIndicator};
use chrono::NaiveDate;
use horizon_core::data::{Frequency, Series};
use horizon_core::models::prophet::ProphetModel;
use horizon_core::models::prophet::objective::Objective;
use horizon_core::models::{FittedModel, Forecaster};
use serde_json::Value;

fn expected() -> Value {
    serde_json::from_str(include_str!("peers/prophet_peers.json")).expect("valid JSON")
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_f64().expect("number"))
        .collect()
}

fn stan_data(case: &Value) -> Data {
    let d = &case["stan_data"];
    let x: Vec<f64> = d["X"].as_array().unwrap().iter().flat_map(floats).collect();
    let ints = |v: &Value| {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap() as i32)
            .collect()
    };
    Data {
        T: d["T"].as_i64().unwrap() as i32,
        y: floats(&d["y"]),
        t: floats(&d["t"]),
        cap: floats(&d["cap"]),
        S: d["S"].as_i64().unwrap() as i32,
        t_change: floats(&d["t_change"]),
        trend_indicator: TrendIndicator::Linear,
        K: d["K"].as_i64().unwrap() as i32,
        s_a: ints(&d["s_a"]),
        s_m: ints(&d["s_m"]),
        X: x,
        sigmas: floats(&d["sigmas"])
            .into_iter()
            .map(|s| PositiveFloat::try_new(s).unwrap())
            .collect(),
        tau: PositiveFloat::try_new(d["tau"].as_f64().unwrap()).unwrap(),
    }
}

fn peer_x(params: &Value) -> Vec<f64> {
    let first = |v: &Value| v.as_f64().or_else(|| v.as_array().and_then(|a| a[0].as_f64())).unwrap();
    Objective::join(
        first(&params["k"]),
        first(&params["m"]),
        &floats(&params["delta"]),
        first(&params["sigma_obs"]),
        &floats(&params["beta"]),
    )
}

fn series(case: &Value, freq: Frequency) -> Series {
    let dates = case["ds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| NaiveDate::parse_from_str(d.as_str().unwrap(), "%Y-%m-%d").unwrap())
        .collect();
    Series::new(vec![], freq, dates, floats(&case["y"]))
}

#[test]
fn objective_is_the_peers_log_posterior() {
    let all = expected();
    for name in ["airpassengers", "daily"] {
        let case = &all[name];
        let obj = Objective::new(&stan_data(case), false);
        let peer = &case["params_sig_figs_18"];
        let mut g = vec![0.0; obj.dim()];
        let f = obj.value_and_gradient(&peer_x(&peer["params"]), &mut g);
        let lp = peer["lp__"].as_f64().unwrap();
        assert!((f + lp).abs() < 1e-6 * lp.abs(), "{name}: -f = {} vs lp__ {lp}", -f);
    }
}

#[test]
fn fits_and_forecasts_like_the_peer() {
    let all = expected();
    for (name, freq) in [("airpassengers", Frequency::Monthly), ("daily", Frequency::Daily)] {
        let case = &all[name];
        let s = series(case, freq);
        let model = ProphetModel { holidays: None };
        let fitted = model.fit(&s).unwrap();
        let FittedModel::Prophet(state) = fitted.to_state() else {
            panic!("not a Prophet state")
        };

        // Same Stan data as the peer (features in augurs' column order, matched by value).
        let data = stan_data(case);
        assert_eq!(state.columns.len(), data.K as usize, "{name}: feature count");
        assert_eq!(state.delta.len(), data.S as usize, "{name}: changepoints");

        // Our optimum is at least as good as Stan's on the peer's objective.
        let obj = Objective::new(&data, false);
        let mut g = vec![0.0; obj.dim()];
        let peer_lp = case["params_sig_figs_18"]["lp__"].as_f64().unwrap();
        let ours = -obj.value_and_gradient(
            &Objective::join(state.k, state.m, &state.delta, state.sigma_obs, &reorder(&state, &data)),
            &mut g,
        );
        assert!(
            ours >= peer_lp - 1e-4 * peer_lp.abs(),
            "{name}: our lp {ours} vs peer {peer_lp}"
        );

        let h = case["horizon"].as_u64().unwrap() as usize;
        let n = case["n_history"].as_u64().unwrap() as usize;
        let peer_yhat = floats(&case["params_sig_figs_18"]["yhat"]);
        let fc = fitted.predict(h, &[95.0]).unwrap();
        for (step, (a, b)) in fc.point.iter().zip(&peer_yhat[n..]).enumerate() {
            assert!((a - b).abs() < 5e-3 * b.abs(), "{name} step {step}: {a} vs peer {b}");
        }
        let band = fc.interval(95.0).unwrap();
        let lo = floats(&case["interval_fit"]["yhat_lower"]);
        let hi = floats(&case["interval_fit"]["yhat_upper"]);
        let ours: f64 = band.upper.iter().zip(&band.lower).map(|(u, l)| u - l).sum();
        let peer: f64 = hi[n..].iter().zip(&lo[n..]).map(|(u, l)| u - l).sum();
        assert!(
            (ours / peer - 1.0).abs() < 0.10,
            "{name}: band width {ours} vs peer {peer}"
        );
    }
}

/// Our β in the peer's column order (columns matched by their values).
fn reorder(state: &horizon_core::models::prophet::FittedProphet, data: &Data) -> Vec<f64> {
    let k = data.K as usize;
    let rows = data.X.len() / k;
    let peer_cols: Vec<Vec<f64>> = (0..k).map(|j| (0..rows).map(|i| data.X[i * k + j]).collect()).collect();
    let (ours, beta) = state.features_and_coefficients().unwrap();
    peer_cols
        .iter()
        .map(|col| {
            let j = ours
                .iter()
                .position(|c| c.iter().zip(col).all(|(a, b)| (a - b).abs() < 1e-9 * (1.0 + b.abs())))
                .expect("peer column among ours");
            beta[j]
        })
        .collect()
}
