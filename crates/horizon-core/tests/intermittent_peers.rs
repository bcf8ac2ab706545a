//! The intermittent-demand methods against statsforecast 2.1.1 (`peers/intermittent.json`,
//! made by `peers/make_intermittent_expected.py`): CrostonClassic, CrostonSBA,
//! CrostonOptimized, TSB (two settings), ADIDA and IMAPA on seven series — sparse counts,
//! lumpy demand, a smooth series, a short one, one fading to zeros, a single sale, a year of
//! daily sales — to 1e-9.

use horizon_core::data::{Frequency, Series};
use horizon_core::forecast::fit_predict;
use horizon_core::models::ModelSpec;
use serde_json::Value;

#[test]
fn forecasts_equal_statsforecast() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers/intermittent.json")).unwrap();
    let cases: Value = serde_json::from_str(&text).unwrap();
    let mut checked = 0;
    for case in cases.as_array().unwrap() {
        let y: Vec<f64> = case["y"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        let start = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        let s = Series::starting(Frequency::Daily, start, y);
        for (model, want) in case["expected"].as_object().unwrap() {
            let spec: ModelSpec = model.parse().unwrap();
            let (f, _) = fit_predict(&s, &spec, 5, &[95.0]).unwrap();
            let want = want.as_f64().unwrap();
            for got in &f.point {
                assert!(
                    (got - want).abs() <= 1e-9 * want.abs().max(1.0),
                    "{} {model}: {got} vs statsforecast {want}",
                    case["name"]
                );
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 7 * 7);
}
