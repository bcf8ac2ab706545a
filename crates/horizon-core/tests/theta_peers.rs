//! Theta against statsforecast 2.1.1 (`peers/theta.json`, made by
//! `peers/make_theta_expected.py`): each variant and the automatic choice on seven series
//! (AirPassengers, the first Tourism and M1 monthly and quarterly series, AirPassengers minus
//! 300, a short series). The season test and decomposition must agree; the fitted criterion
//! must be at least as low as statsforecast's (both minimise it by Nelder–Mead, ours restarts);
//! where the two reach the same minimum, the forecasts agree.

use horizon_core::data::{Frequency, Series};
use horizon_core::models::theta::Variant;
use horizon_core::models::{FittedModel, ModelSpec};
use serde_json::Value;

fn floats(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

#[test]
fn fits_are_at_least_as_good_as_statsforecast() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers/theta.json")).unwrap();
    let cases: Vec<Value> = serde_json::from_str(&text).unwrap();
    let mut checked = 0;
    for case in &cases {
        let y = floats(&case["y"]);
        let m = case["season"].as_u64().unwrap();
        let h = case["h"].as_u64().unwrap() as usize;
        let start = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
        let s = Series::starting(Frequency::Monthly, start, y);
        for (key, want) in case["fits"].as_object().unwrap() {
            let name = if key == "auto" {
                format!("theta:{m}")
            } else {
                format!("theta:{}/{m}", key.to_lowercase())
            };
            let spec: ModelSpec = name.parse().unwrap();
            let fitted = spec.build().fit(&s).unwrap();
            let FittedModel::Theta(t) = fitted.to_state() else {
                panic!()
            };
            let (alpha, theta, criterion) = t.fitted();
            let peer = want["mse"].as_f64().unwrap();
            let label = format!("{} {key}", case["name"]);
            let decomposed = want["decomposed"].as_str().map(|d| d == "multiplicative");
            assert_eq!(t.deseasoned(), decomposed, "{label}");
            assert!(
                criterion <= peer * (1.0 + 1e-6),
                "{label}: criterion {criterion} vs {peer}"
            );
            let code = want["variant"].as_str().unwrap().to_lowercase();
            let same_variant = Variant::ALL.iter().find(|v| v.code() == code) == Some(&t.variant());
            let got = fitted.predict(h, &[]).unwrap().point;
            let expected = floats(&want["forecast"]);
            let scale = expected.iter().map(|v| v.abs()).sum::<f64>() / h as f64;
            let gap = got
                .iter()
                .zip(&expected)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f64::max)
                / scale;
            println!(
                "{label}: ours {criterion:.6} (a {alpha:.4} θ {theta:.4} {:?}) sf {peer:.6} (a {:.4} θ {:.4} {code}) gap {gap:.2e}",
                t.variant(),
                want["alpha"].as_f64().unwrap(),
                want["theta"].as_f64().unwrap()
            );
            if same_variant && criterion >= peer * (1.0 - 1e-5) {
                assert!(gap < 2e-3, "{label}: forecasts differ by {gap} of their scale");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 7 * 5);
}
