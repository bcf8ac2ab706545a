//! What-if plans: drivers (promotion, price, discount, any exogenous column of the data) set for
//! days of the forecast horizon. A plan is a CSV like any input — the id columns, the date
//! (`YYYY-MM-DD`) and one or more of the data's driver columns — read with the same care: an
//! unknown series, a date outside the horizon, a value that is not a number or a row given
//! twice is refused with its row (as a spreadsheet numbers it) and column. An empty cell leaves
//! the driver at the model's usual value.

use super::Panel;
use super::dates::DateFormat;
use crate::models::ModelError;
use std::collections::BTreeMap;
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Error)]
#[error("{file}: {at}{message}")]
pub struct PlanError {
    pub file: String,
    /// "row 4, column promotion: ", or empty for the file as a whole.
    pub at: String,
    pub message: String,
}

/// Drivers set per series and step of the horizon.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plan {
    /// The data's driver columns the plan sets.
    pub columns: Vec<String>,
    /// Where each of `columns` is among the data's driver columns (a model reads the data's
    /// drivers in their order, or the first of them).
    pub at: Vec<usize>,
    /// Per series key, per step (0 = the first forecast period): the values set, one per
    /// column (`None`: left at the usual value).
    pub steps: BTreeMap<Vec<String>, BTreeMap<usize, Vec<Option<f64>>>>,
}

impl Plan {
    /// Whether the plan sets anything for the series `key`.
    pub fn covers(&self, key: &[String]) -> bool {
        self.steps.get(key).is_some_and(|s| !s.is_empty())
    }

    /// The drivers of a model for `horizon` steps of series `key`: `usual` (name and value of
    /// each driver the model reads, as [`crate::Fitted::drivers`] gives them) with the plan's
    /// values where it sets them; `[step][driver]`. `None` when the plan leaves the series
    /// alone; an error when the plan sets a driver the model does not read.
    pub fn future(
        &self,
        key: &[String],
        usual: &[(String, f64)],
        horizon: usize,
    ) -> Result<Option<Vec<Vec<f64>>>, ModelError> {
        let Some(steps) = self.steps.get(key).filter(|s| !s.is_empty()) else {
            return Ok(None);
        };
        if usual.is_empty() {
            return Err(ModelError::Plan(format!(
                "this model does not forecast from a plan's drivers ({}): use gbm, which learns what drivers do \
                 from every series",
                self.columns.join(", ")
            )));
        }
        let mut at = Vec::with_capacity(self.columns.len());
        for (c, &i) in self.columns.iter().zip(&self.at) {
            if i >= usual.len() {
                return Err(ModelError::Plan(format!(
                    "this model does not read '{c}' (it reads the first {} of the data's drivers)",
                    usual.len()
                )));
            }
            at.push(i);
        }
        let mut rows: Vec<Vec<f64>> = vec![usual.iter().map(|(_, v)| *v).collect(); horizon];
        for (&step, values) in steps {
            let Some(row) = rows.get_mut(step) else { continue };
            for (&i, v) in at.iter().zip(values) {
                if let Some(v) = v {
                    row[i] = *v;
                }
            }
        }
        Ok(Some(rows))
    }

