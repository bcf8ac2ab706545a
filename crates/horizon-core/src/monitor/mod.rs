//! Monitoring a registered model: does new data still look like what it was trained on, and
//! are its forecasts as good as its backtest promised? Per series and for the whole panel, a
//! verdict — ok, watch, retrain — with the reasons in words.
//!
//! * [`drift`]: each series' new values against the reference window kept in the artifact,
//!   with the tests of [`stattest`]; which count is decided over the whole run (Benjamini &
//!   Bogomolov's two stages: series selected by Benjamini–Hochberg, tests within them).
//! * [`accuracy`]: the forecasts the model logged ([`log`]) joined with the actuals since.
//! * [`html`]: the report for people; [`MonitorReport`] serialises as the one for machines.
//!
//! The verdict rules (also in docs/monitor.md):
//! * retrain — a material change found by a significant test (level ≥ 10 %, spread ×1.5,
//!   a season position ≥ 15 %, zeros ≥ 10 points, a trend ≥ 10 % over the window, a distribution
//!   a reference sd away), the data's frequency changed, or the panel's forecast error on the
//!   actuals 1.5× (or more) what the backtest promised;
//! * watch — a significant but small change, a series that is new, has no new data, fewer new
//!   values than the checks need or a history that differs from the training data, a series'
//!   error twice the promise, coverage clearly below its level, a panel error 1.2× the promise;
//! * ok — none of these.

pub mod accuracy;
pub mod drift;
pub mod html;
pub mod log;
pub mod scenario;
pub mod stattest;

use crate::artifact::{Artifact, SeriesSummary};
use crate::data::{Frequency, Panel, Series, key_label};
use crate::eval::metrics::seasonal_scale;
use accuracy::{Accuracy, Scores, accuracy};
use chrono::NaiveDate;
use drift::{Current, SeriesDrift, drift};
use log::ForecastLog;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The outcome of a check, worst last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Ok,
    Watch,
    Retrain,
}

impl Verdict {
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Watch => "watch",
            Verdict::Retrain => "retrain",
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.word())
    }
}

/// How to check.
#[derive(Debug, Clone, PartialEq)]
pub struct MonitorOptions {
    /// False discovery rate over every drift test of the run.
    pub fdr: f64,
    /// Check only the last this many periods of the new data (default: all since training).
    pub window: Option<usize>,
}

impl Default for MonitorOptions {
    fn default() -> Self {
        MonitorOptions {
            fdr: 0.05,
            window: None,
        }
    }
}

/// One series' checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeriesCheck {
    pub key: Vec<String>,
    pub label: String,
    pub verdict: Verdict,
    pub reasons: Vec<String>,
    /// The new values checked (after the training data).
    pub new_values: usize,
    pub first_new: Option<NaiveDate>,
    pub last: Option<NaiveDate>,
    pub drift: Option<SeriesDrift>,
    pub accuracy: Option<Scores>,
}

/// Number of series per verdict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub ok: usize,
    pub watch: usize,
    pub retrain: usize,
}

/// What the backtest promised (the artifact's metrics).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Promised {
    pub mase: Option<f64>,
    /// Fraction of actuals inside the 95 % intervals.
    pub coverage95: Option<f64>,
}

/// The monitor's answer: JSON for machines (serde), [`html::html`] for people.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonitorReport {
    pub model: String,
    pub version: u64,
    pub checked_at: String,
    pub data: String,
    pub freq: Frequency,
    /// The last day of the training data.
    pub trained_until: Option<NaiveDate>,
    pub verdict: Verdict,
    pub reasons: Vec<String>,
    pub counts: Counts,
    pub fdr: f64,
    /// Drift tests run, and how many are discoveries.
    pub tests: usize,
    pub discoveries: usize,
    pub promised: Promised,
    pub accuracy: Option<Accuracy>,
    pub series: Vec<SeriesCheck>,
    pub notes: Vec<String>,
}

