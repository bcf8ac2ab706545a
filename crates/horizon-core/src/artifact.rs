//! Self-contained, versioned, checksummed model artifacts: everything needed to forecast again
//! with a trained model, and to check later data against what it was trained on.
//!
//! The file is one header line and a CBOR payload (RFC 8949: self-describing like JSON, but
//! every `f64` — NaN and infinities included, which fitted models can hold — is stored bit for
//! bit, so a loaded model forecasts exactly as it did when trained):
//!
//! ```text
//! HORIZON-ARTIFACT 1 cbor sha256:<64 hex digits of the payload>
//! <CBOR of Artifact: schema_version, horizon_version, created_at, spec, …>
//! ```
//!
//! Reading refuses, with the file's name and what is wrong: a file that is not an artifact, a
//! schema newer than this program reads, a payload whose checksum does not match (damaged or
//! edited), and a payload that does not parse.

use crate::data::{Frequency, IngestOptions, Panel, Series};
use crate::models::{Fitted, FittedModel, ModelSpec};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use thiserror::Error;

/// The artifact layout this program writes and the newest it reads.
pub const SCHEMA_VERSION: u32 = 1;
const MAGIC: &str = "HORIZON-ARTIFACT";
const FORMAT: &str = "cbor";

/// Why an artifact could not be read; `origin` is the file or registry version it came from.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ArtifactError {
    #[error("{origin}: not a Horizon model artifact (it does not start with '{MAGIC}')")]
    NotAnArtifact { origin: String },
    #[error(
        "{origin}: made with artifact schema {found}, newer than this Horizon ({HORIZON_VERSION}) reads (up to {SCHEMA_VERSION}); update Horizon"
    )]
    TooNew { origin: String, found: u32 },
    #[error(
        "{origin}: the checksum does not match: the file is damaged or was edited (expected {expected}, got {got})"
    )]
    Checksum {
        origin: String,
        expected: String,
        got: String,
    },
    #[error("{origin}: the model data cannot be read: {message}")]
    Payload { origin: String, message: String },
    #[error("the model could not be written as an artifact: {0}")]
    Encode(String),
}

/// Per-series statistics of the training data: what drift checks compare later data with, and
/// a fingerprint telling whether a history is exactly the one trained on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeriesSummary {
    pub key: Vec<String>,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub n: usize,
    pub mean: f64,
    pub std: f64,
    pub min: f64,
    pub max: f64,
    pub zeros: usize,
    /// SHA-256 of the dates and values (hex).
    pub fingerprint: String,
    /// The last values of the training data (up to [`REFERENCE_LEN`], ending at `end`): the
    /// reference window drift checks compare new data with. Empty in artifacts written before
    /// monitoring existed.
    #[serde(default)]
    pub recent: Vec<f64>,
}

/// How many of a series' last training values an artifact keeps as the drift reference: a year
/// and a day of daily data (a year or more at every other frequency).
pub const REFERENCE_LEN: usize = 366;

impl SeriesSummary {
    pub fn of(series: &Series) -> SeriesSummary {
        let n = series.len();
        let v = &series.values;
        let mean = if n > 0 { v.iter().sum::<f64>() / n as f64 } else { 0.0 };
        let var = if n > 1 {
            v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64
        } else {
            0.0
        };
        let mut h = Sha256::new();
        for (d, x) in series.dates.iter().zip(v) {
            h.update(d.to_string().as_bytes());
            h.update(x.to_le_bytes());
        }
        SeriesSummary {
            key: series.key.clone(),
            start: series.dates.first().copied().unwrap_or_default(),
            end: series.dates.last().copied().unwrap_or_default(),
            n,
            mean,
            std: var.sqrt(),
            min: v.iter().copied().fold(f64::INFINITY, f64::min),
            max: v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            zeros: v.iter().filter(|x| **x == 0.0).count(),
            fingerprint: hex(&h.finalize()),
            recent: v[n.saturating_sub(REFERENCE_LEN)..].to_vec(),
        }
    }
}

