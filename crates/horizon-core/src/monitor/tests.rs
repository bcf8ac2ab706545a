use super::drift::{Check, Current, drift};
use super::log::ForecastLog;
use super::scenario::{Kind, scenario};
use super::*;
use crate::export::SeriesForecast;
use crate::models::{Forecast, Interval};
use std::collections::BTreeMap;

const REF: usize = 365;

fn day(k: usize) -> NaiveDate {
    Frequency::Daily.advance(NaiveDate::from_ymd_opt(2025, 1, 6).unwrap_or_default(), k as i64)
}

/// A panel of `kinds` (one series each): the training part and the whole (training + window).
fn panels(kinds: &[Kind], window: usize, seed: u64) -> (Panel, Panel) {
    let mut train = Vec::new();
    let mut all = Vec::new();
    for (i, kind) in kinds.iter().enumerate() {
        let s = scenario(*kind, REF, window, seed, i as u64);
        let key = vec![format!("S{i:03}")];
        let values: Vec<f64> = s.reference.iter().chain(&s.current).copied().collect();
        let dates: Vec<NaiveDate> = (0..values.len()).map(day).collect();
        train.push(Series::new(
            key.clone(),
            Frequency::Daily,
            dates[..REF].to_vec(),
            s.reference.clone(),
        ));
        all.push(Series::new(key, Frequency::Daily, dates, values));
    }
    let panel = |series| Panel {
        id_columns: vec!["store".into()],
        date_column: "date".into(),
        value_column: "sales".into(),
        exog_columns: Vec::new(),
        freq: Frequency::Daily,
        series,
    };
    (panel(train), panel(all))
}

fn artifact(train: &Panel) -> Artifact {
    let promise = BTreeMap::from([("mase".to_string(), 0.8), ("coverage95".to_string(), 0.93)]);
    super::scenario::artifact(train, promise)
}

fn run(art: &Artifact, panel: &Panel, logs: &[ForecastLog]) -> MonitorReport {
    let inputs = Inputs {
        artifact: art,
        model: "sales",
        version: 2,
        panel,
        data: "new.csv",
        logs,
        checked_at: "2026-12-06T00:00:00Z".into(),
    };
    monitor(&inputs, &MonitorOptions::default())
}

#[test]
fn unchanged_series_are_ok_and_each_kind_of_change_is_named() {
    let mut kinds = vec![Kind::Unchanged; 60];
    kinds.extend([
        Kind::Level(0.3),
        Kind::Level(-0.3),
        Kind::Noise,
        Kind::Pattern,
        Kind::Zeros,
        Kind::Trend(0.01),
    ]);
    let (train, all) = panels(&kinds, 28, 7);
    let art = artifact(&train);
    let r = run(&art, &all, &[]);
    let by = |label: &str| r.series.iter().find(|c| c.label == label).cloned();
    let unchanged_ok = (0..60)
        .filter(|i| by(&format!("S{i:03}")).is_some_and(|c| c.verdict == Verdict::Ok))
        .count();
    assert!(unchanged_ok >= 58, "{unchanged_ok} of 60 unchanged series ok");
    let expect = [
        (60, Check::Level, "Level +"),
        (61, Check::Level, "Level −"),
        (62, Check::Spread, "Spread ×"),
        (63, Check::Pattern, "s "),
        (64, Check::Zeros, "Zeros "),
        (65, Check::Trend, "Trend +"),
    ];
    for (i, check, words) in expect {
        let c = by(&format!("S{i:03}")).expect("series checked");
        assert_eq!(c.verdict, Verdict::Retrain, "{}: {:?}", c.label, c.reasons);
        let d = c.drift.as_ref().expect("drift checked");
        let t = d.tests.iter().find(|t| t.check == check).expect("test run");
        assert!(t.significant && t.material, "{}: {check:?} {t:?}", c.label);
        assert!(
            c.reasons.iter().any(|r| r.contains(words)),
            "{}: {:?}",
            c.label,
            c.reasons
        );
    }
    // The level shift is dated by the CUSUM within the first days of the window, and sized.
    let shifted = by("S060").and_then(|c| c.drift).expect("drift");
    assert!(shifted.shift_since.is_some_and(|d| d >= day(REF) && d <= day(REF + 5)));
    assert!(
        shifted.level_change.is_some_and(|c| (c - 0.3).abs() < 0.1),
        "{:?}",
        shifted.level_change
    );
    assert_eq!(r.verdict, Verdict::Retrain);
    assert!(
        r.reasons[0].contains("series changed enough to retrain"),
        "{:?}",
        r.reasons
    );
    assert_eq!(r.counts.ok + r.counts.watch + r.counts.retrain, kinds.len());
}

#[test]
fn false_alarms_stay_rare_over_many_unchanged_series() {
    for window in [14, 56] {
        let (train, all) = panels(&[Kind::Unchanged; 300], window, 11);
        let r = run(&artifact(&train), &all, &[]);
        assert!(
            r.counts.retrain + r.counts.watch <= 6,
            "window {window}: {:?}",
            r.counts
        );
        assert_eq!(r.verdict == Verdict::Ok, r.counts.ok == 300);
    }
}

