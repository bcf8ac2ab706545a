//! The forecast log: every forecast Horizon makes with a registered model (`horizon forecast
//! --registered … --forecast-log DIR`, `horizon serve --forecast-log DIR`), kept so that the
//! actuals arriving later can be compared with it (`horizon monitor`).
//!
//! One file per forecast, a header line with the payload's checksum and a CBOR payload (as the
//! model artifacts: every number bit for bit, NaN included):
//!
//! ```text
//! HORIZON-FORECAST-LOG 1 cbor sha256:<64 hex digits of the payload>
//! <CBOR of ForecastLog: model, version, made_at, by, freq, id_columns, forecasts>
//! ```
//!
//! Files are written whole or not at all (temp file, fsync, rename); the checksum catches what
//! a crash or an edit left half-written anyway, and such a file is skipped with its name, never
//! read in part. A forecast whose bounds do not match its dates is refused the same way.

use crate::data::Frequency;
use crate::export::SeriesForecast;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

const MAGIC: &str = "HORIZON-FORECAST-LOG";
const VERSION: u32 = 1;
const FORMAT: &str = "cbor";

/// One logged forecast: who made it with which model version, when, and every series' forecast.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForecastLog {
    pub model: String,
    pub version: u64,
    /// RFC 3339, UTC.
    pub made_at: String,
    /// What made it: "horizon forecast", "horizon serve", …
    pub by: String,
    pub freq: Frequency,
    pub id_columns: Vec<String>,
    pub forecasts: Vec<SeriesForecast>,
}

/// A log file that could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{origin}: {reason}")]
pub struct LogError {
    pub origin: String,
    pub reason: String,
}

impl ForecastLog {
    /// The file's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let payload = self.payload();
        let mut out = format!("{MAGIC} {VERSION} {FORMAT} sha256:{}\n", checksum(&payload)).into_bytes();
        out.extend_from_slice(&payload);
        out
    }

    fn payload(&self) -> Vec<u8> {
        let mut payload = Vec::new();
        // Plain data into a Vec: CBOR encoding cannot fail on it.
        let _ = ciborium::into_writer(self, &mut payload);
        payload
    }

    /// Read a log file; `origin` names it in errors. A file whose checksum does not match (cut
    /// short by a crash, or edited) or whose forecasts do not match their dates is refused whole.
    pub fn from_bytes(bytes: &[u8], origin: &str) -> Result<ForecastLog, LogError> {
        let err = |reason: &str| LogError {
            origin: origin.to_string(),
            reason: reason.to_string(),
        };
        let nl = bytes
            .iter()
            .position(|b| *b == b'\n')
            .ok_or_else(|| err("not a Horizon forecast log (no header line)"))?;
        let header = std::str::from_utf8(&bytes[..nl]).map_err(|_| err("not a Horizon forecast log"))?;
        let parts: Vec<&str> = header.split(' ').collect();
        let [magic, version, format, sum] = parts.as_slice() else {
            return Err(err("not a Horizon forecast log"));
        };
        if *magic != MAGIC || *format != FORMAT {
            return Err(err("not a Horizon forecast log"));
        }
        if version.parse::<u32>().map_or(true, |v| v > VERSION) {
            return Err(err("written by a newer Horizon; update Horizon to read it"));
        }
        let payload = &bytes[nl + 1..];
        if sum.strip_prefix("sha256:") != Some(checksum(payload).as_str()) {
            return Err(err(
                "the checksum does not match: the file is incomplete (a crash while it was written?) or was edited; skipped",
            ));
        }
        let log: ForecastLog =
            ciborium::from_reader(payload).map_err(|e| err(&format!("the forecast cannot be read: {e}")))?;
        for f in &log.forecasts {
            let n = f.dates.len();
            let fits = f.forecast.point.len() == n
                && f.forecast
                    .intervals
                    .iter()
                    .all(|i| i.lower.len() == n && i.upper.len() == n);
            if !fits {
                return Err(err(&format!(
                    "the forecast of {} has {n} dates but values of other lengths",
                    crate::data::key_label(&f.key)
                )));
            }
        }
        Ok(log)
    }

    /// What the forecast says, whoever made it and when: the same forecast logged twice (a
    /// stored model answering the same request again) has the same id.
    pub fn id(&self) -> String {
        let what = ForecastLog {
            made_at: String::new(),
            by: String::new(),
            ..self.clone()
        };
        checksum(&what.payload())
    }

    /// A file name for the log: the first forecast day, the version and the id — the same
    /// forecast made again gets the same name (and is not written twice).
    pub fn file_name(&self) -> String {
        let first = self
            .forecasts
            .iter()
            .filter_map(|f| f.dates.first())
            .min()
            .map_or_else(|| "empty".to_string(), |d| d.format("%Y%m%d").to_string());
        format!("{first}-v{}-{}.hflog", self.version, &self.id()[..16])
    }
}

