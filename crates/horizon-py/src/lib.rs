//! `horizon_forecast._core`: Horizon's forecasting core for Python (PyO3, abi3).
//!
//! Data frames come in through Arrow ([`arrow_io`]) and are read by the core's own ingestion
//! ([`horizon_core::data::ingest_frame`]: the checks and words of a CSV file's), so a frame
//! and the CSV file it would write give the same panel and the same forecasts as the `horizon`
//! command line. The Python package (`python/horizon_forecast`) wraps this module in a
//! statsforecast-like API; every call releases the GIL while the core works.

mod arrow_io;
mod model;
mod tables;

use arrow_io::ArrowTable;
use horizon_core::artifact::Artifact;
use horizon_core::data::{DuplicatePolicy, Frequency, GapPolicy, IngestOptions, ingest_frame};
use horizon_core::eval::{BacktestConfig, backtest_panel_levels};
use horizon_core::forecast::{ForecastOptions, ModelSource, PanelForecast, forecast, stored_forecast};
use horizon_core::pipeline::{Metric, TrainConfig};
use horizon_core::{ModelSpec, Panel};
use model::{Model, stored_rows};
use pyo3::create_exception;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;

create_exception!(
    _core,
    DataError,
    PyValueError,
    "The data frame cannot be read: the message lists each problem by row and column."
);
create_exception!(
    _core,
    ModelError,
    PyValueError,
    "A model, horizon or level that cannot be used, or a model that fits no series."
);

/// A failure of one series: (model, series, reason).
pub(crate) type Failure = (String, String, String);

/// Run `work` on `n_jobs` threads (`n_jobs < 1`: every core), without the GIL.
pub(crate) fn run<T: Send>(py: Python<'_>, n_jobs: i64, work: impl FnOnce() -> T + Send) -> PyResult<T> {
    py.detach(|| {
        if n_jobs < 1 {
            return Ok(work());
        }
        let threads = usize::try_from(n_jobs).unwrap_or(1);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|e| PyRuntimeError::new_err(format!("cannot start {threads} worker thread(s): {e}")))?;
        Ok(pool.install(work))
    })
}

/// A data frame read into series: the panel, how it was read, and the warnings.
#[pyclass(module = "horizon_forecast._core", frozen)]
pub struct Data {
    panel: Panel,
    options: IngestOptions,
    source: String,
    /// The reading's warnings, one line each (gaps filled, negative values, …).
    #[pyo3(get)]
    warnings: Vec<String>,
}

#[pymethods]
impl Data {
    /// The number of series.
    #[getter]
    fn n_series(&self) -> usize {
        self.panel.series.len()
    }

    /// The frequency: "daily", "weekly", "monthly" or "quarterly".
    #[getter]
    fn freq(&self) -> String {
        format!("{:?}", self.panel.freq).to_ascii_lowercase()
    }

    /// What a training run of these series with `recipe` starts from (SHA-256): the
    /// `horizon.input` tag by which a retried shard finds its registered version.
    fn fingerprint(&self, recipe: &str) -> String {
        horizon_core::data::shard::input_fingerprint(&self.panel, recipe)
    }

    /// The id columns, the date column and the value column.
    #[getter]
    fn roles(&self) -> (Vec<String>, String, String) {
        (
            self.panel.id_columns.clone(),
            self.panel.date_column.clone(),
            self.panel.value_column.clone(),
        )
    }
}

fn parse<T: std::str::FromStr<Err = String>>(what: &str, s: Option<&str>) -> PyResult<Option<T>> {
    s.map(|s| {
        s.parse::<T>()
            .map_err(|e| PyValueError::new_err(format!("{what}: {e}")))
    })
    .transpose()
}

