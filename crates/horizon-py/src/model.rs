//! `Model`: a model fitted to every series, Horizon's artifact, for Python (`HorizonModel`).

use crate::arrow_io::ArrowTable;
use crate::{DataError, Failure, expected_rows, failures_of, model_error, read_checked, run, tables};
use horizon_core::artifact::Artifact;
use horizon_core::forecast::{ForecastOptions, ModelSource, PanelForecast, forecast, stored_forecast};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// A model fitted to every series of a frame: Horizon's trained-model artifact, the file the
/// registry keeps (`horizon forecast --registered` and the MLflow flavour read the same).
#[pyclass(module = "horizon_forecast._core", frozen)]
pub struct Model {
    pub(crate) artifact: Artifact,
}

#[pymethods]
impl Model {
    /// Read an artifact's bytes (as `to_bytes` or the registry wrote them).
    #[staticmethod]
    #[pyo3(signature = (data, source="model"))]
    fn from_bytes(data: &[u8], source: &str) -> PyResult<Model> {
        Artifact::from_bytes(data, source)
            .map(|artifact| Model { artifact })
            .map_err(model_error)
    }

    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = self.artifact.to_bytes().map_err(model_error)?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// The model as the command line names it (`ets`, `auto`, …).
    #[getter]
    fn model(&self) -> String {
        self.artifact.spec.to_string()
    }

    /// The horizon and levels it was trained for.
    #[getter]
    fn horizon(&self) -> usize {
        self.artifact.horizon
    }

    #[getter]
    fn levels(&self) -> Vec<f64> {
        self.artifact.levels.clone()
    }

    /// The columns of its training data: (ids, date, value, drivers).
    #[getter]
    fn columns(&self) -> (Vec<String>, String, String, Vec<String>) {
        let t = &self.artifact.training;
        (
            t.id_columns.clone(),
            t.date_column.clone(),
            t.value_column.clone(),
            t.exog_columns.clone(),
        )
    }

    /// The series it was trained on, each as its id values.
    #[getter]
    fn series(&self) -> Vec<Vec<String>> {
        self.artifact.training.series.iter().map(|s| s.key.clone()).collect()
    }

    /// Forecast the training series from the stored fits (no data needed).
    #[pyo3(signature = (h, levels, n_jobs=-1))]
    fn predict(&self, py: Python<'_>, h: usize, levels: Vec<f64>, n_jobs: i64) -> PyResult<(ArrowTable, Vec<Failure>)> {
        let keys = self.series();
        let options = ForecastOptions::new(h, &levels);
        let out = run(py, n_jobs, || stored_forecast(&self.artifact, &keys, &options))?.map_err(model_error)?;
        self.table(out, self.stored_rows(h), &levels)
    }

    /// Forecast the series of a data frame read as the training data was: the stored fit for
    /// a series identical to its training history, the same model refitted for any other
    /// (what `horizon forecast --registered` does with a file).
    #[pyo3(signature = (data, h, levels, n_jobs=-1, source="data frame"))]
    fn forecast<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
        h: usize,
        levels: Vec<f64>,
        n_jobs: i64,
        source: &str,
    ) -> PyResult<(ArrowTable, Vec<Failure>, Vec<String>)> {
        let read = read_checked(py, data, self.artifact.ingest_options(), source, |stats| {
            self.artifact
                .check_calendar(stats)
                .map_err(|e| DataError::new_err(format!("{source}: {e}")))
        })?;
        let options = ForecastOptions::new(h, &levels);
        let panel = &read.panel;
        let out = run(py, n_jobs, || {
            forecast(panel, ModelSource::Artifact(&self.artifact), &options)
        })?
        .map_err(model_error)?;
        let (table, failures) = self.table(out, expected_rows(panel, h), &levels)?;
        Ok((table, failures, read.warnings))
    }
}

impl Model {
    fn table(
        &self,
        out: PanelForecast,
        expected: Vec<(Vec<String>, Vec<chrono::NaiveDate>)>,
        levels: &[f64],
    ) -> PyResult<(ArrowTable, Vec<Failure>)> {
        let name = self.artifact.spec.name();
        let t = &self.artifact.training;
        let failures = failures_of(&name, &out);
        let table = tables::forecast_table(&t.id_columns, &t.date_column, expected, &[(name, &out)], levels)?;
        Ok((table, failures))
    }

    /// The training series with their `h` forecast dates.
    fn stored_rows(&self, h: usize) -> Vec<(Vec<String>, Vec<chrono::NaiveDate>)> {
        stored_rows(&self.artifact, h)
    }
}

pub(crate) fn stored_rows(artifact: &Artifact, h: usize) -> Vec<(Vec<String>, Vec<chrono::NaiveDate>)> {
    let freq = artifact.training.freq;
    artifact
        .training
        .series
        .iter()
        .map(|s| (s.key.clone(), (1..=h).map(|k| freq.advance(s.end, k as i64)).collect()))
        .collect()
}
