use super::train::{Prepared, training_rows};
use super::*;
use crate::data::calendar::Frequency;
use crate::data::features::Holidays;
use crate::data::generate::{RetailParams, retail};
use crate::models::FittedModel;

#[test]
fn drivers_are_held_at_their_usual_value() {
    // A promotion running on the last days is not assumed to last.
    let mut promo = vec![0.0; 60];
    promo[57..].fill(1.0);
    assert_eq!(usual_value(&promo, 56), 0.0);
    // A price cut long enough to be the rule now is.
    let mut price = vec![4.0; 20];
    price.extend(vec![3.5; 40]);
    assert_eq!(usual_value(&price, 56), 3.5);
    // Ties go to the newer value; an empty column is 0.
    assert_eq!(usual_value(&[1.0, 1.0, 2.0, 2.0], 56), 2.0);
    assert_eq!(usual_value(&[], 56), 0.0);
    // The window: monthly data looks at its last 3 months only.
    assert_eq!(
        usual_value(&[5.0, 5.0, 5.0, 4.0, 4.0, 6.0], usual_window(Frequency::Monthly)),
        4.0
    );
}

/// The rows built for training see only the past: perturbing a series after time t - gap
/// leaves the features of every row up to t unchanged (the leakage test of the whole
/// training path, for the recursive booster and the direct ones).
#[test]
fn training_rows_up_to_t_ignore_everything_after_t() {
    let panel = retail(&RetailParams {
        stores: 1,
        products: 2,
        days: 200,
        ..RetailParams::default()
    });
    let gbm = Gbm::default();
    let spec = gbm.spec_for(&panel.series).unwrap();
    let holidays = Holidays::new(spec.holidays, panel.series[0].dates[0], panel.series[0].dates[199]);
    let build = |series: &[Series], t: usize, gap: usize| {
        let prepared: Vec<Prepared> = series
            .iter()
            .map(|s| Prepared {
                series: s,
                scale: 1.0,
                scaled: s.values.clone(),
                ids: vec![],
            })
            .collect();
        training_rows(&spec, &prepared, &holidays, gap, |_| (1, t + 1)).0
    };
    let t = 120;
    for gap in [1, 7, 28] {
        let before = build(&panel.series, t, gap);
        assert_eq!(before.columns[0].len(), 2 * (t + 1 - gap));
        let mut changed = panel.series.clone();
        for s in &mut changed {
            for v in &mut s.values[t + 1 - gap..] {
                *v = *v * 7.0 + 1000.0;
            }
        }
        let after = build(&changed, t, gap);
        assert_eq!(format!("{before:?}"), format!("{after:?}"), "gap {gap}");
        // One value earlier does show.
        for s in &mut changed {
            s.values[t - gap] += 1000.0;
        }
        assert_ne!(
            format!("{before:?}"),
            format!("{:?}", build(&changed, t, gap)),
            "gap {gap}"
        );
    }
}

#[test]
fn a_global_model_forecasts_a_retail_panel_better_than_seasonal_naive() {
    a_panel_model_beats_seasonal_naive(Strategy::Recursive, Loss::Squared);
}

#[test]
fn a_direct_model_forecasts_a_retail_panel_better_than_seasonal_naive() {
    a_panel_model_beats_seasonal_naive(Strategy::Direct, Loss::Squared);
}

#[test]
fn a_median_model_forecasts_a_retail_panel_better_than_seasonal_naive() {
    a_panel_model_beats_seasonal_naive(Strategy::Recursive, Loss::Absolute);
}

#[test]
fn a_direct_median_model_forecasts_a_retail_panel_better_than_seasonal_naive() {
    a_panel_model_beats_seasonal_naive(Strategy::Direct, Loss::Absolute);
}

#[test]
fn a_poisson_model_forecasts_a_retail_panel_better_than_seasonal_naive() {
    a_panel_model_beats_seasonal_naive(Strategy::Recursive, Loss::Poisson);
}

#[test]
fn a_direct_tweedie_model_forecasts_a_retail_panel_better_than_seasonal_naive() {
    a_panel_model_beats_seasonal_naive(Strategy::Direct, Loss::Tweedie(Power::DEFAULT));
}

