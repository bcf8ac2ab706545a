//! CES against statsforecast 2.1.1 (`peers/ces.json`, made by `peers/make_ces_expected.py`):
//! each seasonal form and the automatic choice on the series of the Theta peers. Both minimise
//! n·log Σe² after backcasting by Nelder–Mead (statsforecast in single precision, Horizon in
//! double, with a restart): Horizon's criterion must be as low or lower, the automatic choice
//! the same form, and where the two reach the same minimum the forecasts agree.

use horizon_core::data::{Frequency, Series};
use horizon_core::models::ces::Form;
use horizon_core::models::{FittedModel, ModelSpec};
use serde_json::Value;

fn floats(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

#[test]
fn fits_are_at_least_as_good_as_statsforecast() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers/ces.json")).unwrap();
    let cases: Vec<Value> = serde_json::from_str(&text).unwrap();
    let mut checked = 0;
    for case in &cases {
        let y = floats(&case["y"]);
        let n = y.len() as f64;
        let m = case["season"].as_u64().unwrap();
        let h = case["h"].as_u64().unwrap() as usize;
        let start = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
        let s = Series::starting(Frequency::Monthly, start, y);
        for (key, want) in case["fits"].as_object().unwrap() {
            let name = if key == "auto" {
                format!("ces:{m}")
            } else {
                format!("ces:{}/{m}", key.to_lowercase())
            };
            let spec: ModelSpec = name.parse().unwrap();
            let fitted = spec.build().fit(&s).unwrap();
            let FittedModel::Ces(c) = fitted.to_state() else {
                panic!()
            };
            let (par, aicc) = c.fitted();
            let label = format!("{} {key}", case["name"]);
            let peer_form = want["form"].as_str().unwrap().to_lowercase();
            let same_form = Form::ALL.iter().find(|f| f.code() == peer_form) == Some(&c.form());
            // The criterion from the AICc: both count the same parameters.
            let peer_aicc = want["aicc"].as_f64().unwrap();
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
                "{label}: ours {aicc:.4} {:?} {par:.4?} sf {peer_aicc:.4} {peer_form} {:?} gap {gap:.2e}",
                c.form(),
                want["par"]
            );
            assert!(same_form, "{label}: {:?} vs {peer_form}", c.form());
            assert!(aicc <= peer_aicc + 1e-3 * n.ln(), "{label}: AICc {aicc} vs {peer_aicc}");
            if aicc >= peer_aicc - 1e-3 {
                assert!(gap < 2e-3, "{label}: forecasts differ by {gap} of their scale");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 6 * 5 + 2);
}
