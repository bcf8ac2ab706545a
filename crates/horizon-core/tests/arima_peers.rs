//! SARIMA against a peer implementation: statsforecast 2.1.1's ARIMA and AutoARIMA on
//! AirPassengers, recorded by `tests/peers/make_arima_expected.py` into
//! `tests/peers/arima_airpassengers.json`. Both maximise the exact Gaussian likelihood of the
//! differenced series, so the fits must agree closely: log-likelihood, coefficients, forecasts
//! and 95 % bounds. The automatic search must find a model at least as good (AICc) as the
//! peer's.

mod common;

use horizon_core::models::Fitted;
use horizon_core::models::arima::{Arima, FittedArima};
use serde_json::Value;

fn expected() -> Value {
    serde_json::from_str(include_str!("peers/arima_airpassengers.json")).expect("valid JSON")
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

fn order3(v: &Value) -> [usize; 3] {
    let o: Vec<usize> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as usize)
        .collect();
    [o[0], o[1], o[2]]
}

#[test]
fn pinned_orders_agree_with_the_peer() {
    let e = expected();
    let y = floats(&e["y"]);
    for m in e["models"].as_array().unwrap() {
        let (order, seasonal) = (order3(&m["order"]), order3(&m["seasonal_order"]));
        let spec = Arima {
            season: Some(12),
            order: Some(order),
            seasonal_order: Some(seasonal),
        };
        let fitted: FittedArima = spec.fit_values(&y, 12).unwrap();
        let label = fitted.fit.order.label();
        let loglik = -0.5 * fitted.fit.m2loglik;
        let peer_ll = m["loglik"].as_f64().unwrap();
        assert!(loglik >= peer_ll - 0.05, "{label}: loglik {loglik} vs peer {peer_ll}");
        assert!(
            (loglik - peer_ll).abs() < 0.5,
            "{label}: loglik {loglik} vs peer {peer_ll}"
        );
        let coef = &m["coef"];
        let r = &fitted.fit;
        for (prefix, values) in [("ar", &r.ar), ("ma", &r.ma), ("sar", &r.sar), ("sma", &r.sma)] {
            for (i, c) in values.iter().enumerate() {
                let name = format!("{prefix}{}", i + 1);
                let peer = coef[name.as_str()].as_f64().unwrap();
                assert!((c - peer).abs() < 0.02, "{label}: {name} {c} vs peer {peer}");
            }
        }
        let f = fitted.predict(12, &[95.0]).unwrap();
        let (pf, lo, hi) = (floats(&m["forecast"]), floats(&m["lo95"]), floats(&m["hi95"]));
        for j in 0..12 {
            assert!(
                (f.point[j] - pf[j]).abs() < 0.005 * pf[j].abs(),
                "{label} step {j}: {} vs {}",
                f.point[j],
                pf[j]
            );
            let (w, pw) = (f.intervals[0].upper[j] - f.intervals[0].lower[j], hi[j] - lo[j]);
            assert!((w - pw).abs() < 0.03 * pw, "{label} step {j}: width {w} vs {pw}");
        }
    }
}

#[test]
fn the_automatic_search_is_at_least_as_good_as_the_peers() {
    let e = expected();
    let y = floats(&e["y"]);
    let peer = e["auto"]["aicc"].as_f64().unwrap();
    // The exact search, as the peer ran it on this 144-point series.
    let exact = horizon_core::models::arima::search::auto_arima_with(&y, 12, Some(false)).unwrap();
    assert!(
        exact.aicc <= peer + 0.5,
        "{}: {} vs peer {peer}",
        exact.order.label(),
        exact.aicc
    );
    // The default for monthly data compares candidates by conditional sum of squares: close.
    let fitted = Arima::default().fit_values(&y, 12).unwrap();
    assert!(
        fitted.fit.aicc <= peer + 5.0,
        "{}: {} vs peer {peer}",
        fitted.fit.order.label(),
        fitted.fit.aicc
    );
    assert!(fitted.description().starts_with("ARIMA("), "{}", fitted.description());
    // Self-contained: a serde round trip forecasts the same.
    let json = serde_json::to_string(&fitted).unwrap();
    let back: FittedArima = serde_json::from_str(&json).unwrap();
    assert_eq!(
        back.predict(24, &[80.0, 95.0]).unwrap(),
        fitted.predict(24, &[80.0, 95.0]).unwrap()
    );
}

#[test]
fn degenerate_series_get_a_model_or_a_clear_error() {
    let cases = common::degenerate_cases();
    for (name, y) in cases {
        match Arima::default().fit_values(&y, 12) {
            Ok(f) => {
                let fc = f.predict(12, &[95.0]).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert!(fc.point.iter().all(|v| v.is_finite()), "{name}");
            }
            Err(e) => assert!(e.to_string().contains("observations"), "{name}: {e}"),
        }
    }
}

#[test]
fn exact_series_get_their_mean_or_drift() {
    // A straight line: the drift continues it (auto.arima's shortcut; the search alone would
    // drop every drift candidate, whose residual variance is zero).
    let line: Vec<f64> = (0..40).map(|t| 10.0 + 0.1 * f64::from(t)).collect();
    let f = Arima::default().fit_values(&line, 12).unwrap();
    let fc = f.predict(3, &[95.0]).unwrap();
    for (k, p) in fc.point.iter().enumerate() {
        assert!(
            (p - (14.0 + 0.1 * k as f64)).abs() < 1e-9,
            "{}: {:?}",
            f.description(),
            fc.point
        );
    }
    assert!(
        f.description().contains("fits every observation exactly"),
        "{}",
        f.description()
    );
    // A constant series: its mean, zero-width bands; the model survives a serde round trip.
    let flat = Arima::default().fit_values(&[5.0; 40], 12).unwrap();
    let fc = flat.predict(4, &[95.0]).unwrap();
    assert_eq!(fc.point, vec![5.0; 4]);
    assert_eq!(fc.intervals[0].lower, fc.point);
    let json = serde_json::to_string(&flat).unwrap();
    let back: FittedArima = serde_json::from_str(&json).unwrap();
    assert_eq!(back.predict(4, &[95.0]).unwrap(), fc);
    // Noise on the line: no shortcut, the search.
    let noisy: Vec<f64> = line
        .iter()
        .enumerate()
        .map(|(t, v)| v + 0.3 * (((t * 7919) % 13) as f64 / 13.0 - 0.5))
        .collect();
    let f = Arima::default().fit_values(&noisy, 12).unwrap();
    assert!(f.description().contains("stepwise"), "{}", f.description());
}