/// What to check: the registered model (its artifact, name and version), the new data, the
/// forecasts it logged, and when.
pub struct Inputs<'a> {
    pub artifact: &'a Artifact,
    pub model: &'a str,
    pub version: u64,
    pub panel: &'a Panel,
    /// The data's name (file) for the report.
    pub data: &'a str,
    pub logs: &'a [ForecastLog],
    /// RFC 3339.
    pub checked_at: String,
}

/// Check `inputs`.
pub fn monitor(inputs: &Inputs<'_>, options: &MonitorOptions) -> MonitorReport {
    let art = inputs.artifact;
    let freq = art.training.freq;
    let season = art.season.unwrap_or_else(|| freq.default_season());
    let promised = Promised {
        mase: art.metrics.get("mase").copied().filter(|v| v.is_finite()),
        coverage95: art.metrics.get("coverage95").copied().filter(|v| v.is_finite()),
    };
    let mut report = MonitorReport {
        model: inputs.model.to_string(),
        version: inputs.version,
        checked_at: inputs.checked_at.clone(),
        data: inputs.data.to_string(),
        freq: inputs.panel.freq,
        trained_until: art.training.series.iter().map(|s| s.end).max(),
        verdict: Verdict::Ok,
        reasons: Vec::new(),
        counts: Counts::default(),
        fdr: options.fdr,
        tests: 0,
        discoveries: 0,
        promised,
        accuracy: None,
        series: Vec::new(),
        notes: Vec::new(),
    };
    if inputs.panel.freq != freq {
        report.verdict = Verdict::Retrain;
        report.reasons.push(format!(
            "The calendar changed: the data is {} but the model was trained on {} data; its \
             forecasts do not apply.",
            inputs.panel.freq, freq
        ));
        return report;
    }
    let trained: HashMap<&[String], &SeriesSummary> =
        art.training.series.iter().map(|s| (s.key.as_slice(), s)).collect();
    let mut checks: Vec<SeriesCheck> = inputs
        .panel
        .series
        .par_iter()
        .map(|s| check_series(s, trained.get(s.key.as_slice()).copied(), season, options))
        .collect();
    for t in &art.training.series {
        if inputs.panel.find(&t.key).is_none() {
            checks.push(SeriesCheck {
                key: t.key.clone(),
                label: key_label(&t.key),
                verdict: Verdict::Watch,
                reasons: vec!["No sales of this series in the data: it was trained on but is gone.".into()],
                new_values: 0,
                first_new: None,
                last: None,
                drift: None,
                accuracy: None,
            });
        }
    }
    significance(&mut checks, options.fdr, &mut report);
    for c in &mut checks {
        drift_reasons(c);
    }
    // Forecast accuracy against the actuals.
    // MASE's scale: the seasonal naive error of the training data's last year (of the data's
    // own history up to the training end for artifacts that keep no reference).
    let scales: HashMap<&[String], Option<f64>> = art
        .training
        .series
        .iter()
        .map(|t| {
            let history: Vec<f64> = if t.recent.is_empty() {
                inputs.panel.find(&t.key).map_or_else(Vec::new, |i| {
                    let s = &inputs.panel.series[i];
                    s.values[..s.dates.partition_point(|d| *d <= t.end)].to_vec()
                })
            } else {
                t.recent.clone()
            };
            let scale = seasonal_scale(&history, season);
            (t.key.as_slice(), (scale.is_finite() && scale > 0.0).then_some(scale))
        })
        .collect();
    let logs: Vec<ForecastLog> = inputs
        .logs
        .iter()
        .filter(|l| l.model == inputs.model)
        .cloned()
        .collect();
    if !logs.is_empty() {
        let acc = accuracy(&logs, inputs.version, inputs.panel, |k| {
            scales.get(k).copied().flatten()
        });
        accuracy_reasons(&acc, &mut checks, promised, season, &mut report);
        report.accuracy = Some(acc);
    } else {
        report.notes.push(format!(
            "No forecasts of {} were logged, so accuracy against actuals is not judged (log them \
             with --forecast-log).",
            inputs.model
        ));
    }
    for c in &checks {
        match c.verdict {
            Verdict::Ok => report.counts.ok += 1,
            Verdict::Watch => report.counts.watch += 1,
            Verdict::Retrain => report.counts.retrain += 1,
        }
    }
    summarise(&checks, &mut report);
    checks.sort_by(|a, b| b.verdict.cmp(&a.verdict).then_with(|| a.label.cmp(&b.label)));
    report.series = checks;
    report
}

