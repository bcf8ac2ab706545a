//! Data: the in-memory panel of series, CSV ingestion, validation, calendar and sample data.

pub mod calendar;
pub mod dates;
pub mod extend;
pub mod features;
pub mod generate;
pub mod holidays;
pub mod ingest;
mod numbers;
pub mod plan;
pub mod preview;
pub mod shard;
pub mod sniff;
pub mod validate;

pub use calendar::Frequency;
pub use ingest::{
    DuplicatePolicy, Frame, FrameColumn, GapPolicy, IngestOptions, IngestStats, Ingested, MAX_MAGNITUDE, Mapping,
    ingest_csv, ingest_frame,
};
pub use validate::{Issue, IssueKind, Report, Severity};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One regular time series: dense, sorted, one value per period of `freq`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// The id values of this series, in the order of [`Panel::id_columns`] (empty for a file
    /// with no id column).
    pub key: Vec<String>,
    pub freq: Frequency,
    /// One date per value, strictly increasing on the `freq` grid.
    pub dates: Vec<NaiveDate>,
    pub values: Vec<f64>,
    /// Exogenous columns, aligned with `values`, in the order of [`Panel::exog_columns`].
    pub exog: Vec<Vec<f64>>,
}

impl Series {
    /// A series with no exogenous columns.
    pub fn new(key: Vec<String>, freq: Frequency, dates: Vec<NaiveDate>, values: Vec<f64>) -> Self {
        Series {
            key,
            freq,
            dates,
            values,
            exog: Vec::new(),
        }
    }

    /// A series of `values` on `freq`'s grid from `start`, with no key or drivers.
    pub fn starting(freq: Frequency, start: NaiveDate, values: Vec<f64>) -> Self {
        let dates = (0..values.len()).map(|k| freq.advance(start, k as i64)).collect();
        Series::new(Vec::new(), freq, dates, values)
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Human label of the key: `store 3 / product 7` style ids joined by " / ", or "series".
    pub fn label(&self) -> String {
        key_label(&self.key)
    }

    /// The first `n` observations (used for backtest folds).
    pub fn head(&self, n: usize) -> Series {
        let n = n.min(self.len());
        Series {
            key: self.key.clone(),
            freq: self.freq,
            dates: self.dates[..n].to_vec(),
            values: self.values[..n].to_vec(),
            exog: self.exog.iter().map(|c| c[..n].to_vec()).collect(),
        }
    }

    /// The `h` dates that follow the last observation.
    pub fn future_dates(&self, h: usize) -> Vec<NaiveDate> {
        match self.dates.last() {
            Some(&last) => (1..=h).map(|k| self.freq.advance(last, k as i64)).collect(),
            None => Vec::new(),
        }
    }
}

/// A set of series read from one source, sharing columns and frequency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Panel {
    pub id_columns: Vec<String>,
    pub date_column: String,
    pub value_column: String,
    pub exog_columns: Vec<String>,
    pub freq: Frequency,
    pub series: Vec<Series>,
}

impl Panel {
    /// Index of the series whose key equals `key`.
    pub fn find(&self, key: &[String]) -> Option<usize> {
        self.series.iter().position(|s| s.key == key)
    }

    /// Total number of observations over all series.
    pub fn n_obs(&self) -> usize {
        self.series.iter().map(Series::len).sum()
    }
}

/// How a series is named to users: its id values joined by " / ", "series" without ids, and
/// "Total" for the total of a hierarchy (every id "(all)").
pub fn key_label(key: &[String]) -> String {
    if key.is_empty() {
        "series".to_string()
    } else if key.iter().all(|k| k == crate::reconcile::ALL) {
        "Total".to_string()
    } else {
        key.join(" / ")
    }
}
