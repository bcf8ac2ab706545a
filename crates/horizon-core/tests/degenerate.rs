//! Every model on degenerate inputs: a constant series, all zeros, a single spike, three
//! points, a NaN inside, a season longer than the series. Each gives a clear error or a
//! forecast whose points and bounds are all finite — never a panic, never NaN.

use chrono::NaiveDate;
use horizon_core::data::{Frequency, Series};
use horizon_core::models::ModelSpec;

fn series(freq: Frequency, values: Vec<f64>) -> Series {
    let start = NaiveDate::from_ymd_opt(2022, 1, 3).unwrap();
    let dates = (0..values.len()).map(|k| freq.advance(start, k as i64)).collect();
    Series::new(vec!["s".into()], freq, dates, values)
}

fn cases() -> Vec<(&'static str, Series)> {
    let mut spike = vec![0.0; 60];
    spike[30] = 500.0;
    let mut nan = (0..48).map(|t| 10.0 + t as f64).collect::<Vec<_>>();
    nan[20] = f64::NAN;
    vec![
        ("constant", series(Frequency::Monthly, vec![42.0; 48])),
        ("all zeros", series(Frequency::Monthly, vec![0.0; 48])),
        ("daily zeros", series(Frequency::Daily, vec![0.0; 120])),
        ("single spike", series(Frequency::Monthly, spike)),
        ("three points", series(Frequency::Monthly, vec![3.0, 5.0, 4.0])),
        ("NaN inside", series(Frequency::Monthly, nan)),
        (
            "season longer than series",
            series(Frequency::Weekly, (0..30).map(|t| (t % 5) as f64).collect()),
        ),
    ]
}

#[test]
fn every_model_errs_clearly_or_forecasts_finite_values() {
    let mut specs = ModelSpec::all();
    specs.extend(ModelSpec::all().into_iter().map(ModelSpec::calibrated));
    specs.push("arima:52".parse().unwrap());
    specs.push("ets:52".parse().unwrap());
    for (case, s) in cases() {
        for spec in &specs {
            let outcome = spec.build().fit(&s).and_then(|f| f.predict(12, &[80.0, 95.0]));
            match outcome {
                Ok(fc) => {
                    assert_eq!(fc.point.len(), 12, "{spec} on {case}");
                    let all = fc
                        .point
                        .iter()
                        .chain(fc.intervals.iter().flat_map(|i| i.lower.iter().chain(&i.upper)));
                    for v in all {
                        assert!(v.is_finite(), "{spec} on {case}: non-finite output {fc:?}");
                    }
                    for iv in &fc.intervals {
                        for (l, u) in iv.lower.iter().zip(&iv.upper) {
                            assert!(l <= u, "{spec} on {case}: lower above upper");
                        }
                    }
                }
                Err(e) => {
                    let msg = e.to_string();
                    assert!(msg.len() > 10, "{spec} on {case}: unclear error '{msg}'");
                }
            }
        }
    }
}