/// The drift checks of one series of the new data.
fn check_series(s: &Series, trained: Option<&SeriesSummary>, season: usize, options: &MonitorOptions) -> SeriesCheck {
    let mut check = SeriesCheck {
        key: s.key.clone(),
        label: s.label(),
        verdict: Verdict::Ok,
        reasons: Vec::new(),
        new_values: 0,
        first_new: None,
        last: s.dates.last().copied(),
        drift: None,
        accuracy: None,
    };
    let Some(t) = trained else {
        check.verdict = Verdict::Watch;
        check
            .reasons
            .push("A new series, not in the training data: the model refits it untested.".into());
        return check;
    };
    let split = s.dates.partition_point(|d| *d <= t.end);
    if let Some(reason) = rewritten(s, split, t) {
        check.verdict = Verdict::Watch;
        check.reasons.push(reason);
    }
    let reference: &[f64] = if t.recent.is_empty() {
        &s.values[..split]
    } else {
        &t.recent
    };
    let mut from = split;
    if let Some(w) = options.window {
        from = from.max(s.len().saturating_sub(w));
    }
    let (dates, values) = (&s.dates[from..], &s.values[from..]);
    check.new_values = values.len();
    check.first_new = dates.first().copied();
    let Some(first) = dates.first() else {
        check.verdict = Verdict::Watch;
        check.reasons.push(format!(
            "No sales after the training data (it ends {}): nothing new to check.",
            t.end
        ));
        return check;
    };
    let gap = s.freq.period_index(*first, t.end).index.max(1) as usize;
    // The first new period after the training (not the window's start): a late extract is no
    // error, but every expectation is projected across the periods it lacks.
    let missing = s.freq.period_index(s.dates[split], t.end).index - 1;
    if missing > 0 {
        check.reasons.push(format!(
            "{missing} {}(s) without data between the training data's end ({}) and the new data ({}): what the \
             drift tests expect is projected across them.",
            s.freq.unit(),
            t.end,
            s.dates[split]
        ));
    }
    match drift(reference, &Current { dates, values, gap }, s.freq, season) {
        Ok(d) => check.drift = Some(d),
        Err(why) => {
            check.verdict = Verdict::Watch;
            check.reasons.push(format!("Not checked for drift: {why}."));
        }
    }
    check
}

/// Whether the data's days of the training window differ from the training data kept in the
/// artifact: "the history up to … differs on N days".
fn rewritten(s: &Series, split: usize, t: &SeriesSummary) -> Option<String> {
    if t.recent.is_empty() {
        return None;
    }
    let mut differ = 0;
    let mut first = None;
    for (d, v) in s.dates[..split].iter().zip(&s.values[..split]) {
        let back = -s.freq.period_index(*d, t.end).index;
        let Some(i) = usize::try_from(back)
            .ok()
            .and_then(|b| t.recent.len().checked_sub(1 + b))
        else {
            continue;
        };
        let was = t.recent[i];
        if (was - v).abs() > 1e-9 * was.abs().max(1.0) {
            differ += 1;
            first.get_or_insert((*d, was, *v));
        }
    }
    first.map(|(d, was, now)| {
        format!(
            "The history differs from the training data on {differ} {}(s) (first {d}: {} then, {} now): \
             sales were corrected or re-read since training.",
            s.freq.unit(),
            crate::headline::people(was),
            crate::headline::people(now)
        )
    })
}