/// Read a data frame (anything with `__arrow_c_stream__`, types normalised by the Python
/// side: dates as date32, numbers as float64, ids as text). Raises `DataError` with every
/// problem by row (the frame's position, from 0) and column.
#[pyfunction]
#[pyo3(signature = (data, *, id_columns, date_column, value_column, exog_columns=None, freq=None, season=None, duplicates=None, gaps=None, source="data frame"))]
#[allow(clippy::too_many_arguments)]
fn read(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    id_columns: Vec<String>,
    date_column: String,
    value_column: String,
    exog_columns: Option<Vec<String>>,
    freq: Option<&str>,
    season: Option<usize>,
    duplicates: Option<&str>,
    gaps: Option<&str>,
    source: &str,
) -> PyResult<Data> {
    let options = IngestOptions {
        date_column: Some(date_column),
        value_column: Some(value_column),
        id_columns: Some(id_columns),
        exog_columns,
        freq: parse::<Frequency>("freq", freq)?,
        duplicates: parse::<DuplicatePolicy>("duplicates", duplicates)?.unwrap_or_default(),
        gaps: parse::<GapPolicy>("gaps", gaps)?.unwrap_or_default(),
        season,
        ..IngestOptions::default()
    };
    read_with(py, data, options, source)
}

pub(crate) fn read_with(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    options: IngestOptions,
    source: &str,
) -> PyResult<Data> {
    read_checked(py, data, options, source, |_| Ok(()))
}

/// As [`read_with`], with `check` asked first about what the reading found (a model's
/// calendar: monthly dates read on a weekly model's grid are off it, and the calendar is why).
pub(crate) fn read_checked(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    options: IngestOptions,
    source: &str,
    check: impl FnOnce(&horizon_core::data::IngestStats) -> PyResult<()>,
) -> PyResult<Data> {
    let frame = arrow_io::read_frame(data)?;
    let ingested = py.detach(|| ingest_frame(&frame, source, &options));
    check(&ingested.stats)?;
    let lines = ingested.report.lines();
    match ingested.panel {
        Some(panel) if !ingested.report.has_errors() => Ok(Data {
            panel,
            options,
            source: source.to_string(),
            warnings: lines,
        }),
        _ => Err(DataError::new_err(format!(
            "{}\n{}: {} error(s), {} warning(s); nothing was forecast",
            lines.join("\n"),
            source,
            ingested.report.error_count(),
            ingested.report.warning_count()
        ))),
    }
}

/// Model specs as the command line reads them (`auto`, `ets:7`, `ensemble:ets/arima`, …),
/// with the season given to those that have none, and each its column name: the model's name
/// (`ets`), or the name as given (`seasonal-naive:7`) when two models share one.
fn specs(models: &[String], season: Option<usize>) -> PyResult<Vec<(String, ModelSpec)>> {
    let specs: Vec<ModelSpec> = models
        .iter()
        .map(|m| {
            m.parse::<ModelSpec>()
                .map(|s| s.with_default_season(season))
                .map_err(|e| ModelError::new_err(format!("model '{m}': {e}")))
        })
        .collect::<PyResult<_>>()?;
    if specs.is_empty() {
        return Err(ModelError::new_err("no model given"));
    }
    let given: Vec<String> = models.iter().map(|m| m.trim().to_string()).collect();
    if let Some(twice) = given.iter().enumerate().find(|(i, m)| given[..*i].contains(m)) {
        return Err(ModelError::new_err(format!("model '{}' is given twice", twice.1)));
    }
    let names: Vec<String> = specs.iter().map(ModelSpec::name).collect();
    Ok(specs
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let clash = names.iter().filter(|n| **n == names[i]).count() > 1;
            (if clash { given[i].clone() } else { names[i].clone() }, s)
        })
        .collect())
}

/// The result columns' model names for `models` (as `forecast`, `predict` and
/// `cross_validation` name them).
#[pyfunction]
#[pyo3(signature = (models, season=None))]
fn column_names(models: Vec<String>, season: Option<usize>) -> PyResult<Vec<String>> {
    Ok(specs(&models, season)?.into_iter().map(|(n, _)| n).collect())
}