fn checksum(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::{Forecast, Interval};
    use chrono::NaiveDate;

    fn log() -> ForecastLog {
        let d = |k| NaiveDate::from_ymd_opt(2026, 1, k).unwrap_or_default();
        ForecastLog {
            model: "sales".into(),
            version: 3,
            made_at: "2026-01-01T10:00:00Z".into(),
            by: "horizon forecast".into(),
            freq: Frequency::Daily,
            id_columns: vec!["store".into()],
            forecasts: vec![SeriesForecast {
                key: vec!["S01".into()],
                model: "ets".into(),
                dates: vec![d(2), d(3)],
                forecast: Forecast {
                    point: vec![10.0, 12.5],
                    intervals: vec![Interval {
                        level: 95.0,
                        lower: vec![8.0, 9.0],
                        upper: vec![12.0, 16.0],
                    }],
                },
            }],
        }
    }

    #[test]
    fn round_trips_and_refuses_a_cut_or_edited_file() {
        let l = log();
        let bytes = l.to_bytes();
        assert_eq!(ForecastLog::from_bytes(&bytes, "a.hflog"), Ok(l.clone()));
        // Cut anywhere in the payload (a crash mid-write): refused whole, never read in part.
        for cut in [bytes.len() - 1, bytes.len() / 2, 70, 10] {
            let e = ForecastLog::from_bytes(&bytes[..cut], "a.hflog").err();
            assert!(
                e.is_some_and(|e| e.to_string().starts_with("a.hflog: ")),
                "cut at {cut}"
            );
        }
        let mut edited = bytes.clone();
        let last = edited.len() - 1;
        edited[last] ^= 1;
        let e = ForecastLog::from_bytes(&edited, "a.hflog").err();
        assert!(e.is_some_and(|e| e.reason.contains("checksum")));
        assert!(ForecastLog::from_bytes(b"date,value\n", "x.csv").is_err());
        // The same forecast made later is the same log; a NaN bound survives the round trip.
        let later = ForecastLog {
            made_at: "2026-01-01T11:00:00Z".into(),
            ..l.clone()
        };
        assert_eq!(later.file_name(), l.file_name());
        assert!(l.file_name().starts_with("20260102-v3-"));
        let mut nan = l.clone();
        nan.forecasts[0].forecast.intervals[0].upper[1] = f64::NAN;
        let back = ForecastLog::from_bytes(&nan.to_bytes(), "n.hflog").expect("reads back");
        assert!(back.forecasts[0].forecast.intervals[0].upper[1].is_nan());
        // Bounds that do not match the dates: refused with the file's name.
        let mut short = l.clone();
        short.forecasts[0].forecast.point.pop();
        let e = ForecastLog::from_bytes(&short.to_bytes(), "s.hflog").err();
        assert!(e.is_some_and(|e| e.to_string().starts_with("s.hflog: the forecast of S01 has 2 dates")));
    }
}