/// Slow movers (most days sell nothing): the count losses forecast a mean above zero with
/// bands that stay at zero or more, and their four weeks' totals are as large as the sales
/// were (the squared loss's symmetric bands reach below zero on the same data).
#[test]
fn the_count_models_forecast_slow_movers_at_zero_or_more() {
    let panel = retail(&RetailParams {
        stores: 2,
        products: 4,
        days: 500,
        demand: 0.03,
        ..RetailParams::default()
    });
    let zeros = panel
        .series
        .iter()
        .flat_map(|s| &s.values)
        .filter(|v| **v == 0.0)
        .count() as f64
        / (500 * panel.series.len()) as f64;
    assert!(zeros > 0.4, "{zeros}");
    let h = 28;
    let train: Vec<Series> = panel.series.iter().map(|s| s.head(s.len() - h)).collect();
    let actual: f64 = panel
        .series
        .iter()
        .map(|s| s.values[s.len() - h..].iter().sum::<f64>())
        .sum();
    for loss in [Loss::Poisson, Loss::Tweedie(Power::DEFAULT), Loss::Squared] {
        let gbm = Gbm::new(None, Strategy::Recursive, loss, None).for_panel(&panel);
        let fitted = gbm.fit_panel(&train).unwrap();
        let mut total = 0.0;
        let mut lowest = f64::INFINITY;
        for f in &fitted {
            let fc = f.predict(h, &[95.0]).unwrap();
            total += fc.point.iter().sum::<f64>();
            lowest = fc.intervals[0].lower.iter().copied().fold(lowest, f64::min);
            if loss.is_count() {
                assert!(fc.point.iter().all(|v| *v > 0.0), "{loss:?}");
            }
        }
        if loss.is_count() {
            assert_eq!(lowest, 0.0, "{loss:?}");
            assert!((total / actual - 1.0).abs() < 0.25, "{loss:?}: {total} vs {actual}");
            let description = fitted[0].description();
            let words = if loss == Loss::Poisson {
                "Poisson loss"
            } else {
                "Tweedie loss, variance power 1.5"
            };
            assert!(description.contains(words), "{description}");
        } else {
            assert!(lowest < 0.0, "{lowest}");
        }
    }
}

/// The count losses refuse negative sales, naming the value and its date.
#[test]
fn the_count_models_refuse_negative_sales() {
    let mut panel = retail(&RetailParams {
        stores: 1,
        products: 2,
        days: 200,
        ..RetailParams::default()
    });
    panel.series[1].values[50] = -3.0;
    let gbm = Gbm::new(None, Strategy::Recursive, Loss::Poisson, None);
    let e = gbm.fit_panel(&panel.series).unwrap_err().to_string();
    assert!(
        e.contains("gbm-poisson models sales of zero or more; the series has -3 on 2023-02-20"),
        "{e}"
    );
    // On a panel, the other series still fit.
    let results = gbm.clone().for_panel(&panel).fit_series(&panel.series, None);
    assert!(results[0].is_ok() && results[1].is_err());
    // Nothing sold at all: said in words, not as a booster setting.
    for s in &mut panel.series {
        s.values.iter_mut().for_each(|v| *v = 0.0);
    }
    let e = gbm.fit_panel(&panel.series).unwrap_err().to_string();
    assert!(
        e.contains("gbm-poisson learns from sales: no series sold anything"),
        "{e}"
    );
}

/// Sales are Poisson counts around a log-normal mean, skewed to the right: the median
/// model forecasts below the mean model and about half the actuals fall below its
/// forecasts.
#[test]
fn the_median_model_forecasts_the_middle_of_skewed_sales() {
    let panel = retail(&RetailParams {
        stores: 2,
        products: 3,
        days: 500,
        noise: 0.4,
        ..RetailParams::default()
    });
    let h = 28;
    let train: Vec<Series> = panel.series.iter().map(|s| s.head(s.len() - h)).collect();
    let total_and_below = |loss: Loss| {
        let gbm = Gbm {
            id_columns: panel.id_columns.clone(),
            exog_columns: panel.exog_columns.clone(),
            ..Gbm::new(None, Strategy::Recursive, loss, None)
        };
        let fitted = gbm.fit_panel(&train).unwrap();
        let (mut total, mut below) = (0.0, 0usize);
        for (s, f) in panel.series.iter().zip(&fitted) {
            let point = f.predict(h, &[]).unwrap().point;
            total += point.iter().sum::<f64>();
            below += s.values[s.len() - h..]
                .iter()
                .zip(&point)
                .filter(|(a, p)| a < p)
                .count();
        }
        (total, below as f64 / (h * panel.series.len()) as f64)
    };
    let (mean_total, mean_below) = total_and_below(Loss::Squared);
    let (median_total, median_below) = total_and_below(Loss::Absolute);
    assert!(median_total < mean_total, "median {median_total} vs mean {mean_total}");
    assert!((0.35..=0.65).contains(&median_below), "{median_below} below the median");
    assert!(median_below < mean_below, "{median_below} vs {mean_below}");
}