/// Every series of the panel with its `h` forecast dates: the rows of a result table.
pub(crate) fn expected_rows(panel: &Panel, h: usize) -> Vec<(Vec<String>, Vec<chrono::NaiveDate>)> {
    panel
        .series
        .iter()
        .map(|s| (s.key.clone(), s.future_dates(h)))
        .collect()
}

pub(crate) fn model_error(e: impl std::fmt::Display) -> PyErr {
    ModelError::new_err(e.to_string())
}

pub(crate) fn failures_of(model: &str, out: &PanelForecast) -> Vec<Failure> {
    out.failures
        .iter()
        .map(|f| (model.to_string(), f.series.clone(), f.error.to_string()))
        .collect()
}

/// Forecast every series with each model: `(table, failures)`. `future_drivers`: the future
/// values of the drivers (statsforecast's `X_df`) as the CSV of a what-if plan, read by the
/// models that forecast from drivers (GBM); the others forecast without it.
#[pyfunction]
#[pyo3(signature = (data, models, h, levels, season=None, n_jobs=-1, future_drivers=None))]
#[allow(clippy::too_many_arguments)]
fn forecast_models(
    py: Python<'_>,
    data: &Data,
    models: Vec<String>,
    h: usize,
    levels: Vec<f64>,
    season: Option<usize>,
    n_jobs: i64,
    future_drivers: Option<&[u8]>,
) -> PyResult<(ArrowTable, Vec<Failure>)> {
    let specs = specs(&models, season)?;
    let options = ForecastOptions::new(h, &levels);
    let panel = &data.panel;
    horizon_core::forecast::check_horizon(h).map_err(model_error)?;
    let planned = match future_drivers {
        Some(csv) => Some(ForecastOptions {
            plan: Some(std::sync::Arc::new(
                horizon_core::data::plan::read_plan(csv, "X_df", panel, h)
                    .map_err(|e| DataError::new_err(e.to_string()))?,
            )),
            ..options.clone()
        }),
        None => None,
    };
    let runs = run(py, n_jobs, || {
        specs
            .iter()
            .map(|(name, spec)| {
                let Some(planned) = &planned else {
                    return forecast(panel, ModelSource::spec(spec), &options).map(|out| (name.clone(), out));
                };
                let out = forecast(panel, ModelSource::spec(spec), planned)?;
                // A model that reads no drivers forecasts without them (statsforecast's models
                // ignore X_df unless they use it).
                let reads_none = out.forecasts.is_empty()
                    && !out.failures.is_empty()
                    && out.failures.iter().all(|f| is_no_drivers(&f.error));
                if reads_none {
                    return forecast(panel, ModelSource::spec(spec), &options).map(|out| (name.clone(), out));
                }
                Ok((name.clone(), out))
            })
            .collect::<Result<Vec<_>, _>>()
    })?
    .map_err(model_error)?;
    // As `horizon forecast --future-drivers`: a plan that cannot be applied writes nothing.
    let unplanned: Vec<String> = runs
        .iter()
        .flat_map(|(name, out)| {
            out.failures
                .iter()
                .filter(|f| matches!(f.error, horizon_core::ModelError::Plan(_)))
                .map(move |f| format!("{name}: series '{}': {}", f.series, f.error))
        })
        .collect();
    if !unplanned.is_empty() {
        return Err(ModelError::new_err(format!(
            "X_df could not be applied:\n{}",
            unplanned.join("\n")
        )));
    }
    let failures = runs.iter().flat_map(|(name, out)| failures_of(name, out)).collect();
    let refs: Vec<(String, &PanelForecast)> = runs.iter().map(|(n, o)| (n.clone(), o)).collect();
    let table = tables::forecast_table(
        &panel.id_columns,
        &panel.date_column,
        expected_rows(panel, h),
        &refs,
        &levels,
    )?;
    Ok((table, failures))
}

