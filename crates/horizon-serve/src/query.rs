//! What a request asks of a model — which series, how far, at which levels, on which history —
//! checked against the model and the server's limits, and answered through the core's one
//! forecast path: the stored fits when no history comes with the request (the numbers
//! `horizon forecast --registered` writes for the training data), the model refitted as
//! `forecast --registered` refits it when one does.

use crate::error::ApiError;
use crate::models::Loaded;
use horizon_core::Panel;
use horizon_core::data::{Severity, ingest_csv};
use horizon_core::forecast::{ForecastOptions, ModelSource, PanelForecast, forecast, stored_forecast};
use serde_json::{Map, Value};

/// The server's limits on one request.
#[derive(Debug, Clone)]
pub struct Limits {
    pub max_horizon: usize,
    pub max_series: usize,
}

/// The most numbers one answer may hold (series × horizon × (1 + 2 × levels)): what keeps a
/// request within the limits from filling the memory with its answer.
pub const MAX_VALUES: usize = 20_000_000;

/// The most interval levels one request may ask for.
pub const MAX_LEVELS: usize = 20;

/// A request to one model, as read from either protocol.
#[derive(Debug, Default)]
pub struct Query {
    /// The series wanted, as id values in the order of the model's id columns; `None`: all
    /// (the model's, or the history's).
    pub keys: Option<Vec<Vec<String>>>,
    pub horizon: Option<usize>,
    pub levels: Option<Vec<f64>>,
    /// New history rows (column → cell), each with the name its messages give it
    /// (`history[3]`, `row 5`).
    pub history: Option<Vec<(String, Map<String, Value>)>>,
}

/// The horizon and levels a query resolves to.
pub struct Resolved {
    pub horizon: usize,
    pub levels: Vec<f64>,
    /// What reading the history sent found but did not refuse (gaps filled, negative values),
    /// each with its place: `history[3].sales: …`.
    pub warnings: Vec<String>,
}

/// The cell of a JSON value, as a CSV file would hold it: strings as they are, numbers in their
/// shortest exact form, null as a missing cell.
pub fn cell(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Null => Some(String::new()),
        Value::Bool(_) | Value::Array(_) | Value::Object(_) => None,
    }
}

/// The key of one series named by its ids (`where` names it in messages).
pub fn key_of(ids: &Map<String, Value>, loaded: &Loaded, place: &str) -> Result<Vec<String>, ApiError> {
    let columns = &loaded.artifact.training.id_columns;
    if let Some(extra) = ids.keys().find(|k| !columns.contains(k)) {
        return Err(ApiError::unprocessable(format!(
            "{place}: '{extra}' is not an id column of {} (its ids: {})",
            loaded.name,
            if columns.is_empty() {
                "none, it has one series".to_string()
            } else {
                columns.join(", ")
            }
        )));
    }
    columns
        .iter()
        .map(|c| match ids.get(c) {
            None => Err(ApiError::unprocessable(format!(
                "{place}: the id column '{c}' is missing"
            ))),
            Some(v) => cell(v)
                .filter(|s| !s.is_empty())
                .ok_or_else(|| ApiError::unprocessable(format!("{place}.{c}: an id is a string or a number, got {v}"))),
        })
        .collect()
}

impl Query {
    /// The forecasts this query asks for (blocking: call from a blocking task).
    pub fn answer(&self, loaded: &Loaded, limits: &Limits) -> Result<(Resolved, PanelForecast), ApiError> {
        let art = &loaded.artifact;
        let horizon = self.horizon.unwrap_or(art.horizon);
        if horizon == 0 || horizon > limits.max_horizon {
            let whose = if self.horizon.is_some() {
                String::new()
            } else {
                format!(
                    " (the horizon {} version {} was trained for; ask for one)",
                    loaded.name, loaded.version
                )
            };
            return Err(ApiError::unprocessable(format!(
                "horizon: {horizon}{whose} is outside this server's limits, 1 to {} periods",
                limits.max_horizon
            )));
        }
        let asked = self.levels.clone().unwrap_or_else(|| art.levels.clone());
        if asked.len() > MAX_LEVELS {
            return Err(ApiError::unprocessable(format!(
                "levels: {} levels asked for, over this server's limit of {MAX_LEVELS}",
                asked.len()
            )));
        }
        // Sorted and without repeats, as every model answers them (the answer's labels follow).
        let levels =
            horizon_core::models::check_levels(&asked).map_err(|e| ApiError::unprocessable(format!("levels: {e}")))?;
        let options = ForecastOptions::new(horizon, &levels);
        let mut resolved = Resolved {
            horizon,
            levels,
            warnings: Vec::new(),
        };
        if let Some(keys) = &self.keys {
            self.check_count(keys.len(), &resolved, limits)?;
        }
        let out = match &self.history {
            None => {
                let keys = match &self.keys {
                    Some(keys) => {
                        let trained: std::collections::HashSet<&Vec<String>> =
                            art.training.series.iter().map(|s| &s.key).collect();
                        if let Some((i, k)) = keys.iter().enumerate().find(|(_, k)| !trained.contains(k)) {
                            return Err(unknown(loaded, i, k));
                        }
                        keys.clone()
                    }
                    None => art.training.series.iter().map(|s| s.key.clone()).collect(),
                };
                self.check_count(keys.len(), &resolved, limits)?;
                stored_forecast(art, &keys, &options)
            }
            Some(rows) => {
                let (panel, warnings) = history_panel(rows, loaded)?;
                resolved.warnings = warnings;
                let at: std::collections::HashMap<&Vec<String>, usize> =
                    panel.series.iter().enumerate().map(|(i, s)| (&s.key, i)).collect();
                let only = match &self.keys {
                    Some(keys) => keys
                        .iter()
                        .enumerate()
                        .map(|(i, k)| {
                            at.get(k).copied().ok_or_else(|| {
                                ApiError::unprocessable(format!(
                                    "series[{i}]: {} has no rows in the history sent",
                                    horizon_core::data::key_label(k)
                                ))
                            })
                        })
                        .collect::<Result<Vec<usize>, ApiError>>()?,
                    None => (0..panel.series.len()).collect(),
                };
                self.check_count(only.len(), &resolved, limits)?;
                let options = ForecastOptions {
                    only: Some(only),
                    ..options
                };
                forecast(&panel, ModelSource::Artifact(art), &options)
            }
        }
        .map_err(|e| ApiError::unprocessable(e.to_string()))?;
        Ok((resolved, out))
    }