fn a_panel_model_beats_seasonal_naive(strategy: Strategy, loss: Loss) {
    let panel = retail(&RetailParams {
        stores: 2,
        products: 3,
        days: 500,
        ..RetailParams::default()
    });
    let h = 28;
    let train: Vec<Series> = panel.series.iter().map(|s| s.head(s.len() - h)).collect();
    let gbm = Gbm {
        id_columns: panel.id_columns.clone(),
        exog_columns: panel.exog_columns.clone(),
        ..Gbm::new(None, strategy, loss, None)
    };
    let fitted = gbm.fit_panel(&train).unwrap();
    let gaps: Vec<usize> = fitted[0].boosters.iter().map(|b| b.gap).collect();
    assert_eq!(gaps, strategy.gaps(Frequency::Daily));
    let (mut err_gbm, mut err_snaive) = (0.0, 0.0);
    let mut covered = 0;
    for (s, f) in panel.series.iter().zip(&fitted) {
        let fc = f.predict(h, &[95.0]).unwrap();
        let actual = &s.values[s.len() - h..];
        let last_week = &s.values[s.len() - h - 7..s.len() - h];
        for (i, a) in actual.iter().enumerate() {
            err_gbm += (fc.point[i] - a).abs();
            err_snaive += (last_week[i % 7] - a).abs();
            let iv = &fc.intervals[0];
            covered += usize::from(iv.lower[i] <= *a && *a <= iv.upper[i]);
        }
    }
    assert!(
        err_gbm < 0.9 * err_snaive,
        "gbm {err_gbm} vs seasonal naive {err_snaive}"
    );
    let coverage = covered as f64 / (h * panel.series.len()) as f64;
    assert!((0.8..=1.0).contains(&coverage), "coverage {coverage}");
    // One booster serves the panel and survives serialisation.
    let state = serde_json::to_string(&fitted[0].to_state()).unwrap();
    let back: FittedModel = serde_json::from_str(&state).unwrap();
    assert_eq!(
        back.predict(h, &[95.0]).unwrap(),
        fitted[0].predict(h, &[95.0]).unwrap()
    );
    let description = fitted[0].description();
    assert!(description.contains("of 6 series"), "{description}");
    assert_eq!(
        description.contains("direct: one model per block of steps, forecasting 7, 14, 21, 28 steps"),
        strategy == Strategy::Direct,
        "{description}"
    );
    assert_eq!(
        description.contains("of the median (absolute error)"),
        loss == Loss::Absolute,
        "{description}"
    );
    // Longer than a block: the later blocks go on from the earlier blocks' forecasts.
    let long = fitted[0].predict(3 * h, &[95.0]).unwrap();
    assert_eq!(long.point[..h], fitted[0].predict(h, &[95.0]).unwrap().point[..]);
    assert!(long.point.iter().all(|v| v.is_finite()));
}

/// Artifacts made before the direct strategy stored one booster as `booster`: they load as
/// the recursive model they are, forecasting the same.
#[test]
fn a_model_stored_with_one_booster_loads_as_the_recursive_model() {
    let panel = retail(&RetailParams {
        stores: 1,
        products: 2,
        days: 200,
        ..RetailParams::default()
    });
    let fitted = Gbm::default().fit_panel(&panel.series).unwrap();
    let mut json = serde_json::to_value(&fitted[0]).unwrap();
    let object = json.as_object_mut().unwrap();
    let boosters = object.remove("boosters").unwrap();
    object.insert("booster".into(), boosters[0]["booster"].clone());
    let old: FittedGbm = serde_json::from_value(json).unwrap();
    assert_eq!(old, fitted[0]);
    assert_eq!(
        old.predict(14, &[95.0]).unwrap(),
        fitted[0].predict(14, &[95.0]).unwrap()
    );
}
