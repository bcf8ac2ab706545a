//! What ingestion is told (columns, policies, frequency) and what it answers: the options, the
//! resolved [`Mapping`], counts and the [`Ingested`] result.

use crate::data::Panel;
use crate::data::calendar::Frequency;
use crate::data::dates::DateFormat;
use crate::data::validate::Report;
use serde::{Deserialize, Serialize};

/// How rows with the same (id, date) are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum DuplicatePolicy {
    #[default]
    Sum,
    Mean,
}

/// How missing periods (and missing values) are filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum GapPolicy {
    /// No sale recorded means no sale: the usual reading of sales files.
    #[default]
    Zero,
    /// Straight line between the neighbouring observations.
    Linear,
}

impl std::str::FromStr for DuplicatePolicy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "sum" => Ok(DuplicatePolicy::Sum),
            "mean" => Ok(DuplicatePolicy::Mean),
            _ => Err(format!("unknown duplicate policy '{s}': use sum or mean")),
        }
    }
}

impl std::str::FromStr for GapPolicy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "zero" => Ok(GapPolicy::Zero),
            "linear" => Ok(GapPolicy::Linear),
            _ => Err(format!("unknown gap policy '{s}': use zero or linear")),
        }
    }
}

/// The user's overrides (every `None` is guessed) and policies.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IngestOptions {
    pub delimiter: Option<u8>,
    pub date_column: Option<String>,
    pub date_format: Option<DateFormat>,
    pub value_column: Option<String>,
    /// `Some(vec![])` means "no id column: the file is one series".
    pub id_columns: Option<Vec<String>>,
    pub exog_columns: Option<Vec<String>>,
    pub freq: Option<Frequency>,
    pub duplicates: DuplicatePolicy,
    pub gaps: GapPolicy,
    /// Season length the user will ask for; series shorter than two seasons are reported.
    /// `None`: the frequency's usual season.
    pub season: Option<usize>,
}

impl IngestOptions {
    /// The options for another file: column choices are guessed afresh, the policies (how
    /// duplicates and gaps are handled, the season) stay as the user set them.
    pub fn for_new_file(&self) -> IngestOptions {
        IngestOptions {
            duplicates: self.duplicates,
            gaps: self.gaps,
            season: self.season,
            ..Default::default()
        }
    }
}

/// How the file was read: the guesses, after the overrides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mapping {
    pub delimiter: u8,
    pub columns: Vec<String>,
    pub date_column: String,
    pub date_format: DateFormat,
    pub value_column: String,
    pub id_columns: Vec<String>,
    pub exog_columns: Vec<String>,
    pub ignored_columns: Vec<String>,
    pub freq: Option<Frequency>,
}

/// Result of reading one file: always a report; a panel when the report has no error.
#[derive(Debug, Clone)]
pub struct Ingested {
    pub report: Report,
    pub mapping: Option<Mapping>,
    /// The header's column names, as far as it could be read (empty if not), so that a user
    /// can pick the date and value columns even when the guesses failed.
    pub columns: Vec<String>,
    pub panel: Option<Panel>,
    /// Counts for the summary line: rows read, duplicates merged, periods filled.
    pub stats: IngestStats,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IngestStats {
    pub rows: usize,
    pub series: usize,
    pub duplicates_merged: usize,
    pub gaps_filled: usize,
    pub missing_filled: usize,
    /// The coarsest frequency whose grid every date lies on ([`grid_frequency`]), whatever
    /// the frequency they were read at; `None` when no series has two dates. Coarser than the
    /// panel's when the frequency was set (weekly totals read as daily data).
    ///
    /// [`grid_frequency`]: crate::data::calendar::grid_frequency
    #[serde(default)]
    pub dates_freq: Option<crate::data::calendar::Frequency>,
}
