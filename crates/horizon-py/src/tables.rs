//! Result tables in statsforecast's layout: a row per series and date, the id and date columns,
//! then per model its point forecast `m` and bounds `m-lo-L` (widest first), `m-hi-L`.

use crate::arrow_io::{ArrowTable, Out};
use chrono::NaiveDate;
use horizon_core::Panel;
use horizon_core::eval::BacktestResult;
use horizon_core::export::level_label;
use horizon_core::forecast::PanelForecast;
use horizon_core::models::Forecast;
use pyo3::prelude::*;
use std::collections::HashMap;

/// The column names of one model, in order, with the level each bound belongs to.
fn model_columns(model: &str, levels: &[f64]) -> Vec<(String, Option<(f64, bool)>)> {
    let mut sorted = levels.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.dedup();
    let mut out = vec![(model.to_string(), None)];
    for &l in sorted.iter().rev() {
        out.push((format!("{model}-lo-{}", level_label(l)), Some((l, false))));
    }
    for &l in &sorted {
        out.push((format!("{model}-hi-{}", level_label(l)), Some((l, true))));
    }
    out
}

/// One model's values for a block of rows: the point forecast or a bound.
fn values_of(fc: &Forecast, which: Option<(f64, bool)>) -> Vec<f64> {
    match which {
        None => fc.point.clone(),
        Some((level, upper)) => match fc.intervals.iter().find(|iv| iv.level == level) {
            Some(iv) if upper => iv.upper.clone(),
            Some(iv) => iv.lower.clone(),
            None => vec![f64::NAN; fc.point.len()],
        },
    }
}

/// Rows: blocks of consecutive rows, each one series' (or one series and window's) dates.
struct Blocks {
    keys: Vec<Vec<String>>,
    dates: Vec<Vec<NaiveDate>>,
}

impl Blocks {
    fn id_and_date_columns(&self, id_columns: &[String], date_column: &str) -> Vec<(String, Out)> {
        let mut out: Vec<(String, Out)> = id_columns
            .iter()
            .enumerate()
            .map(|(j, name)| {
                let cells = self
                    .keys
                    .iter()
                    .zip(&self.dates)
                    .flat_map(|(k, d)| std::iter::repeat_n(k.get(j).cloned().unwrap_or_default(), d.len()))
                    .collect();
                (name.clone(), Out::Text(cells))
            })
            .collect();
        out.push((date_column.to_string(), Out::Date(self.dates.concat())));
        out
    }

    fn rows(&self) -> usize {
        self.dates.iter().map(Vec::len).sum()
    }
}

/// Fill the columns of one model from its forecasts, block by block (NaN where it has none).
fn model_block_columns(
    model: &str,
    levels: &[f64],
    blocks: &Blocks,
    forecast_of: impl Fn(usize) -> Option<Forecast>,
) -> Vec<(String, Out)> {
    let columns = model_columns(model, levels);
    let mut values: Vec<Vec<f64>> = vec![Vec::with_capacity(blocks.rows()); columns.len()];
    for (b, dates) in blocks.dates.iter().enumerate() {
        let fc = forecast_of(b);
        for (c, (_, which)) in columns.iter().enumerate() {
            match &fc {
                Some(fc) => values[c].extend(values_of(fc, *which)),
                None => values[c].extend(std::iter::repeat_n(f64::NAN, dates.len())),
            }
        }
    }
    columns
        .into_iter()
        .zip(values)
        .map(|((name, _), v)| (name, Out::Number(v)))
        .collect()
}

/// The forecasts of several models, side by side: a block of rows per `expected` series
/// (its id values and forecast dates), in that order; a model that could not forecast a series
/// has NaN there, as statsforecast's failed fits do.
pub fn forecast_table(
    id_columns: &[String],
    date_column: &str,
    expected: Vec<(Vec<String>, Vec<NaiveDate>)>,
    runs: &[(String, &PanelForecast)],
    levels: &[f64],
) -> PyResult<ArrowTable> {
    let mut blocks = Blocks {
        keys: Vec::with_capacity(expected.len()),
        dates: Vec::with_capacity(expected.len()),
    };
    for (key, dates) in expected {
        blocks.keys.push(key);
        blocks.dates.push(dates);
    }
    let index: HashMap<&[String], usize> = blocks.keys.iter().enumerate().map(|(b, k)| (k.as_slice(), b)).collect();
    let mut columns = blocks.id_and_date_columns(id_columns, date_column);
    for (name, run) in runs {
        let by_block: HashMap<usize, &Forecast> = run
            .forecasts
            .iter()
            .filter_map(|d| index.get(d.forecast.key.as_slice()).map(|&b| (b, &d.forecast.forecast)))
            .collect();
        columns.extend(model_block_columns(name, levels, &blocks, |b| {
            by_block.get(&b).map(|f| (*f).clone())
        }));
    }
    ArrowTable::new(columns)
}

/// Backtests' forecasts as statsforecast's `cross_validation` gives them: a row per series,
/// window and date, with the window's `cutoff` (the last date trained on) and the actual value,
/// then each model's columns (one backtest per model, so models sharing a name stay apart).
pub fn cross_validation_table(
    panel: &Panel,
    results: &[(String, BacktestResult)],
    levels: &[f64],
) -> PyResult<ArrowTable> {
    let by_label: HashMap<String, usize> = panel.series.iter().enumerate().map(|(i, s)| (s.label(), i)).collect();
    // Blocks: (series, window) in the order of the backtest (series by series, fold by fold).
    let mut block_of: HashMap<(usize, usize), usize> = HashMap::new();
    let mut blocks = Blocks {
        keys: Vec::new(),
        dates: Vec::new(),
    };
    let mut cutoffs: Vec<NaiveDate> = Vec::new();
    let mut actuals: Vec<f64> = Vec::new();
    for (_, result) in results {
        let h = result.config.horizon;
        for f in &result.folds {
            let Some(&i) = by_label.get(&f.series) else { continue };
            if block_of.contains_key(&(i, f.fold)) {
                continue;
            }
            let s = &panel.series[i];
            let Ok(at) = s.dates.binary_search(&f.origin) else {
                continue;
            };
            if at == 0 || at + h > s.len() {
                continue;
            }
            block_of.insert((i, f.fold), blocks.keys.len());
            blocks.keys.push(s.key.clone());
            blocks.dates.push(s.dates[at..at + h].to_vec());
            cutoffs.extend(std::iter::repeat_n(s.dates[at - 1], h));
            actuals.extend_from_slice(&s.values[at..at + h]);
        }
    }
    let mut columns = blocks.id_and_date_columns(&panel.id_columns, &panel.date_column);
    columns.push(("cutoff".into(), Out::Date(cutoffs)));
    columns.push((panel.value_column.clone(), Out::Number(actuals)));
    for (name, result) in results {
        let forecasts: HashMap<usize, &Forecast> = result
            .folds
            .iter()
            .filter_map(|f| {
                let b = block_of.get(&(*by_label.get(&f.series)?, f.fold))?;
                Some((*b, f.forecast.as_ref()?))
            })
            .collect();
        columns.extend(model_block_columns(name, levels, &blocks, |b| {
            forecasts.get(&b).map(|f| (*f).clone())
        }));
    }
    ArrowTable::new(columns)
}