/// The training data as a whole.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingSummary {
    /// The file (or other source) the training data was read from.
    pub source: String,
    pub freq: Frequency,
    pub id_columns: Vec<String>,
    pub date_column: String,
    pub value_column: String,
    pub exog_columns: Vec<String>,
    pub observations: usize,
    pub series: Vec<SeriesSummary>,
}

impl TrainingSummary {
    pub fn of(panel: &Panel, source: &str) -> TrainingSummary {
        TrainingSummary {
            source: source.to_string(),
            freq: panel.freq,
            id_columns: panel.id_columns.clone(),
            date_column: panel.date_column.clone(),
            value_column: panel.value_column.clone(),
            exog_columns: panel.exog_columns.clone(),
            observations: panel.series.iter().map(Series::len).sum(),
            series: panel.series.iter().map(SeriesSummary::of).collect(),
        }
    }
}

/// One series' fitted model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeriesModel {
    pub key: Vec<String>,
    pub fitted: FittedModel,
}

impl SeriesModel {
    pub fn new(key: Vec<String>, fitted: &dyn Fitted) -> SeriesModel {
        SeriesModel {
            key,
            fitted: fitted.to_state(),
        }
    }
}

/// This program's version, as stored in artifacts.
pub const HORIZON_VERSION: &str = env!("CARGO_PKG_VERSION");

/// A trained model: the recipe, the fitted state per series, how the data was read, what it
/// looked like and how well the model did on the backtest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Artifact {
    pub schema_version: u32,
    pub horizon_version: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// The model (as chosen by training) — refitted on new data when the history changed.
    pub spec: ModelSpec,
    /// How the training file was read (column mapping, policies), to read new data the same way.
    pub preprocessing: IngestOptions,
    pub horizon: usize,
    pub levels: Vec<f64>,
    /// The hold-out the metrics were computed on: rolling-origin folds of `horizon` periods,
    /// the season (for MASE and the models; `None` = the frequency's usual one) and the
    /// metric that chose the model.
    pub folds: usize,
    pub season: Option<usize>,
    pub metric: crate::eval::selection::Metric,
    pub training: TrainingSummary,
    /// Backtest metrics of `spec` (`rmse`, `mase`, …) and of every candidate (`ets.rmse`, …).
    pub metrics: BTreeMap<String, f64>,
    pub series: Vec<SeriesModel>,
}

impl Artifact {
    /// The fitted model of the series with `key`.
    pub fn model_for(&self, key: &[String]) -> Option<&FittedModel> {
        self.series.iter().find(|s| s.key == key).map(|s| &s.fitted)
    }

    /// How to read new data as the training data was read: the same columns (as resolved
    /// then, not guessed afresh), policies and frequency.
    pub fn ingest_options(&self) -> crate::data::IngestOptions {
        let t = &self.training;
        crate::data::IngestOptions {
            date_column: Some(t.date_column.clone()),
            value_column: Some(t.value_column.clone()),
            id_columns: Some(t.id_columns.clone()),
            exog_columns: Some(t.exog_columns.clone()),
            freq: Some(t.freq),
            ..self.preprocessing.clone()
        }
    }

    /// Whether new data read with [`Artifact::ingest_options`] (`stats` of that reading) is on
    /// this model's calendar. When the training guessed its frequency from the dates, new dates
    /// that all lie on a coarser grid (weekly totals sent to a daily model: every step whole
    /// weeks) would be read onto the old grid with the days between them as zero sales, and
    /// every forecast would be wrong: `Err` names both frequencies. Data read at a frequency the
    /// training set is not checked (nor is data whose dates show no frequency).
    pub fn check_calendar(&self, stats: &crate::data::IngestStats) -> Result<(), String> {
        let trained = self.training.freq;
        match stats.dates_freq {
            Some(f) if self.preprocessing.freq.is_none() && f.periods_per_year() < trained.periods_per_year() => {
                Err(format!(
                    "the data is {} but the model was trained on {} data: read as {}, the {}s between its dates \
                     would count as zero sales (forecast it with a model trained on {} data; if those {}s \
                     really had no sales, include them as rows of 0)",
                    f.name(),
                    trained.name(),
                    trained.name(),
                    trained.unit(),
                    f.name(),
                    trained.unit()
                ))
            }
            _ => Ok(()),
        }
    }

