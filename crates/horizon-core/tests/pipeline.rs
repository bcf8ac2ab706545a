//! The training pipeline (backtest the candidates, keep the best, fit it everywhere) and
//! forecasting with what it trained through the one panel call: the stored model where the
//! history is its training data, the same model refitted (a global one on the whole panel)
//! where it is not.

use horizon_core::Panel;
use horizon_core::artifact::Artifact;
use horizon_core::data::IngestOptions;
use horizon_core::data::generate::{RetailParams, retail};
use horizon_core::export::SeriesForecast;
use horizon_core::forecast::{ForecastOptions, ModelSource, SeriesFailure, Source, fit_predict, forecast};
use horizon_core::models::{FittedModel, ModelSpec};
use horizon_core::pipeline::{Metric, TrainConfig, metric_prefix, score, train, train_within};

fn panel() -> Panel {
    retail(&RetailParams {
        stores: 1,
        products: 3,
        days: 200,
        ..Default::default()
    })
}

fn cfg() -> TrainConfig {
    TrainConfig {
        candidates: vec![
            "naive".parse().unwrap(),
            "seasonal-naive".parse().unwrap(),
            "mean".parse().unwrap(),
        ],
        horizon: 14,
        levels: vec![95.0],
        folds: 2,
        season: None,
        metric: Metric::Rmse,
    }
}

/// Each series' forecast and how it was made, and the failures.
fn with_artifact(art: &Artifact, p: &Panel) -> (Vec<(SeriesForecast, Source)>, Vec<SeriesFailure>) {
    let out = forecast(p, ModelSource::Artifact(art), &ForecastOptions::new(14, &[95.0])).unwrap();
    let ok = out.forecasts.into_iter().map(|d| (d.forecast, d.source)).collect();
    (ok, out.failures)
}

