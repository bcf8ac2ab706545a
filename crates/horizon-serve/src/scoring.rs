//! `POST /invocations`: the scoring protocol of `mlflow models serve`, so that clients written
//! for MLflow's scoring server work unchanged against Horizon.
//!
//! The body is a pandas data frame as MLflow sends it — JSON `dataframe_split`
//! (`{"columns": [...], "data": [[...]]}`) or `dataframe_records` (`[{...}]`), or CSV with a
//! header — with optional `params` (`horizon`, `levels`). A frame holding the model's date and
//! value columns is new history (forecast as `horizon forecast --registered` forecasts a
//! file); otherwise each row names a series by its id columns and the stored model answers.
//! The answer is `{"predictions": [...]}`, one record per series and date with the columns of
//! `horizon forecast`'s CSV (`<ids>, date, model, forecast, lo_<L>, hi_<L>`).

use crate::error::ApiError;
use crate::models::Loaded;
use crate::query::{Query, Resolved, key_of};
use horizon_core::export::level_label;
use horizon_core::forecast::PanelForecast;
use serde_json::{Map, Value, json};

/// A frame's rows, each with its place for messages (`row 3`: the row's index from 0, as
/// pandas numbers it; `CSV row 4` as a spreadsheet numbers it, the header being row 1).
type Rows = Vec<(String, Map<String, Value>)>;

/// The rows and params of a scoring request.
pub struct Frame {
    pub rows: Rows,
    pub columns: Vec<String>,
    pub params: Map<String, Value>,
}

/// Read a scoring request's body (`csv` when the content type says text/csv).
pub fn parse(body: &[u8], csv: bool) -> Result<Frame, ApiError> {
    if csv {
        return parse_csv(body);
    }
    let v: Value =
        serde_json::from_slice(body).map_err(|e| ApiError::bad_request(format!("the body is not JSON: {e}")))?;
    let Value::Object(mut top) = v else {
        return Err(ApiError::bad_request(
            "the body must be a JSON object with dataframe_split or dataframe_records (MLflow's scoring protocol)",
        ));
    };
    let params = match top.remove("params") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(p)) => p,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "params: an object is expected, got {other}"
            )));
        }
    };
    let keys: Vec<String> = top.keys().cloned().collect();
    let (columns, rows) = match (top.remove("dataframe_split"), top.remove("dataframe_records")) {
        (Some(split), None) => split_rows(split)?,
        (None, Some(records)) => record_rows(records)?,
        _ => {
            return Err(ApiError::bad_request(format!(
                "the body must hold exactly one of dataframe_split or dataframe_records (found: {})",
                if keys.is_empty() {
                    "nothing".to_string()
                } else {
                    keys.join(", ")
                }
            )));
        }
    };
    if let Some(k) = top.keys().next() {
        return Err(ApiError::bad_request(format!("'{k}' is not part of a scoring request")));
    }
    Ok(Frame { rows, columns, params })
}

fn place(i: usize) -> String {
    format!("row {i}")
}

fn split_rows(split: Value) -> Result<(Vec<String>, Rows), ApiError> {
    let Value::Object(mut split) = split else {
        return Err(ApiError::bad_request(
            "dataframe_split: an object with columns and data is expected",
        ));
    };
    let columns: Vec<String> = match split.remove("columns") {
        Some(Value::Array(cols)) => cols
            .iter()
            .enumerate()
            .map(|(j, c)| match c {
                Value::String(s) => Ok(s.clone()),
                other => Err(ApiError::bad_request(format!(
                    "dataframe_split.columns[{j}]: a column name is a string, got {other}"
                ))),
            })
            .collect::<Result<_, _>>()?,
        _ => {
            return Err(ApiError::bad_request(
                "dataframe_split.columns: a list of column names is expected",
            ));
        }
    };
    let Some(Value::Array(data)) = split.remove("data") else {
        return Err(ApiError::bad_request(
            "dataframe_split.data: a list of rows is expected",
        ));
    };
    let rows = data
        .into_iter()
        .enumerate()
        .map(|(i, row)| match row {
            Value::Array(cells) if cells.len() == columns.len() => {
                Ok((place(i), columns.iter().cloned().zip(cells).collect::<Map<_, _>>()))
            }
            Value::Array(cells) => Err(ApiError::bad_request(format!(
                "dataframe_split.data[{i}]: {} cell(s) for {} column(s)",
                cells.len(),
                columns.len()
            ))),
            other => Err(ApiError::bad_request(format!(
                "dataframe_split.data[{i}]: a row is a list, got {other}"
            ))),
        })
        .collect::<Result<_, _>>()?;
    Ok((columns, rows))
}