/// The failure of a model that reads no drivers given a plan.
fn is_no_drivers(e: &horizon_core::ModelError) -> bool {
    matches!(e, horizon_core::ModelError::Plan(m) if m.starts_with("this model does not forecast from a plan"))
}

/// Backtest each model over `n_windows` windows of `h` periods, `step_size` apart: the table
/// and the series too short for the windows.
#[pyfunction]
#[pyo3(signature = (data, models, h, n_windows, step_size=None, levels=vec![95.0], season=None, n_jobs=-1))]
#[allow(clippy::too_many_arguments)]
fn cross_validation(
    py: Python<'_>,
    data: &Data,
    models: Vec<String>,
    h: usize,
    n_windows: usize,
    step_size: Option<usize>,
    levels: Vec<f64>,
    season: Option<usize>,
    n_jobs: i64,
) -> PyResult<(ArrowTable, Vec<String>)> {
    horizon_core::forecast::check_horizon(h).map_err(model_error)?;
    horizon_core::models::check_levels(&levels).map_err(model_error)?;
    let specs = specs(&models, season)?;
    let scored = *levels.iter().max_by(|a, b| a.total_cmp(b)).unwrap_or(&95.0);
    let cfg = BacktestConfig {
        horizon: h,
        folds: n_windows,
        step: step_size,
        season,
        level: scored,
    };
    let panel = &data.panel;
    let results = run(py, n_jobs, || {
        specs
            .iter()
            .map(|(name, spec)| {
                backtest_panel_levels(panel, std::slice::from_ref(spec), &cfg, &levels).map(|r| (name.clone(), r))
            })
            .collect::<Result<Vec<_>, _>>()
    })?
    .map_err(model_error)?;
    let skipped = results.first().map(|(_, r)| r.skipped.clone()).unwrap_or_default();
    Ok((tables::cross_validation_table(panel, &results, &levels)?, skipped))
}

/// Fit `model` to every series: `(Model, failures)`. `h` and `levels` are the defaults its
/// artifact keeps (as `horizon train` stores them).
#[pyfunction]
#[pyo3(signature = (data, model, h, levels, season=None, n_jobs=-1, created_at=String::new()))]
#[allow(clippy::too_many_arguments)]
fn fit(
    py: Python<'_>,
    data: &Data,
    model: String,
    h: usize,
    levels: Vec<f64>,
    season: Option<usize>,
    n_jobs: i64,
    created_at: String,
) -> PyResult<(Model, Vec<Failure>)> {
    let (name, spec) = specs(std::slice::from_ref(&model), season)?.remove(0);
    let cfg = TrainConfig {
        candidates: vec![spec.clone()],
        horizon: h,
        levels,
        folds: 0,
        season,
        metric: Metric::default(),
    };
    let (panel, options, source) = (&data.panel, &data.options, data.source.as_str());
    let (artifact, failures) = run(py, n_jobs, || {
        horizon_core::pipeline::fit(panel, &spec, source, options, &cfg, created_at)
    })?
    .map_err(model_error)?;
    let failures = failures
        .into_iter()
        .map(|f| (name.clone(), f.series, f.error.to_string()))
        .collect();
    Ok((Model { artifact }, failures))
}