    /// Why this artifact is `older`'s model refitted on newer data, or `None` when it is not:
    /// the same spec at the same frequency, every series `older` has, and a training set that
    /// ends later. Scored on one hold-out the two are the same model twice, so a comparison
    /// cannot tell them apart; the newer fit is the one to keep.
    pub fn refit_of(&self, older: &Artifact) -> Option<String> {
        let end = |a: &Artifact| a.training.series.iter().map(|s| s.end).max();
        let (new, old) = (end(self)?, end(older)?);
        let keys: std::collections::HashSet<&[String]> =
            self.training.series.iter().map(|s| s.key.as_slice()).collect();
        let covers = older.training.series.iter().all(|s| keys.contains(s.key.as_slice()));
        (self.spec == older.spec && self.training.freq == older.training.freq && covers && new > old).then(|| {
            format!(
                "the same model ({}) refitted on data up to {new} (it had data up to {old})",
                self.spec
            )
        })
    }

    /// True when `series` is exactly the history this artifact's model of it was trained on.
    pub fn trained_on(&self, series: &Series) -> bool {
        let now = SeriesSummary::of(series);
        self.training
            .series
            .iter()
            .any(|s| s.key == series.key && s.fingerprint == now.fingerprint)
    }

    /// The artifact file's bytes.
    pub fn to_bytes(&self) -> Result<Vec<u8>, ArtifactError> {
        let mut payload = Vec::new();
        ciborium::into_writer(self, &mut payload).map_err(|e| ArtifactError::Encode(e.to_string()))?;
        let mut out = format!(
            "{MAGIC} {SCHEMA_VERSION} {FORMAT} sha256:{}\n",
            hex(&Sha256::digest(&payload))
        )
        .into_bytes();
        out.extend_from_slice(&payload);
        Ok(out)
    }

