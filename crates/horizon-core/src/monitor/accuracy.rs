//! Forecast accuracy against actuals: the forecasts a model version made (the forecast log)
//! joined with the sales that arrived since, per series and per step of the horizon, in the
//! benchmark's terms (MASE scaled by the seasonal naive error of the training data's last year, bias, interval
//! coverage) so they compare with what the model's backtest promised.

use super::log::ForecastLog;
use crate::data::{Panel, key_label};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Share of actuals inside one level's interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    pub level: f64,
    /// Fraction in [0, 1].
    pub observed: f64,
    pub n: usize,
}

/// Accuracy of a set of (forecast, actual) pairs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    pub pairs: usize,
    /// Mean absolute error over the series' training scale (seasonal naive MAE).
    pub mase: f64,
    /// (Σ forecast − Σ actual) / Σ actual: +0.1 is forecasts 10 % too high (none when the
    /// actuals sum to zero).
    pub bias: Option<f64>,
    pub coverage: Vec<Coverage>,
}

/// One step of the horizon over every series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepScores {
    pub step: usize,
    #[serde(flatten)]
    pub scores: Scores,
}

/// The join of the log with the actuals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Accuracy {
    /// Forecasts (log files) of the judged version that were used.
    pub forecasts: usize,
    /// Forecast days whose actual is not due yet (after the data's last day).
    pub pending: usize,
    /// Forecast days due (other series have them) whose actual has not arrived.
    pub late: usize,
    /// Forecast days before the data's first day (the file holds only later days).
    pub before: usize,
    /// The whole panel: the mean of the series' MASE, bias and coverage over every pair.
    pub overall: Option<Scores>,
    /// The same over the forecasts whose every day has its actual: what verdicts compare with
    /// the backtest's promise (made over whole horizons, so early steps alone would flatter).
    pub complete: Option<Scores>,
    pub by_step: Vec<StepScores>,
    /// Per series (by label).
    pub series: BTreeMap<String, Scores>,
    /// What the join met, in words (repeated forecasts, missing actuals, other versions).
    pub messages: Vec<String>,
}

/// One joined pair.
struct Pair {
    /// Which logged series forecast it (index over the run), for whole-horizon checks.
    forecast: usize,
    series: String,
    step: usize,
    forecast_value: f64,
    actual: f64,
    scale: f64,
    inside: Vec<(f64, bool)>,
}

