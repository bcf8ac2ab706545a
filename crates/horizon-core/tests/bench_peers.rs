//! Checks against the public benchmark in `shared/bench/` (beside the repository; override
//! with `HORIZON_BENCH_DIR`): the metric definitions against its hand-worked golden values,
//! and the baselines' point forecasts and 95 % intervals against statsforecast's stored
//! Naive and SeasonalNaive forecasts on the 500 reference series.

use chrono::NaiveDate;
use horizon_core::data::{Frequency, Series};
use horizon_core::eval::Metrics;
use horizon_core::models::{Forecaster, naive};
use std::collections::HashMap;
use std::io::Read;
use std::path::PathBuf;

/// The public benchmark: `HORIZON_BENCH_DIR`, else `shared/bench` beside the checkout, else
/// this machine's `/work/shared/bench` (a clean clone in a temporary folder).
fn bench_dir() -> PathBuf {
    let candidates: Vec<PathBuf> = match std::env::var_os("HORIZON_BENCH_DIR") {
        Some(d) => vec![PathBuf::from(d)],
        None => vec![
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/bench"),
            PathBuf::from("/work/shared/bench"),
        ],
    };
    let found = candidates.iter().find(|d| d.join("manifest.csv").exists());
    match found {
        Some(d) => d.clone(),
        None => panic!("benchmark not found at {candidates:?} (set HORIZON_BENCH_DIR)"),
    }
}

fn rel_close(a: f64, b: f64, tol: f64) -> bool {
    (a.is_nan() && b.is_nan()) || (a - b).abs() <= tol * b.abs().max(1e-12)
}

#[test]
fn metrics_match_the_benchmark_golden_values() {
    let text = std::fs::read_to_string(bench_dir().join("metric_golden.json")).unwrap();
    let cases: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    assert!(cases.len() >= 5);
    let arr = |v: &serde_json::Value| -> Vec<f64> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap_or(f64::NAN))
            .collect()
    };
    // Mismatched lengths are refused, not truncated.
    assert!(Metrics::compute(&[1.0, 2.0], &[1.0, 2.0], &[1.0], &[0.0, 0.0], &[3.0, 3.0], 1, 95.0).is_err());
    for c in &cases {
        let m = Metrics::compute(
            &arr(&c["train"]),
            &arr(&c["test"]),
            &arr(&c["point"]),
            &arr(&c["lo95"]),
            &arr(&c["hi95"]),
            c["m"].as_u64().unwrap() as usize,
            95.0,
        )
        .expect("golden cases have matching lengths");
        let e = &c["expected"];
        let want = |k: &str| e[k].as_f64().unwrap_or(f64::NAN);
        for (name, got) in [
            ("scale", m.scale),
            ("mae", m.mae),
            ("mase", m.mase),
            ("smape", m.smape),
            ("rmse", m.rmse),
            ("coverage95", m.coverage),
            ("width95", m.width),
            ("swidth95", m.swidth),
            ("is95", m.interval_score),
            ("msis", m.msis),
        ] {
            assert!(
                rel_close(got, want(name), 1e-9),
                "{} {name}: {got} vs {}",
                c["name"],
                want(name)
            );
        }
    }
}

struct Peer {
    point: Vec<f64>,
    lo: Vec<f64>,
    hi: Vec<f64>,
}

#[test]
fn baselines_match_statsforecast_on_the_reference_sample() {
    let dir = bench_dir();
    // manifest: series_id -> (freq, season, horizon, n_train)
    let mut manifest = HashMap::new();
    let mut rdr = csv::Reader::from_path(dir.join("manifest.csv")).unwrap();
    let hdr = rdr.headers().unwrap().clone();
    let col = |n: &str| hdr.iter().position(|h| h == n).unwrap();
    let (ci, cf, cm, ch, cn) = (
        col("series_id"),
        col("freq"),
        col("season_length"),
        col("horizon"),
        col("n_train"),
    );
    for r in rdr.records() {
        let r = r.unwrap();
        manifest.insert(
            r[ci].to_string(),
            (
                r[cf].to_string(),
                r[cm].parse::<usize>().unwrap(),
                r[ch].parse::<usize>().unwrap(),
                r[cn].parse::<usize>().unwrap(),
            ),
        );
    }
    let mut values: HashMap<String, Vec<f64>> = HashMap::new();
    let mut rdr = csv::Reader::from_path(dir.join("series.csv")).unwrap();
    for r in rdr.records() {
        let r = r.unwrap();
        values.entry(r[0].to_string()).or_default().push(r[2].parse().unwrap());
    }
    let mut peers: HashMap<(String, String), Peer> = HashMap::new();
    for shard in ["ref_s0", "ref_s1"] {
        let mut gz = String::new();
        flate2::read::GzDecoder::new(
            std::fs::File::open(dir.join("results/runs").join(shard).join("forecasts.csv.gz")).unwrap(),
        )
        .read_to_string(&mut gz)
        .unwrap();
        let mut rdr = csv::Reader::from_reader(gz.as_bytes());
        let hdr = rdr.headers().unwrap().clone();
        let col = |n: &str| hdr.iter().position(|h| h == n).unwrap();
        let (cs, cmodel, cp, cl, chi) = (col("series_id"), col("model"), col("point"), col("lo95"), col("hi95"));
        for r in rdr.records() {
            let r = r.unwrap();
            if r[cmodel] != *"Naive" && r[cmodel] != *"SeasonalNaive" {
                continue;
            }
            let p = peers.entry((r[cs].to_string(), r[cmodel].to_string())).or_insert(Peer {
                point: vec![],
                lo: vec![],
                hi: vec![],
            });
            p.point.push(r[cp].parse().unwrap());
            p.lo.push(r[cl].parse().unwrap());
            p.hi.push(r[chi].parse().unwrap());
        }
    }
    assert_eq!(peers.len(), 1000, "500 series x 2 models");
    let start = NaiveDate::from_ymd_opt(1990, 1, 1).unwrap();
    let mut checked = 0;
    for ((sid, model), peer) in &peers {
        let (freq, m, h, n) = &manifest[sid];
        let freq = if freq == "M" {
            Frequency::Monthly
        } else {
            Frequency::Quarterly
        };
        let y = values[sid][..*n].to_vec();
        let dates = (0..y.len()).map(|k| freq.advance(start, k as i64)).collect();
        let s = Series::new(vec![sid.clone()], freq, dates, y);
        let fitted = if model == "Naive" {
            naive::Naive.fit(&s)
        } else {
            naive::SeasonalNaive { season: Some(*m) }.fit(&s)
        }
        .unwrap();
        let f = fitted.predict(*h, &[95.0]).unwrap();
        // The stored peer forecasts have 10 significant digits.
        for j in 0..*h {
            assert!(
                rel_close(f.point[j], peer.point[j], 1e-8),
                "{sid} {model} point {j}: {} vs {}",
                f.point[j],
                peer.point[j]
            );
            assert!(
                rel_close(f.intervals[0].lower[j], peer.lo[j], 1e-6),
                "{sid} {model} lo {j}: {} vs {}",
                f.intervals[0].lower[j],
                peer.lo[j]
            );
            assert!(
                rel_close(f.intervals[0].upper[j], peer.hi[j], 1e-6),
                "{sid} {model} hi {j}: {} vs {}",
                f.intervals[0].upper[j],
                peer.hi[j]
            );
        }
        checked += 1;
    }
    assert_eq!(checked, 1000);
}
