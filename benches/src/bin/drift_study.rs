//! The drift benchmark's Horizon side: generated panels where the truth is known
//! (`horizon_core::monitor::scenario`), checked by `horizon_core::monitor::monitor` exactly as
//! `horizon monitor` checks a registered model; also writes the same windows for Evidently
//! (`benches/drift_peer.py`) and times a check of many series.
//!
//! `drift_study DIR [PER_KIND] [TIMING_SERIES]` writes DIR/windows.csv (kind, window, series,
//! role, t, y) and DIR/horizon.csv (kind, window, series, flagged, retrain, psi_major), and
//! prints the time of one check of TIMING_SERIES series (best of three).

use anyhow::{Context, Result};
use chrono::NaiveDate;
use horizon_core::artifact::Artifact;
use horizon_core::monitor::scenario::{Kind, scenario};
use horizon_core::monitor::{Inputs, MonitorOptions, Verdict, monitor, stattest::PSI_MAJOR};
use horizon_core::{Frequency, Panel, Series};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Instant;

const REFERENCE: usize = 365;
const WINDOWS: [usize; 3] = [14, 28, 56];

fn day(k: usize) -> NaiveDate {
    Frequency::Daily.advance(NaiveDate::from_ymd_opt(2025, 1, 6).unwrap_or_default(), k as i64)
}

fn panel(series: Vec<Series>) -> Panel {
    Panel {
        id_columns: vec!["series".into()],
        date_column: "date".into(),
        value_column: "sales".into(),
        exog_columns: Vec::new(),
        freq: Frequency::Daily,
        series,
    }
}

/// One generated series: its name, kind, reference and new values.
type Raw = (String, Kind, Vec<f64>, Vec<f64>);

/// The training panel and the whole panel (training + window) of `kinds`.
fn panels(kinds: &[(Kind, usize)], window: usize, seed: u64) -> (Panel, Panel, Vec<Raw>) {
    let (mut train, mut all, mut raw) = (Vec::new(), Vec::new(), Vec::new());
    for (i, (kind, n)) in kinds.iter().enumerate() {
        for j in 0..*n {
            let s = scenario(*kind, REFERENCE, window, seed, (i * 100_000 + j) as u64);
            let name = format!("{}-{j:05}", kind.name());
            let values: Vec<f64> = s.reference.iter().chain(&s.current).copied().collect();
            let dates: Vec<NaiveDate> = (0..values.len()).map(day).collect();
            train.push(Series::new(
                vec![name.clone()],
                Frequency::Daily,
                dates[..REFERENCE].to_vec(),
                s.reference.clone(),
            ));
            all.push(Series::new(vec![name.clone()], Frequency::Daily, dates, values));
            raw.push((name, *kind, s.reference, s.current));
        }
    }
    (panel(train), panel(all), raw)
}

fn artifact(train: &Panel) -> Artifact {
    horizon_core::monitor::scenario::artifact(train, BTreeMap::new())
}

fn check(art: &Artifact, all: &Panel) -> horizon_core::monitor::MonitorReport {
    monitor(
        &Inputs {
            artifact: art,
            model: "bench",
            version: 1,
            panel: all,
            data: "generated",
            logs: &[],
            checked_at: String::new(),
        },
        &MonitorOptions::default(),
    )
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let dir = std::path::PathBuf::from(
        args.get(1)
            .context("usage: drift_study DIR [PER_KIND] [TIMING_SERIES]")?,
    );
    let per_kind: usize = args.get(2).map_or(Ok(60), |s| s.parse())?;
    let timing: usize = args.get(3).map_or(Ok(10_000), |s| s.parse())?;
    std::fs::create_dir_all(&dir)?;
    let kinds: Vec<(Kind, usize)> = Kind::ALL
        .iter()
        .map(|k| (*k, if *k == Kind::Unchanged { 2 * per_kind } else { per_kind }))
        .collect();
    let mut windows = String::from("kind,window,series,role,t,y\n");
    let mut ours = String::from("kind,window,series,flagged,retrain,psi_major\n");
    for (w, window) in WINDOWS.iter().enumerate() {
        let (train, all, raw) = panels(&kinds, *window, 17 + w as u64);
        let art = artifact(&train);
        let report = check(&art, &all);
        let by: BTreeMap<&str, _> = report.series.iter().map(|c| (c.label.as_str(), c)).collect();
        for (name, kind, reference, current) in &raw {
            let c = by.get(name.as_str()).context("every series checked")?;
            let flagged = c.drift.as_ref().is_some_and(|d| d.findings().next().is_some());
            let psi = c.drift.as_ref().is_some_and(|d| d.psi > PSI_MAJOR);
            writeln!(
                ours,
                "{},{window},{name},{},{},{}",
                kind.name(),
                u8::from(flagged),
                u8::from(c.verdict == Verdict::Retrain),
                u8::from(psi)
            )?;
            for (role, values) in [("reference", reference), ("current", current)] {
                for (t, y) in values.iter().enumerate() {
                    writeln!(windows, "{},{window},{name},{role},{t},{y}", kind.name())?;
                }
            }
        }
    }
    std::fs::write(dir.join("windows.csv"), windows)?;
    std::fs::write(dir.join("horizon.csv"), ours)?;

    // One check of `timing` series (every kind in equal shares), 28 new days, best of three.
    let each = timing.div_ceil(Kind::ALL.len());
    let mixed: Vec<(Kind, usize)> = Kind::ALL.iter().map(|k| (*k, each)).collect();
    let (train, all, _) = panels(&mixed, 28, 99);
    let art = artifact(&train);
    let mut best = f64::INFINITY;
    for _ in 0..3 {
        let t = Instant::now();
        let r = check(&art, &all);
        best = best.min(t.elapsed().as_secs_f64());
        assert_eq!(r.series.len(), all.series.len());
    }
    println!(
        "check of {} series ({} reference + 28 new days each): {best:.2} s on {} threads (best of 3)",
        all.series.len(),
        REFERENCE,
        rayon::current_num_threads()
    );
    Ok(())
}