    /// Where the plan sets a driver beyond every value the data shows for it,
    /// one line per such driver, naming its first such value, where, and how many more there
    /// are. A model learns what a driver does only from the values it has seen: trees (gbm)
    /// forecast a price of 0.5 as the lowest price in the history, so a plan past the history
    /// would change the forecast less than the planner expects, silently.
    ///
    /// The range is the series' own (a price of 12 for a product sold at 34–45 is news to the
    /// model even when cheaper products exist), the data's when the series held the driver
    /// constant (a product never promoted: the model knows promotions from the others).
    pub fn unseen(&self, panel: &Panel, horizon: usize) -> Vec<String> {
        let range = |values: &mut dyn Iterator<Item = f64>| {
            let (lo, hi) = values
                .filter(|v| v.is_finite())
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
            (lo <= hi).then_some((lo, hi))
        };
        let mut lines = Vec::new();
        for (c, (name, &at)) in self.columns.iter().zip(&self.at).enumerate() {
            let everywhere = range(&mut panel.series.iter().filter_map(|s| s.exog.get(at)).flatten().copied());
            let mut outside = self.steps.iter().flat_map(|(key, steps)| {
                let series = panel.find(key).map(|i| &panel.series[i]);
                // A driver the series held constant (never promoted) says nothing of its own
                // range: what the model knows of it comes from the other series.
                let own = series
                    .and_then(|s| range(&mut s.exog.get(at).into_iter().flatten().copied()))
                    .filter(|(lo, hi)| lo < hi);
                let whose = if own.is_some() { "of this series" } else { "in the data" };
                let bounds = own.or(everywhere);
                steps.iter().filter_map(move |(&step, values)| {
                    let v = values.get(c).copied().flatten()?;
                    let (lo, hi) = bounds?;
                    (v < lo || v > hi).then_some((key, series, step, v, lo, hi, whose))
                })
            });
            let Some((key, series, step, v, lo, hi, whose)) = outside.next() else {
                continue;
            };
            let more = match outside.count() {
                0 => String::new(),
                n => format!(" and {n} more value{}", if n == 1 { "" } else { "s" }),
            };
            let when = series
                .and_then(|s| s.future_dates(horizon).get(step).copied())
                .map(|d| format!(" on {d}"))
                .unwrap_or_default();
            lines.push(format!(
                "{name}: the plan sets {v} for {}{when}{more}, outside every {name} {whose} ({lo} to {hi}); \
                 a model learns a driver's effect only from values it has seen (gbm forecasts such a value as \
                 the nearest one seen)",
                super::key_label(key)
            ));
        }
        lines
    }
}