/// Join the forecasts `version` logged with the actuals of `panel`; `scale` gives a series'
/// MASE denominator (its training data's seasonal naive MAE), `None` for an unknown series.
pub fn accuracy(
    logs: &[ForecastLog],
    version: u64,
    panel: &Panel,
    scale: impl Fn(&[String]) -> Option<f64>,
) -> Accuracy {
    let mut messages = Vec::new();
    let other = logs.iter().filter(|l| l.version != version).count();
    if other > 0 {
        messages.push(format!(
            "{other} forecast(s) made by other versions of the model are not judged here"
        ));
    }
    // The same file twice (a copy) counts once.
    let mut seen = HashSet::new();
    let mut mine: Vec<&ForecastLog> = logs
        .iter()
        .filter(|l| l.version == version && seen.insert(l.id()))
        .collect();
    let copies = logs.iter().filter(|l| l.version == version).count() - mine.len();
    if copies > 0 {
        messages.push(format!("{copies} forecast log(s) were copies of another; counted once"));
    }
    // The same series forecast from the same last day more than once: the latest counts.
    mine.sort_by(|a, b| b.made_at.cmp(&a.made_at));
    let mut origins = HashSet::new();
    let mut repeated = 0;
    let last_day = panel.series.iter().filter_map(|s| s.dates.last()).max().copied();
    let index: HashMap<&[String], usize> = panel
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| (s.key.as_slice(), i))
        .collect();
    let (mut pending, mut late, mut before) = (0, 0, 0);
    let mut whole = Vec::new();
    let mut no_actuals: BTreeMap<String, usize> = BTreeMap::new();
    let mut no_scale: BTreeMap<String, usize> = BTreeMap::new();
    let mut pairs = Vec::new();
    let mut used = 0;
    for log in &mine {
        let mut any = false;
        for f in &log.forecasts {
            let Some(first) = f.dates.first() else { continue };
            if !origins.insert((f.key.clone(), *first)) {
                repeated += 1;
                continue;
            }
            any = true;
            let label = key_label(&f.key);
            let Some(s) = index.get(f.key.as_slice()).map(|i| &panel.series[*i]) else {
                *no_actuals.entry(label).or_default() += 1;
                continue;
            };
            let Some(scale) = scale(&f.key).filter(|v| *v > 0.0 && v.is_finite()) else {
                *no_scale.entry(label).or_default() += 1;
                continue;
            };
            let id = whole.len();
            let mut all_in = true;
            for (k, d) in f.dates.iter().enumerate() {
                match s.dates.binary_search(d) {
                    Ok(i) => pairs.push(Pair {
                        forecast: id,
                        series: label.clone(),
                        step: k + 1,
                        forecast_value: f.forecast.point[k],
                        actual: s.values[i],
                        scale,
                        inside: f
                            .forecast
                            .intervals
                            .iter()
                            .map(|iv| (iv.level, iv.lower[k] <= s.values[i] && s.values[i] <= iv.upper[k]))
                            .collect(),
                    }),
                    Err(_) => {
                        all_in = false;
                        if last_day.is_some_and(|l| *d > l) {
                            pending += 1;
                        } else if s.dates.first().is_some_and(|first| d < first) {
                            before += 1;
                        } else {
                            late += 1;
                        }
                    }
                }
            }
            whole.push(all_in);
        }
        used += usize::from(any);
    }
    if repeated > 0 {
        messages.push(format!(
            "{repeated} series forecast more than once from the same last day: the latest forecast counts"
        ));
    }
    if !no_actuals.is_empty() {
        let names: Vec<&str> = no_actuals.keys().map(String::as_str).take(5).collect();
        messages.push(format!(
            "{} logged series have no actuals in the data (not in the file): {}{}",
            no_actuals.len(),
            names.join(", "),
            if no_actuals.len() > 5 { ", …" } else { "" }
        ));
    }
    if !no_scale.is_empty() {
        let names: Vec<&str> = no_scale.keys().map(String::as_str).take(5).collect();
        messages.push(format!(
            "{} logged series have no error scale (unknown to the model, or training data that never changed): not judged: {}{}",
            no_scale.len(),
            names.join(", "),
            if no_scale.len() > 5 { ", …" } else { "" }
        ));
    }
    if late > 0 {
        messages.push(format!(
            "{late} forecast day(s) are due but their sales have not arrived (late or missing actuals)"
        ));
    }
    if pending > 0 {
        messages.push(format!("{pending} forecast day(s) are not due yet"));
    }
    if before > 0 {
        messages.push(format!(
            "{before} forecast day(s) fall before the data's first day: not judged"
        ));
    }
    let mut by_series: BTreeMap<String, Vec<&Pair>> = BTreeMap::new();
    let mut by_step: BTreeMap<usize, Vec<&Pair>> = BTreeMap::new();
    for p in &pairs {
        by_series.entry(p.series.clone()).or_default().push(p);
        by_step.entry(p.step).or_default().push(p);
    }
    let series: BTreeMap<String, Scores> = by_series.into_iter().map(|(k, v)| (k, scores(&v))).collect();
    let panel_scores = |pairs: Vec<&Pair>| -> Option<Scores> {
        if pairs.is_empty() {
            return None;
        }
        let mut per_series: BTreeMap<&str, Vec<&Pair>> = BTreeMap::new();
        for p in &pairs {
            per_series.entry(p.series.as_str()).or_default().push(p);
        }
        // The benchmark's mean over series of each series' MASE.
        let mase = per_series.values().map(|v| scores(v).mase).sum::<f64>() / per_series.len() as f64;
        Some(Scores { mase, ..scores(&pairs) })
    };
    let overall = panel_scores(pairs.iter().collect());
    let complete = panel_scores(pairs.iter().filter(|p| whole[p.forecast]).collect());
    Accuracy {
        forecasts: used,
        pending,
        late,
        before,
        overall,
        complete,
        by_step: by_step
            .into_iter()
            .map(|(step, v)| StepScores {
                step,
                scores: scores(&v),
            })
            .collect(),
        series,
        messages,
    }
}

fn scores(pairs: &[&Pair]) -> Scores {
    let n = pairs.len();
    let mase = pairs
        .iter()
        .map(|p| (p.forecast_value - p.actual).abs() / p.scale)
        .sum::<f64>()
        / n.max(1) as f64;
    let (sf, sa): (f64, f64) = pairs
        .iter()
        .fold((0.0, 0.0), |(f, a), p| (f + p.forecast_value, a + p.actual));
    let bias = (sa.abs() > 0.0).then(|| (sf - sa) / sa);
    let mut levels: BTreeMap<u64, (f64, usize, usize)> = BTreeMap::new();
    for p in pairs {
        for (level, inside) in &p.inside {
            let e = levels.entry(level.to_bits()).or_insert((*level, 0, 0));
            e.1 += usize::from(*inside);
            e.2 += 1;
        }
    }
    let mut coverage: Vec<Coverage> = levels
        .into_values()
        .map(|(level, k, n)| Coverage {
            level,
            observed: k as f64 / n as f64,
            n,
        })
        .collect();
    coverage.sort_by(|a, b| a.level.total_cmp(&b.level));
    Scores {
        pairs: n,
        mase,
        bias,
        coverage,
    }
}
