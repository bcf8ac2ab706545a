//! Property tests over damaged inputs (a fuzzing harness without a fuzzer's toolchain): artifact
//! files whose payload is corrupted and re-checksummed, so that the decoder and every model
//! family's stored state meet the damage. Each case must load or be refused with an error, and
//! whatever forecasts a loaded artifact makes must be finite and ordered — never a panic.
//! Ingestion has the same harness in `robustness.rs`.
//!
//! `HORIZON_FUZZ_CASES` sets the cases per target (the test command runs a bounded number); a
//! long run: `HORIZON_FUZZ_CASES=50000 cargo test --release -p horizon-core --test fuzz
//! --test robustness` (see docs/testing.md).

mod common;

use horizon_core::artifact::Artifact;
use horizon_core::data::IngestOptions;
use horizon_core::data::generate::{RetailParams, retail};
use horizon_core::forecast::{ForecastOptions, ModelSource, forecast};
use horizon_core::pipeline::{Metric, TrainConfig, train};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use sha2::{Digest, Sha256};

/// `bytes` with its payload replaced by `payload` and the header's checksum made to match.
fn with_payload(bytes: &[u8], payload: &[u8]) -> Vec<u8> {
    let nl = bytes.iter().position(|b| *b == b'\n').expect("a header line");
    let header = String::from_utf8_lossy(&bytes[..nl]).to_string();
    let (head, _) = header.rsplit_once("sha256:").expect("a checksum");
    let sum: String = Sha256::digest(payload).iter().map(|b| format!("{b:02x}")).collect();
    let mut out = format!("{head}sha256:{sum}\n").into_bytes();
    out.extend_from_slice(payload);
    out
}

#[test]
fn damaged_artifacts_load_or_are_refused_and_never_forecast_wrong_numbers() {
    let panel = retail(&RetailParams {
        stores: 1,
        products: 2,
        days: 120,
        ..Default::default()
    });
    let options = ForecastOptions::new(14, &[50.0, 95.0]);
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let (mut loaded, mut refused) = (0, 0);
    for models in [
        "ets",
        "arima",
        "naive",
        "ensemble:ets/seasonal-naive",
        "ets+conformal",
        "gbm",
    ] {
        let cfg = TrainConfig {
            candidates: vec![models.parse().expect("a model")],
            horizon: 14,
            levels: vec![95.0],
            folds: 1,
            season: None,
            metric: Metric::Rmse,
        };
        let trained = train(&panel, "retail.csv", &IngestOptions::default(), &cfg, "now".into()).expect("trained");
        let bytes = trained.artifact.to_bytes().expect("bytes");
        let nl = bytes.iter().position(|b| *b == b'\n').expect("header");
        let payload = &bytes[nl + 1..];
        for case in 0..common::fuzz_cases(60) {
            let damaged = with_payload(&bytes, &common::mutate(&mut rng, payload));
            let Ok(art) = Artifact::from_bytes(&damaged, "damaged.hzn") else {
                refused += 1;
                continue;
            };
            loaded += 1;
            let Ok(out) = forecast(&panel, ModelSource::Artifact(&art), &options) else {
                continue;
            };
            for d in &out.forecasts {
                let f = &d.forecast.forecast;
                for (k, p) in f.point.iter().enumerate() {
                    assert!(p.is_finite(), "{models} #{case}: forecast {p}");
                    for i in &f.intervals {
                        let (l, u) = (i.lower[k], i.upper[k]);
                        assert!(l <= *p && *p <= u, "{models} #{case}: {l} {p} {u}");
                    }
                }
            }
        }
    }
    eprintln!("loaded {loaded}, refused {refused}");
    assert!(loaded > 0 && refused > 0, "loaded {loaded}, refused {refused}");
}