/// Read the plan CSV `bytes` (named `file` in messages) for a forecast of `horizon` periods
/// of `panel`.
pub fn read_plan(bytes: &[u8], file: &str, panel: &Panel, horizon: usize) -> Result<Plan, PlanError> {
    let fail = |at: String, message: String| PlanError {
        file: file.to_string(),
        at,
        message,
    };
    // The delimiter as a sales file's is found: a plan saved from a European spreadsheet has ';'.
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(64 * 1024)]);
    let delimiter = super::sniff::sniff_delimiter(&head).unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .delimiter(delimiter)
        .from_reader(bytes);
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| fail(String::new(), format!("cannot read the header: {e}")))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
        .collect();
    let find = |name: &str| header.iter().position(|h| h == name);
    let ids: Vec<usize> = panel
        .id_columns
        .iter()
        .map(|c| {
            find(c).ok_or_else(|| {
                fail(
                    String::new(),
                    format!(
                        "the plan has no '{c}' column (a plan names each series by {})",
                        panel.id_columns.join(", ")
                    ),
                )
            })
        })
        .collect::<Result<_, _>>()?;
    let date = find(&panel.date_column)
        .or_else(|| find("date"))
        .ok_or_else(|| fail(String::new(), format!("the plan has no '{}' column", panel.date_column)))?;
    let mut columns = Vec::new();
    let mut driver_at = Vec::new();
    let mut at = Vec::new();
    for (i, h) in header.iter().enumerate() {
        if ids.contains(&i) || i == date {
            continue;
        }
        if !panel.exog_columns.contains(h) {
            let known = if panel.exog_columns.is_empty() {
                "the data has none".to_string()
            } else {
                panel.exog_columns.join(", ")
            };
            return Err(fail(
                format!("column {h}: "),
                format!("'{h}' is not a driver of the data ({known})"),
            ));
        }
        if columns.contains(h) {
            return Err(fail(
                format!("column {h}: "),
                format!("'{h}' is given twice: the plan would set it to two values at once"),
            ));
        }
        columns.push(h.clone());
        driver_at.push(i);
        at.push(panel.exog_columns.iter().position(|e| e == h).unwrap_or(0));
    }
    if columns.is_empty() {
        return Err(fail(
            String::new(),
            "the plan sets no driver: add a column such as promotion or price".into(),
        ));
    }
    let mut steps: BTreeMap<Vec<String>, BTreeMap<usize, Vec<Option<f64>>>> = BTreeMap::new();
    // A plan is small: read whole, so a column's decimal commas (`12,5`) are known before
    // `1,250` in it is read.
    let records: Vec<_> = reader.records().collect();
    let decimal_comma = delimiter == b';';
    let commas_settled: Vec<bool> = driver_at
        .iter()
        .map(|&i| {
            decimal_comma
                && records
                    .iter()
                    .flatten()
                    .any(|r| r.get(i).is_some_and(super::sniff::settles_decimal_comma))
        })
        .collect();
    for (k, record) in records.into_iter().enumerate() {
        let row = k + 2;
        let record = record.map_err(|e| fail(format!("row {row}: "), e.to_string()))?;
        let key: Vec<String> = ids
            .iter()
            .map(|&i| record.get(i).unwrap_or("").trim().to_string())
            .collect();
        let Some(s) = panel.find(&key).map(|i| &panel.series[i]) else {
            return Err(fail(
                format!("row {row}: "),
                format!("'{}' is not a series of the data", super::key_label(&key)),
            ));
        };
        let cell = record.get(date).unwrap_or("").trim();
        let Some(d) = DateFormat::Iso.parse(cell) else {
            return Err(fail(
                format!("row {row}, column {}: ", header[date]),
                format!("'{cell}' is not a date (write YYYY-MM-DD)"),
            ));
        };
        let future = s.future_dates(horizon);
        let Some(step) = future.iter().position(|f| *f == d) else {
            let span = match (future.first(), future.last()) {
                (Some(a), Some(b)) => format!("{a} to {b}"),
                _ => "none".into(),
            };
            return Err(fail(
                format!("row {row}, column {}: ", header[date]),
                format!("{d} is not a period of the forecast of '{}' ({span})", s.label()),
            ));
        };
        let mut values = Vec::with_capacity(driver_at.len());
        for ((&i, c), &settled) in driver_at.iter().zip(&columns).zip(&commas_settled) {
            let text = record.get(i).unwrap_or("").trim();
            if text.is_empty() {
                values.push(None);
                continue;
            }
            if let Some(why) = super::sniff::ambiguous_number(text, decimal_comma, settled) {
                return Err(fail(format!("row {row}, column {c}: "), why));
            }
            match super::sniff::parse_number(text, decimal_comma) {
                Ok(Some(v)) if v.abs() <= super::ingest::MAX_MAGNITUDE => values.push(Some(v)),
                Ok(Some(v)) if v.is_finite() => {
                    return Err(fail(
                        format!("row {row}, column {c}: "),
                        format!("{text} is beyond ±1e100, more than any sales data holds"),
                    ));
                }
                _ => {
                    return Err(fail(
                        format!("row {row}, column {c}: "),
                        format!("'{text}' is not a number"),
                    ));
                }
            }
        }
        if steps.entry(key.clone()).or_default().insert(step, values).is_some() {
            return Err(fail(
                format!("row {row}: "),
                format!("'{}' on {d} is planned twice", super::key_label(&key)),
            ));
        }
    }
    if steps.is_empty() {
        return Err(fail(
            String::new(),
            "the plan has no rows: it would change nothing (one row per series and period it sets)".into(),
        ));
    }
    Ok(Plan { columns, at, steps })
}

/// A plan as CSV, as [`read_plan`] reads it back (`dates` gives each series' forecast periods).
pub fn plan_csv(panel: &Panel, plan: &Plan, dates: impl Fn(&[String]) -> Vec<chrono::NaiveDate>) -> String {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    let mut header = panel.id_columns.clone();
    header.push(panel.date_column.clone());
    header.extend(plan.columns.iter().cloned());
    let _ = w.write_record(&header);
    for (key, steps) in &plan.steps {
        let future = dates(key);
        for (&step, values) in steps {
            let Some(d) = future.get(step) else { continue };
            let mut rec = key.clone();
            rec.push(d.to_string());
            rec.extend(values.iter().map(|v| v.map(|v| v.to_string()).unwrap_or_default()));
            let _ = w.write_record(&rec);
        }
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}