/// Forecast with several fitted models side by side, from their stored fits: `(table,
/// failures)` in the layout of [`forecast_models`].
#[pyfunction]
#[pyo3(signature = (models, names, h, levels, n_jobs=-1))]
fn predict_models(
    py: Python<'_>,
    models: Vec<PyRef<'_, Model>>,
    names: Vec<String>,
    h: usize,
    levels: Vec<f64>,
    n_jobs: i64,
) -> PyResult<(ArrowTable, Vec<Failure>)> {
    let Some(first) = models.first() else {
        return Err(ModelError::new_err("no fitted model: call fit(df) first"));
    };
    if names.len() != models.len() {
        return Err(PyValueError::new_err("one column name per model"));
    }
    let t = &first.artifact.training;
    let options = ForecastOptions::new(h, &levels);
    let artifacts: Vec<&Artifact> = models.iter().map(|m| &m.artifact).collect();
    let runs = run(py, n_jobs, || {
        artifacts
            .iter()
            .zip(&names)
            .map(|(a, name)| {
                let keys: Vec<Vec<String>> = a.training.series.iter().map(|s| s.key.clone()).collect();
                stored_forecast(a, &keys, &options).map(|out| (name.clone(), out))
            })
            .collect::<Result<Vec<_>, _>>()
    })?
    .map_err(model_error)?;
    let failures = runs.iter().flat_map(|(name, out)| failures_of(name, out)).collect();
    let refs: Vec<(String, &PanelForecast)> = runs.iter().map(|(n, o)| (n.clone(), o)).collect();
    let table = tables::forecast_table(
        &t.id_columns,
        &t.date_column,
        stored_rows(&first.artifact, h),
        &refs,
        &levels,
    )?;
    Ok((table, failures))
}

/// The shard (1..=count) of each row of a frame, by its id columns: the split of `horizon
/// train --shard K/N` (ids trimmed as the reading trims them). A one-column table `shard`.
#[pyfunction]
fn shard_rows(py: Python<'_>, data: &Bound<'_, PyAny>, id_columns: Vec<String>, count: usize) -> PyResult<ArrowTable> {
    use horizon_core::data::FrameColumn;
    if count == 0 || count > horizon_core::data::shard::MAX_SHARDS {
        return Err(PyValueError::new_err(format!(
            "the number of shards must be between 1 and {}",
            horizon_core::data::shard::MAX_SHARDS
        )));
    }
    let frame = arrow_io::read_frame(data)?;
    let ids: Vec<&[Option<String>]> = id_columns
        .iter()
        .map(
            |name| match frame.names.iter().position(|n| n == name).map(|j| &frame.columns[j]) {
                Some(FrameColumn::Text(v)) => Ok(v.as_slice()),
                Some(_) => Err(DataError::new_err(format!("the id column '{name}' is not text"))),
                None => Err(DataError::new_err(format!(
                    "the id column '{name}' is not in the data frame; its columns are: {}",
                    frame.names.join(", ")
                ))),
            },
        )
        .collect::<PyResult<_>>()?;
    let rows = frame.columns.first().map_or(0, |c| c.len());
    let shards: Vec<f64> = py.detach(|| {
        (0..rows)
            .map(|r| {
                let key: Vec<String> = ids
                    .iter()
                    .map(|c| c[r].as_deref().unwrap_or("").trim_ascii().to_string())
                    .collect();
                horizon_core::data::shard::shard_of(&key, count) as f64
            })
            .collect()
    });
    ArrowTable::new(vec![("shard".into(), arrow_io::Out::Number(shards))])
}

/// The model names the command line knows, for messages and docs.
#[pyfunction]
fn model_names() -> String {
    ModelSpec::names()
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", horizon_core::artifact::HORIZON_VERSION)?;
    m.add("DataError", m.py().get_type::<DataError>())?;
    m.add("ModelError", m.py().get_type::<ModelError>())?;
    m.add_class::<Data>()?;
    m.add_class::<Model>()?;
    m.add_class::<ArrowTable>()?;
    m.add_function(wrap_pyfunction!(read, m)?)?;
    m.add_function(wrap_pyfunction!(forecast_models, m)?)?;
    m.add_function(wrap_pyfunction!(cross_validation, m)?)?;
    m.add_function(wrap_pyfunction!(fit, m)?)?;
    m.add_function(wrap_pyfunction!(predict_models, m)?)?;
    m.add_function(wrap_pyfunction!(shard_rows, m)?)?;
    m.add_function(wrap_pyfunction!(column_names, m)?)?;
    m.add_function(wrap_pyfunction!(model_names, m)?)?;
    Ok(())
}