#[test]
fn p_values_of_unchanged_series_are_roughly_uniform() {
    // Without the false-discovery control, about 5 % of unchanged series should fall below 0.05
    // on each test; far more would mean the tests ignore the data's season or persistence.
    let mut below = BTreeMap::<(usize, Check), (usize, usize)>::new();
    for i in 0..1200 {
        let window = [14, 28, 56][i as usize % 3];
        let s = scenario(Kind::Unchanged, REF, window, 3, i);
        let dates: Vec<NaiveDate> = (REF..REF + window).map(day).collect();
        let cur = Current {
            dates: &dates,
            values: &s.current,
            gap: 1,
        };
        let d = drift(&s.reference, &cur, Frequency::Daily, 7).expect("checked");
        for t in d.tests {
            let e = below.entry((window, t.check)).or_default();
            e.0 += usize::from(t.p_value < 0.05);
            e.1 += 1;
        }
    }
    let rates: Vec<String> = below
        .iter()
        .map(|(check, (k, n))| format!("{check:?}: {k} of {n}"))
        .collect();
    for (check, (k, n)) in &below {
        assert!((*k as f64) < 0.10 * *n as f64, "{check:?} below 0.05: {rates:?}");
    }
}

#[test]
fn new_missing_rewritten_and_too_short_series_are_watched_and_a_new_calendar_retrains() {
    let (train, mut all) = panels(&[Kind::Unchanged; 4], 28, 5);
    let art = artifact(&train);
    all.series[0].key = vec!["NEW".into()]; // S000 gone, NEW unknown
    all.series[1].values[300] += 5.0; // history corrected after training
    all.series[2].dates.truncate(REF + 2);
    all.series[2].values.truncate(REF + 2); // two new days only
    let r = run(&art, &all, &[]);
    let reason = |label: &str| {
        r.series
            .iter()
            .find(|c| c.label == label)
            .map(|c| (c.verdict, c.reasons.join(" ")))
            .unwrap_or((Verdict::Ok, String::new()))
    };
    assert_eq!(reason("NEW").0, Verdict::Watch);
    assert!(reason("NEW").1.contains("new series"));
    assert!(reason("S000").1.contains("is gone"));
    assert!(
        reason("S001").1.contains("differs from the training data on 1 day"),
        "{:?}",
        reason("S001")
    );
    assert!(reason("S002").1.contains("too few to check drift"));
    assert_eq!(r.verdict, Verdict::Watch);

    // A file of new days only, starting two weeks after the training ended: said.
    let (_, mut late) = panels(&[Kind::Unchanged], 42, 5);
    let s = &mut late.series[0];
    s.dates.drain(..REF + 14);
    s.values.drain(..REF + 14);
    let r = run(&art, &late, &[]);
    let said = r
        .series
        .iter()
        .find(|c| c.label == "S000")
        .map(|c| c.reasons.join(" "))
        .unwrap_or_default();
    assert!(
        said.contains(&format!(
            "14 day(s) without data between the training data's end ({}) and the new data ({})",
            day(REF - 1),
            day(REF + 14)
        )),
        "{said}"
    );

    let mut weekly = all.clone();
    weekly.freq = Frequency::Weekly;
    let r = run(&art, &weekly, &[]);
    assert_eq!(r.verdict, Verdict::Retrain);
    assert!(r.reasons[0].contains("calendar changed"));
}

fn logged(panel: &Panel, from: usize, h: usize, made_at: &str, scale: f64, version: u64) -> ForecastLog {
    ForecastLog {
        model: "sales".into(),
        version,
        made_at: made_at.into(),
        by: "test".into(),
        freq: Frequency::Daily,
        id_columns: vec!["store".into()],
        forecasts: panel
            .series
            .iter()
            .map(|s| {
                // A forecast of the actual days (where known) times `scale`, ±10 %.
                let point: Vec<f64> = (from..from + h)
                    .map(|k| s.values.get(k).copied().unwrap_or(100.0) * scale)
                    .collect();
                SeriesForecast {
                    key: s.key.clone(),
                    model: "ets".into(),
                    dates: (from..from + h).map(day).collect(),
                    forecast: Forecast {
                        intervals: vec![Interval {
                            level: 95.0,
                            lower: point.iter().map(|v| v * 0.9).collect(),
                            upper: point.iter().map(|v| v * 1.1).collect(),
                        }],
                        point,
                    },
                }
            })
            .collect(),
    }
}