/// Which drift tests are discoveries, in two stages (Benjamini & Bogomolov 2014, selective
/// inference on families of hypotheses): each series is a family with the Simes p-value
/// min k · p(i) / i of its k tests; Benjamini–Hochberg at `fdr` over the series selects the
/// changed ones (R of M); within a selected series, Benjamini–Hochberg at fdr · R / M decides
/// which tests count. The share of
/// flagged series that did not change is kept under `fdr`, and so is an unchanged series'
/// chance of being flagged, however many of the others changed.
fn significance(checks: &mut [SeriesCheck], fdr: f64, report: &mut MonitorReport) {
    let families: Vec<(usize, f64)> = checks
        .iter()
        .filter_map(|c| c.drift.as_ref())
        .map(|d| {
            let mut p: Vec<f64> = d.tests.iter().map(|t| t.p_value).collect();
            p.sort_by(f64::total_cmp);
            let k = p.len().max(1);
            // Simes: min over i of k · p(i) / i.
            let simes = p
                .iter()
                .enumerate()
                .map(|(i, v)| k as f64 * v / (i + 1) as f64)
                .fold(1.0_f64, f64::min);
            (k, simes)
        })
        .collect();
    let family_p: Vec<f64> = families.iter().map(|f| f.1).collect();
    let selected = stattest::benjamini_hochberg(&family_p, fdr);
    let r = selected.iter().filter(|s| **s).count();
    let level = fdr * r as f64 / families.len().max(1) as f64;
    let mut tests = 0;
    let mut discoveries = 0;
    for (f, d) in checks.iter_mut().filter_map(|c| c.drift.as_mut()).enumerate() {
        let within: Vec<f64> = d.tests.iter().map(|t| t.p_value).collect();
        let found = stattest::benjamini_hochberg(&within, level);
        for (t, found) in d.tests.iter_mut().zip(found) {
            t.significant = selected[f] && found;
            tests += 1;
            discoveries += usize::from(t.significant);
        }
    }
    report.tests = tests;
    report.discoveries = discoveries;
}

/// A p-value for people.
fn p_text(p: f64) -> String {
    if p < 0.001 {
        "p < 0.001".into()
    } else {
        format!("p = {p:.3}")
    }
}