fn record_rows(records: Value) -> Result<(Vec<String>, Rows), ApiError> {
    let Value::Array(records) = records else {
        return Err(ApiError::bad_request(
            "dataframe_records: a list of records is expected",
        ));
    };
    let mut columns: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let rows = records
        .into_iter()
        .enumerate()
        .map(|(i, r)| match r {
            Value::Object(m) => {
                for k in m.keys() {
                    if seen.insert(k.clone()) {
                        columns.push(k.clone());
                    }
                }
                Ok((place(i), m))
            }
            other => Err(ApiError::bad_request(format!(
                "dataframe_records[{i}]: a record is an object, got {other}"
            ))),
        })
        .collect::<Result<_, _>>()?;
    Ok((columns, rows))
}

fn parse_csv(body: &[u8]) -> Result<Frame, ApiError> {
    let mut reader = csv::ReaderBuilder::new().from_reader(body);
    let columns: Vec<String> = reader
        .headers()
        .map_err(|e| ApiError::bad_request(format!("CSV header: {e}")))?
        .iter()
        .map(str::to_string)
        .collect();
    let mut rows = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|e| ApiError::bad_request(format!("CSV row {}: {e}", i + 2)))?;
        let m = columns
            .iter()
            .cloned()
            .zip(rec.iter().map(|c| Value::String(c.to_string())))
            .collect();
        rows.push((format!("CSV row {}", i + 2), m));
    }
    Ok(Frame {
        rows,
        columns,
        params: Map::new(),
    })
}

impl Frame {
    /// The query this frame makes of `loaded`.
    pub fn query(self, loaded: &Loaded) -> Result<Query, ApiError> {
        let mut query = Query::default();
        for (k, v) in &self.params {
            match k.as_str() {
                "horizon" => {
                    query.horizon = Some(
                        v.as_u64()
                            .and_then(|h| usize::try_from(h).ok())
                            .ok_or_else(|| ApiError::bad_request(format!("params.horizon: a whole number, got {v}")))?,
                    )
                }
                "levels" => {
                    query.levels =
                        Some(serde_json::from_value(v.clone()).map_err(|_| {
                            ApiError::bad_request(format!("params.levels: a list of percents, got {v}"))
                        })?)
                }
                other => {
                    return Err(ApiError::bad_request(format!(
                        "params.{other}: not a parameter of Horizon models (horizon, levels)"
                    )));
                }
            }
        }
        let t = &loaded.artifact.training;
        let is_history = self.columns.contains(&t.date_column) && self.columns.contains(&t.value_column);
        if is_history {
            query.history = Some(self.rows);
        } else {
            if self.rows.is_empty() {
                return Err(ApiError::unprocessable(
                    "the frame has no rows: name the series to forecast",
                ));
            }
            let mut keys: Vec<Vec<String>> = Vec::new();
            let mut seen = std::collections::HashSet::new();
            for (place, row) in &self.rows {
                let k = key_of(row, loaded, place)?;
                if seen.insert(k.clone()) {
                    keys.push(k);
                }
            }
            query.keys = Some(keys);
        }
        Ok(query)
    }
}

/// The scoring answer: `{"predictions": [records]}`; a series that could not be forecast makes
/// the whole request fail with its reason (a scoring client has nowhere to read failures).
pub fn predictions(loaded: &Loaded, resolved: &Resolved, out: &PanelForecast) -> Result<Value, ApiError> {
    if !out.failures.is_empty() {
        let reasons: Vec<String> = out
            .failures
            .iter()
            .map(|f| format!("{}: {}", f.series, f.error))
            .collect();
        return Err(ApiError::unprocessable(format!("not forecast: {}", reasons.join("; "))));
    }
    let ids = &loaded.artifact.training.id_columns;
    let labels: Vec<String> = resolved.levels.iter().map(|l| level_label(*l)).collect();
    let mut records = Vec::new();
    for d in &out.forecasts {
        let f = &d.forecast;
        for (j, date) in f.dates.iter().enumerate() {
            let mut r = Map::new();
            for (c, v) in ids.iter().zip(&f.key) {
                r.insert(c.clone(), json!(v));
            }
            r.insert("date".into(), json!(date.to_string()));
            r.insert("model".into(), json!(f.model));
            r.insert("forecast".into(), json!(f.forecast.point[j]));
            for (iv, l) in f.forecast.intervals.iter().zip(&labels) {
                r.insert(format!("lo_{l}"), json!(iv.lower[j]));
                r.insert(format!("hi_{l}"), json!(iv.upper[j]));
            }
            records.push(Value::Object(r));
        }
    }
    Ok(json!({ "predictions": records }))
}