/// How many fits a forecast with `art` starts on `p` (as its progress hook counts them).
fn fits_started(art: &Artifact, p: &Panel) -> usize {
    let started = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = started.clone();
    let options = ForecastOptions {
        progress: Some(std::sync::Arc::new(move |done: usize, _| {
            if done == 0 {
                seen.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            true
        })),
        ..ForecastOptions::new(14, &[95.0])
    };
    forecast(p, ModelSource::Artifact(art), &options).unwrap();
    started.load(std::sync::atomic::Ordering::Relaxed)
}

fn with_spec(spec: &ModelSpec, p: &Panel) -> Vec<SeriesForecast> {
    forecast(p, ModelSource::spec(spec), &ForecastOptions::new(14, &[95.0]))
        .unwrap()
        .series_forecasts()
}

#[test]
fn training_keeps_the_best_candidate_and_its_scores() {
    let p = panel();
    let t = train(&p, "retail.csv", &IngestOptions::default(), &cfg(), "now".into()).unwrap();
    let best = t.backtest.summary.iter().map(|s| s.rmse).fold(f64::INFINITY, f64::min);
    assert_eq!(t.score, best);
    assert_eq!(t.artifact.metrics["rmse"], best);
    assert_eq!(t.artifact.series.len(), 3);
    let chosen = t.backtest.summary.iter().find(|s| s.rmse == best).unwrap();
    assert_eq!(t.artifact.spec.name(), chosen.model);
    for other in t.backtest.summary.iter().filter(|s| s.model != chosen.model) {
        assert_eq!(t.artifact.metrics[&format!("{}.rmse", other.model)], other.rmse);
    }
    assert_eq!(TrainConfig::of_artifact(&t.artifact).folds, 2);
    assert_eq!(metric_prefix(&"ets+conformal".parse().unwrap()), "ets_conformal.");
    assert_eq!(metric_prefix(&"ensemble:ets/gbm".parse().unwrap()), "ensemble_ets_gbm.");
    // The chosen model scores the same on the same hold-out.
    assert_eq!(score(&p, &t.artifact.spec, &cfg()).unwrap(), t.score);
}

#[test]
fn a_budget_stops_the_search_after_the_candidates_it_allows() {
    let p = panel();
    let mut allowed = 1;
    let t = train_within(&p, "r", &IngestOptions::default(), &cfg(), "now".into(), &mut || {
        allowed -= 1;
        allowed >= 0
    })
    .unwrap();
    assert_eq!(t.backtest.summary.len(), 2, "the first candidate and one more");
    assert_eq!(t.not_tried, vec!["mean".to_string()]);
    assert!(!t.artifact.metrics.contains_key("mean.rmse"));
    // Even a budget of nothing tries the first candidate.
    let t = train_within(&p, "r", &IngestOptions::default(), &cfg(), "now".into(), &mut || false).unwrap();
    assert_eq!(t.artifact.spec.name(), "naive");
    assert_eq!(t.not_tried.len(), 2);
}

#[test]
fn forecasting_with_an_artifact_reproduces_the_stored_model_or_refits() {
    let p = panel();
    let mut c = cfg();
    c.candidates = vec!["ets".parse().unwrap()];
    let t = train(&p, "retail.csv", &IngestOptions::default(), &c, "now".into()).unwrap();
    let art = Artifact::from_bytes(&t.artifact.to_bytes().unwrap(), "a").unwrap();
    let (fc, failed) = with_artifact(&art, &p);
    assert!(failed.is_empty());
    for ((f, src), s) in fc.iter().zip(&p.series) {
        assert_eq!(*src, Source::Stored);
        let direct = fit_predict(s, &art.spec, 14, &[95.0]).unwrap().0;
        assert_eq!(f.forecast, direct, "the stored model forecasts exactly as a fresh fit");
    }
    let mut newer = p.clone();
    newer.series[0].values[5] += 3.0;
    let (fc, _) = with_artifact(&art, &newer);
    assert_eq!(fc[0].1, Source::Refitted);
    assert_eq!(fc[1].1, Source::Stored);
}

/// A trained GBM is the global model: one booster learnt from every series, stored with
/// each series' share, and its artifact forecasts exactly as the panel's own forecast.
#[test]
fn a_trained_gbm_is_one_model_of_the_whole_panel() {
    let p = panel();
    let mut c = cfg();
    c.candidates = vec!["gbm".parse().unwrap()];
    let t = train(&p, "retail.csv", &IngestOptions::default(), &c, "now".into()).unwrap();
    let art = Artifact::from_bytes(&t.artifact.to_bytes().unwrap(), "a").unwrap();
    for m in &art.series {
        let FittedModel::Gbm(g) = &m.fitted else {
            panic!("a GBM share, got {:?}", m.fitted);
        };
        assert_eq!(g.panel_size, 3);
    }
    let (fc, failed) = with_artifact(&art, &p);
    assert!(failed.is_empty());
    let direct = with_spec(&art.spec, &p);
    for ((f, src), d) in fc.iter().zip(&direct) {
        assert_eq!(*src, Source::Stored);
        assert_eq!(f.forecast, d.forecast);
    }
    // Nothing changed: the booster is not trained again (no fit is even started).
    assert_eq!(fits_started(&art, &p), 0);
    // A changed series is refitted with the whole panel, as the GBM was trained — not
    // alone; the others keep their stored shares.
    let mut changed = p.clone();
    let last = changed.series[0].values.len() - 1;
    changed.series[0].values[last] += 25.0;
    let (fc, failed) = with_artifact(&art, &changed);
    assert!(failed.is_empty());
    let direct = with_spec(&art.spec, &changed);
    let alone = fit_predict(&changed.series[0], &art.spec, 14, &[95.0]).unwrap();
    assert_eq!(fc[0].1, Source::Refitted);
    assert_eq!(fc[0].0.forecast, direct[0].forecast);
    assert_ne!(fc[0].0.forecast.point, alone.0.point, "not a panel of one");
    assert_eq!((fc[1].1, fc[2].1), (Source::Stored, Source::Stored));
    assert_eq!(fits_started(&art, &changed), 1, "one fit of the whole panel");
}

/// A served model answers from its stored fits alone, without the history: the same numbers,
/// dates and description as forecasting its training data, for a local and a global model;
/// a series it was not trained on is a failure with its reason.
#[test]
fn stored_forecasts_without_the_history_equal_those_with_it() {
    use horizon_core::forecast::stored_forecast;
    let p = panel();
    for model in ["ets", "gbm"] {
        let mut c = cfg();
        c.candidates = vec![model.parse().unwrap()];
        let t = train(&p, "retail.csv", &IngestOptions::default(), &c, "now".into()).unwrap();
        let art = Artifact::from_bytes(&t.artifact.to_bytes().unwrap(), "a").unwrap();
        let opts = ForecastOptions::new(9, &[80.0, 95.0]);
        let with = forecast(&p, ModelSource::Artifact(&art), &opts).unwrap();
        let mut keys: Vec<Vec<String>> = p.series.iter().rev().map(|s| s.key.clone()).collect();
        keys.push(vec!["nowhere".into(), "nothing".into()]);
        let without = stored_forecast(&art, &keys, &opts).unwrap();
        assert_eq!(without.forecasts.len(), 3, "{model}");
        for (a, b) in without.forecasts.iter().zip(with.forecasts.iter().rev()) {
            assert_eq!(a.forecast, b.forecast, "{model}");
            assert_eq!(a.description, b.description);
            assert_eq!(a.source, Source::Stored);
        }
        assert_eq!(without.failures.len(), 1);
        assert!(
            without.failures[0].error.to_string().contains("not trained on"),
            "{:?}",
            without.failures
        );
    }
}