/// The verdict and reasons from a series' significant drift tests.
fn drift_reasons(c: &mut SeriesCheck) {
    let Some(d) = &c.drift else { return };
    let mut found: Vec<_> = d.findings().collect();
    found.sort_by_key(|t| (!t.material, t.check));
    let mut material = 0;
    for t in found {
        let since = match (t.check, d.shift_since) {
            (drift::Check::Level, Some(s)) => format!(" since {s}"),
            _ => String::new(),
        };
        let verdict = if t.material { Verdict::Retrain } else { Verdict::Watch };
        c.verdict = c.verdict.max(verdict);
        // Material changes lead the reasons, before anything to watch.
        let at = if t.material { material } else { c.reasons.len() };
        material += usize::from(t.material);
        c.reasons.insert(
            at,
            format!(
                "{}{since} ({}, {} = {:.2}, {}){}.",
                capitalise(&t.effect),
                t.check.test(),
                t.check.statistic(),
                t.statistic,
                p_text(t.p_value),
                if t.material { "" } else { ": small, watch it" }
            ),
        );
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// Fewest joined days for an accuracy verdict on one series, and on the panel.
const SERIES_PAIRS: usize = 7;
const PANEL_PAIRS: usize = 30;

/// Whether `observed` coverage of `n` actuals is clearly (one-sided p < 0.01) below `level`
/// and more than 10 points under it.
fn under_covered(observed: f64, n: usize, level: f64) -> bool {
    let p = level / 100.0;
    let z = (observed - p) / (p * (1.0 - p) / n as f64).sqrt();
    z < crate::stats::normal_quantile(0.01) && observed < p - 0.10
}

/// Verdicts from the forecasts against the actuals.
fn accuracy_reasons(
    acc: &Accuracy,
    checks: &mut [SeriesCheck],
    promised: Promised,
    season: usize,
    report: &mut MonitorReport,
) {
    let min_pairs = SERIES_PAIRS.max(season);
    for c in checks.iter_mut() {
        let Some(s) = acc.series.get(&c.label) else { continue };
        c.accuracy = Some(s.clone());
        if s.pairs < min_pairs {
            continue;
        }
        if let Some(p) = promised.mase
            && p > 0.0
            && s.mase >= 2.0 * p
        {
            c.verdict = c.verdict.max(Verdict::Watch);
            c.reasons.push(format!(
                "Forecast error on the actuals {:.1}× what the backtest promised (MASE {:.2} vs {p:.2} over {} days).",
                s.mase / p,
                s.mase,
                s.pairs
            ));
        }
        if let Some(reason) = coverage_reason(s) {
            c.verdict = c.verdict.max(Verdict::Watch);
            c.reasons.push(reason);
        }
    }
    if acc.overall.is_none() {
        report.notes.push("No logged forecast day has its actual yet.".into());
        return;
    }
    // The promise was made over whole horizons: judged on the forecasts whose every day arrived.
    let Some(all) = acc.complete.as_ref().filter(|c| c.pairs >= PANEL_PAIRS) else {
        report.notes.push(format!(
            "Fewer than {PANEL_PAIRS} days of forecasts whose whole horizon has arrived: the accuracy is shown, not judged yet."
        ));
        return;
    };
    if let Some(p) = promised.mase
        && p > 0.0
    {
        let ratio = all.mase / p;
        let verdict = if ratio >= 1.5 {
            Verdict::Retrain
        } else if ratio >= 1.2 {
            Verdict::Watch
        } else {
            Verdict::Ok
        };
        if verdict > Verdict::Ok {
            report.verdict = report.verdict.max(verdict);
            report.reasons.push(format!(
                "Forecast error on the actuals is {ratio:.1}× what the backtest promised (MASE {:.2} vs {p:.2}, {} days of {} forecasts).",
                all.mase, all.pairs, acc.forecasts
            ));
        }
    }
    if let Some(reason) = coverage_reason(all) {
        report.verdict = report.verdict.max(Verdict::Watch);
        report.reasons.push(reason);
    }
}

/// "Only 61 % of the actuals fell inside the 95 % range (84 days)." when the widest interval
/// clearly covered too little.
fn coverage_reason(s: &Scores) -> Option<String> {
    let cov = s.coverage.last()?;
    under_covered(cov.observed, cov.n, cov.level).then(|| {
        format!(
            "Only {:.0} % of the actuals fell inside the {} % range ({} days).",
            100.0 * cov.observed,
            cov.level,
            cov.n
        )
    })
}

/// The overall verdict and its reasons in words: the series' findings first, then the panel's.
fn summarise(checks: &[SeriesCheck], report: &mut MonitorReport) {
    let n = checks.len();
    let mut lines = Vec::new();
    for (verdict, what) in [
        (Verdict::Retrain, "changed enough to retrain"),
        (Verdict::Watch, "to watch"),
    ] {
        let hit: Vec<&SeriesCheck> = checks.iter().filter(|c| c.verdict == verdict).collect();
        if hit.is_empty() {
            continue;
        }
        report.verdict = report.verdict.max(verdict);
        let examples: Vec<String> = hit
            .iter()
            .take(3)
            .map(|c| {
                let first = c.reasons.first().map_or("", |r| r.split(" (").next().unwrap_or(r));
                format!("{}: {}", c.label, first.trim_end_matches('.'))
            })
            .collect();
        lines.push(format!(
            "{} of {n} series {what} — {}{}.",
            hit.len(),
            examples.join("; "),
            if hit.len() > 3 { "; …" } else { "" }
        ));
    }
    lines.append(&mut report.reasons);
    if lines.is_empty() {
        lines.push(format!(
            "All {n} series look as the model expects: no material change in level, trend, spread, \
             seasonal pattern, distribution or zeros ({} tests, false discovery rate {} %).",
            report.tests,
            100.0 * report.fdr
        ));
    }
    report.reasons = lines;
}

#[cfg(test)]
mod tests;