#[test]
fn logged_forecasts_are_joined_with_late_repeated_and_missing_actuals_said() {
    let (train, mut all) = panels(&[Kind::Unchanged; 5], 28, 9);
    let art = artifact(&train);
    // Forecasts 30 % too high, so accuracy is far below the promise.
    let first = logged(&all, REF, 14, "2026-01-01T00:00:00Z", 1.3, 2);
    let again = logged(&all, REF, 14, "2026-01-01T06:00:00Z", 1.3000001, 2); // same origin, later
    let same_later = ForecastLog {
        made_at: "2026-01-01T09:00:00Z".into(),
        ..first.clone()
    }; // the same forecast made again: a copy
    let copy = first.clone();
    let beyond = logged(&all, REF + 20, 14, "2026-01-21T00:00:00Z", 1.3, 2); // 6 days not due
    let old = logged(&all, REF, 14, "2025-12-01T00:00:00Z", 1.0, 1);
    // S004's last 10 days have not arrived.
    all.series[4].dates.truncate(REF + 18);
    all.series[4].values.truncate(REF + 18);
    let r = run(&art, &all, &[first, again, copy, same_later, beyond, old]);
    let acc = r.accuracy.as_ref().expect("judged");
    let msgs = acc.messages.join(" | ");
    assert!(msgs.contains("1 forecast(s) made by other versions"), "{msgs}");
    assert!(msgs.contains("2 forecast log(s) were copies"), "{msgs}");
    assert!(
        msgs.contains("5 series forecast more than once from the same last day"),
        "{msgs}"
    );
    assert!(msgs.contains("due but their sales have not arrived"), "{msgs}");
    assert!(msgs.contains("not due yet"), "{msgs}");
    assert_eq!(acc.pending, 5 * 6);
    assert_eq!(acc.late, 8); // S004's days REF+20 … REF+27 of the later forecast
    assert_eq!(acc.forecasts, 2);
    let all_scores = acc.overall.as_ref().expect("pairs");
    assert!(
        all_scores.bias.is_some_and(|b| (b - 0.3).abs() < 1e-6),
        "{:?}",
        all_scores.bias
    );
    // The later forecast has days not due yet: only the first counts as a whole horizon.
    assert_eq!(acc.complete.as_ref().map(|c| c.pairs), Some(5 * 14));
    // Every actual is 1/1.3 of the point: outside [0.9, 1.1] × point.
    assert_eq!(all_scores.coverage[0].observed, 0.0);
    assert_eq!(acc.by_step.len(), 14);
    assert_eq!(r.verdict, Verdict::Retrain);
    assert!(
        r.reasons.iter().any(|x| x.contains("what the backtest promised")),
        "{:?}",
        r.reasons
    );
}

#[test]
fn the_html_report_is_self_contained_and_names_the_verdict() {
    let (train, all) = panels(&[Kind::Unchanged, Kind::Level(0.5)], 28, 1);
    let art = artifact(&train);
    let logs = [logged(&all, REF, 14, "2026-01-01T00:00:00Z", 1.0, 2)];
    let r = run(&art, &all, &logs);
    let page = html::html(&r, &art, &all, &logs);
    assert!(page.contains("Verdict: retrain"));
    assert!(page.contains("<svg") && page.contains("drift statistic over the new days"));
    assert!(
        !page.contains("<script") && !page.contains("http://") || page.contains("xmlns=\"http://www.w3.org/2000/svg\"")
    );
    let json = serde_json::to_string(&r).expect("serialises");
    let back: MonitorReport = serde_json::from_str(&json).expect("reads back");
    assert_eq!(back.verdict, r.verdict);
}

#[test]
fn weekly_series_with_a_yearly_season_and_constant_series_are_checked() {
    use rand::SeedableRng;
    use rand_distr::{Distribution, Normal};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(4);
    let noise = Normal::new(0.0, 5.0).unwrap_or_else(|_| unreachable!());
    let week = |t: usize| 200.0 + 40.0 * (std::f64::consts::TAU * t as f64 / 52.0).sin();
    let values: Vec<f64> = (0..200 + 13).map(|t| week(t) + noise.sample(&mut rng)).collect();
    let start = NaiveDate::from_ymd_opt(2022, 1, 3).unwrap_or_default();
    let dates: Vec<NaiveDate> = (200..213).map(|k| Frequency::Weekly.advance(start, k as i64)).collect();
    let check = |current: &[f64]| {
        let cur = Current {
            dates: &dates,
            values: current,
            gap: 1,
        };
        drift(&values[..200], &cur, Frequency::Weekly, 52).expect("checked")
    };
    // The season's swing (±20 %) over the new quarter is expected, not drift.
    let same = check(&values[200..]);
    assert_eq!(same.season, 52);
    let level = same.tests.iter().find(|t| t.check == Check::Level).expect("level");
    assert!(level.p_value > 0.01, "{level:?}");
    let up: Vec<f64> = values[200..].iter().map(|v| v * 1.3).collect();
    let moved = check(&up);
    assert!(
        moved.level_change.is_some_and(|c| (c - 0.3).abs() < 0.08),
        "{:?}",
        moved.level_change
    );

    // A series that never moved, then doubles: found (a constant reference is not skipped).
    let flat = vec![10.0; 100];
    let days: Vec<NaiveDate> = (100..110).map(day).collect();
    let cur = Current {
        dates: &days,
        values: &[20.0; 10],
        gap: 1,
    };
    let d = drift(&flat, &cur, Frequency::Daily, 7).expect("checked");
    let level = d.tests.iter().find(|t| t.check == Check::Level).expect("level tested");
    assert!(level.material && level.p_value < 1e-6, "{level:?}");
}