    /// Read an artifact file; `source` names it in errors.
    pub fn from_bytes(bytes: &[u8], source: &str) -> Result<Artifact, ArtifactError> {
        let source = source.to_string();
        let not_artifact = || ArtifactError::NotAnArtifact { origin: source.clone() };
        let nl = bytes.iter().position(|b| *b == b'\n').ok_or_else(not_artifact)?;
        let header = std::str::from_utf8(&bytes[..nl]).map_err(|_| not_artifact())?;
        let mut parts = header.split(' ');
        if parts.next() != Some(MAGIC) {
            return Err(not_artifact());
        }
        let schema: u32 = parts.next().and_then(|v| v.parse().ok()).ok_or_else(not_artifact)?;
        if schema > SCHEMA_VERSION {
            return Err(ArtifactError::TooNew {
                origin: source,
                found: schema,
            });
        }
        if parts.next() != Some(FORMAT) {
            return Err(not_artifact());
        }
        let expected = parts
            .next()
            .and_then(|c| c.strip_prefix("sha256:"))
            .ok_or_else(not_artifact)?
            .to_string();
        let payload = &bytes[nl + 1..];
        let got = hex(&Sha256::digest(payload));
        if got != expected {
            return Err(ArtifactError::Checksum {
                origin: source,
                expected,
                got,
            });
        }
        ciborium::from_reader(payload).map_err(|e| ArtifactError::Payload {
            origin: source,
            message: e.to_string(),
        })
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::generate::{RetailParams, retail};

    fn trained() -> (Artifact, Panel) {
        let panel = retail(&RetailParams {
            stores: 1,
            products: 2,
            days: 120,
            ..Default::default()
        });
        let spec: ModelSpec = "ets".parse().unwrap();
        let art = Artifact {
            schema_version: SCHEMA_VERSION,
            horizon_version: HORIZON_VERSION.into(),
            created_at: "2026-11-25T00:00:00Z".into(),
            preprocessing: IngestOptions::default(),
            horizon: 14,
            levels: vec![80.0, 95.0],
            folds: 2,
            season: None,
            metric: crate::eval::selection::Metric::Rmse,
            training: TrainingSummary::of(&panel, "retail.csv"),
            metrics: BTreeMap::from([("rmse".to_string(), 3.5)]),
            series: panel
                .series
                .iter()
                .map(|s| SeriesModel::new(s.key.clone(), spec.build().fit(s).unwrap().as_ref()))
                .collect(),
            spec,
        };
        (art, panel)
    }

    #[test]
    fn round_trip_forecasts_exactly_and_knows_its_data() {
        let (art, panel) = trained();
        let back = Artifact::from_bytes(&art.to_bytes().unwrap(), "a.hzn").unwrap();
        assert_eq!(back, art);
        let s = &panel.series[0];
        let f1 = art.model_for(&s.key).unwrap().predict(14, &[95.0]).unwrap();
        let f2 = back.model_for(&s.key).unwrap().predict(14, &[95.0]).unwrap();
        assert_eq!(f1, f2);
        assert!(back.trained_on(s));
        let mut changed = s.clone();
        changed.values[10] += 1.0;
        assert!(!back.trained_on(&changed), "a changed history is not the training data");
        assert_eq!(back.training.series[0].n, s.len());
    }

    #[test]
    fn non_finite_values_in_a_fitted_model_survive_the_file() {
        // ETS on 4 points keeps a fit whose AICc is infinite.
        let (mut art, panel) = trained();
        let short = panel.series[0].head(4);
        let spec: ModelSpec = "ets".parse().unwrap();
        let fitted = spec.build().fit(&short).unwrap();
        art.series[0] = SeriesModel::new(short.key.clone(), fitted.as_ref());
        art.metrics.insert("nan".into(), f64::NAN);
        let bytes = art.to_bytes().unwrap();
        let back = Artifact::from_bytes(&bytes, "short.hzn").unwrap();
        assert_eq!(back.to_bytes().unwrap(), bytes, "bit for bit, NaN included");
        assert!(back.metrics["nan"].is_nan());
        assert_eq!(
            back.series[0].fitted.predict(5, &[95.0]).unwrap(),
            fitted.predict(5, &[95.0]).unwrap()
        );
    }

    #[test]
    fn damaged_foreign_and_newer_files_are_refused_by_name() {
        let (art, _) = trained();
        let bytes = art.to_bytes().unwrap();
        let mut flipped = bytes.clone();
        let last = flipped.len() - 2;
        flipped[last] ^= 1;
        let e = Artifact::from_bytes(&flipped, "models/sales.hzn").unwrap_err();
        assert!(matches!(e, ArtifactError::Checksum { .. }), "{e}");
        assert!(
            e.to_string()
                .starts_with("models/sales.hzn: the checksum does not match"),
            "{e}"
        );
        let e = Artifact::from_bytes(b"date,sales\n2024-01-01,3\n", "sales.csv").unwrap_err();
        assert!(matches!(e, ArtifactError::NotAnArtifact { .. }), "{e}");
        let mut newer = bytes.clone();
        newer[17] = b'7'; // "HORIZON-ARTIFACT 1" → 7
        let e = Artifact::from_bytes(&newer, "x.hzn").unwrap_err();
        assert!(matches!(e, ArtifactError::TooNew { found: 7, .. }), "{e}");
        assert!(Artifact::from_bytes(&bytes[..bytes.len() / 2], "half.hzn").is_err());
        // A payload that hashes right but is not an artifact.
        let payload = b"{\"hello\":1}";
        let mut fake = format!("HORIZON-ARTIFACT 1 cbor sha256:{}\n", hex(&Sha256::digest(payload))).into_bytes();
        fake.extend_from_slice(payload);
        assert!(matches!(
            Artifact::from_bytes(&fake, "fake.hzn"),
            Err(ArtifactError::Payload { .. })
        ));
    }
}
