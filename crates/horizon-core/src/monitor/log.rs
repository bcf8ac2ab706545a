//! The forecast log: every forecast Horizon makes with a registered model (`horizon forecast
//! --registered … --forecast-log DIR`, `horizon serve --forecast-log DIR`), kept so that the
//! actuals arriving later can be compared with it (`horizon monitor`).
//!
//! One file per forecast, a header line with the payload's checksum and a JSON payload:
//!
//! ```text
//! HORIZON-FORECAST-LOG 1 json sha256:<64 hex digits of the payload>
//! {"model":"sales","version":3,"made_at":"2026-12-06T10:00:00Z","by":"horizon forecast",…}
//! ```
//!
//! Files are written whole or not at all (temp file, fsync, rename); the checksum catches what
//! a crash or an edit left half-written anyway, and such a file is skipped with its name, never
//! read in part.

use crate::data::Frequency;
use crate::export::SeriesForecast;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

const MAGIC: &str = "HORIZON-FORECAST-LOG";
const VERSION: u32 = 1;

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
        // Plain data (strings, numbers, dates): serde_json cannot fail on it; non-finite bounds
        // are written as null and read back as NaN.
        let payload = serde_json::to_vec(self).unwrap_or_default();
        let mut out = format!("{MAGIC} {VERSION} json sha256:{}\n", checksum(&payload)).into_bytes();
        out.extend_from_slice(&payload);
        out
    }

    /// Read a log file; `origin` names it in errors. A file whose checksum does not match (cut
    /// short by a crash, or edited) is refused whole.
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
        let [magic, version, "json", sum] = parts.as_slice() else {
            return Err(err("not a Horizon forecast log"));
        };
        if *magic != MAGIC {
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
        serde_json::from_slice(payload).map_err(|e| err(&format!("the forecast cannot be read: {e}")))
    }

    /// The checksum of the payload: the same forecast logged twice has the same one.
    pub fn id(&self) -> String {
        checksum(&serde_json::to_vec(self).unwrap_or_default())
    }

    /// A file name for the log: sortable by time, unique by content.
    pub fn file_name(&self) -> String {
        let stamp: String = self.made_at.chars().filter(char::is_ascii_alphanumeric).collect();
        format!("{stamp}-v{}-{}.hflog", self.version, &self.id()[..12])
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
        for cut in [bytes.len() - 1, bytes.len() / 2, 70] {
            let e = ForecastLog::from_bytes(&bytes[..cut], "a.hflog").err();
            assert!(
                e.is_some_and(|e| e.to_string().starts_with("a.hflog: ")),
                "cut at {cut}"
            );
        }
        let edited = String::from_utf8_lossy(&bytes).replace("12.5", "13.5");
        let e = ForecastLog::from_bytes(edited.as_bytes(), "a.hflog").err();
        assert!(e.is_some_and(|e| e.reason.contains("checksum")));
        assert!(ForecastLog::from_bytes(b"date,value\n", "x.csv").is_err());
        assert!(l.file_name().starts_with("20260101T100000Z-v3-"));
    }
}