    fn check_count(&self, n: usize, resolved: &Resolved, limits: &Limits) -> Result<(), ApiError> {
        if n > limits.max_series {
            return Err(ApiError::unprocessable(format!(
                "series: {n} series asked for, over this server's limit of {} per request",
                limits.max_series
            )));
        }
        let values = n
            .saturating_mul(resolved.horizon)
            .saturating_mul(1 + 2 * resolved.levels.len());
        if values > MAX_VALUES {
            return Err(ApiError::unprocessable(format!(
                "{n} series x {} periods x {} levels is {values} numbers, over this server's limit of {MAX_VALUES} \
                 per answer: ask for fewer series, a shorter horizon or fewer levels",
                resolved.horizon,
                resolved.levels.len()
            )));
        }
        Ok(())
    }
}

fn unknown(loaded: &Loaded, i: usize, key: &[String]) -> ApiError {
    let ids: Vec<String> = loaded
        .artifact
        .training
        .id_columns
        .iter()
        .zip(key)
        .map(|(c, v)| format!("{c}={v}"))
        .collect();
    ApiError::unprocessable(format!(
        "series[{i}]: {} version {} was not trained on a series {}",
        loaded.name,
        loaded.version,
        ids.join(", ")
    ))
}

/// The history rows as a panel, read as the model's training data was (its columns, policies
/// and frequency) by the same ingestion as files: every error names the row and the column.
fn history_panel(rows: &[(String, Map<String, Value>)], loaded: &Loaded) -> Result<(Panel, Vec<String>), ApiError> {
    let t = &loaded.artifact.training;
    let columns: Vec<&String> = t
        .id_columns
        .iter()
        .chain([&t.date_column, &t.value_column])
        .chain(&t.exog_columns)
        .collect();
    if rows.is_empty() {
        return Err(ApiError::unprocessable("history: no rows"));
    }
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    let header_error = |e: csv::Error| ApiError::internal(format!("history: {e}"));
    w.write_record(&columns).map_err(header_error)?;
    for (place, row) in rows {
        if let Some(extra) = row.keys().find(|k| !columns.contains(k)) {
            return Err(ApiError::unprocessable(format!(
                "{place}: '{extra}' is not a column of {} (its columns: {})",
                loaded.name,
                columns.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ")
            )));
        }
        let cells = columns
            .iter()
            .map(|c| match row.get(c.as_str()) {
                None if *c == &t.date_column || t.id_columns.contains(c) => {
                    Err(ApiError::unprocessable(format!("{place}: the column '{c}' is missing")))
                }
                None => Ok(String::new()),
                Some(v) => cell(v).filter(|s| !s.contains(['\n', '\r'])).ok_or_else(|| {
                    ApiError::unprocessable(format!(
                        "{place}.{c}: a cell is a string without line breaks, a number or null, got {v}"
                    ))
                }),
            })
            .collect::<Result<Vec<String>, ApiError>>()?;
        w.write_record(&cells).map_err(header_error)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| ApiError::internal(format!("history: {e}")))?;
    // Written here with commas, whatever the training file's delimiter was.
    let options = horizon_core::data::IngestOptions {
        delimiter: Some(b','),
        ..loaded.artifact.ingest_options()
    };
    let ing = ingest_csv(&bytes, "history", &options);
    // Each issue at its place in the request: `history[3].sales`, else the series, else `history`.
    let said = |severity: Severity, most: usize| -> Vec<String> {
        ing.report
            .issues
            .iter()
            .filter(|i| i.severity == severity)
            .take(most)
            .map(|i| {
                let place = i
                    .row
                    .and_then(|r| r.checked_sub(2))
                    .and_then(|r| rows.get(r))
                    .map(|(p, _)| p.clone())
                    .or_else(|| i.series.as_ref().map(|s| format!("history, series {s}")))
                    .unwrap_or_else(|| "history".to_string());
                match &i.column {
                    Some(c) => format!("{place}.{c}: {}", i.message),
                    None => format!("{place}: {}", i.message),
                }
            })
            .collect()
    };
    // The calendar first: monthly dates read on a weekly model's grid are off it, and this is why.
    loaded
        .artifact
        .check_calendar(&ing.stats)
        .map_err(|e| ApiError::unprocessable(format!("history: {e}")))?;
    let errors = said(Severity::Error, 10);
    if !errors.is_empty() {
        return Err(ApiError::unprocessable(errors.join("; ")));
    }
    let warnings = said(Severity::Warning, 20);
    let panel = ing
        .panel
        .ok_or_else(|| ApiError::unprocessable("history: nothing could be read"))?;
    Ok((panel, warnings))
}
