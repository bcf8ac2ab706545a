//! Arrow in and out, through the Arrow PyCapsule interface (`__arrow_c_stream__`): a data
//! frame's columns become a core [`Frame`] without a Python object per row, and result tables
//! go back as one record batch that pyarrow, pandas and polars import without copying.

use arrow_array::cast::AsArray;
use arrow_array::ffi_stream::{FFI_ArrowArrayStream, RecordBatchStreamReader};
use arrow_array::types::Date32Type;
use arrow_array::{
    Array, ArrayRef, Date32Array, Float64Array, RecordBatch, RecordBatchIterator, RecordBatchReader, StringArray,
};
use arrow_schema::{DataType, Field, Schema};
use chrono::NaiveDate;
use horizon_core::data::{Frame, FrameColumn};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyCapsule;
use std::sync::Arc;

const STREAM: &std::ffi::CStr = c"arrow_array_stream";

/// The record batches of an object with `__arrow_c_stream__` (a pyarrow table, a polars or
/// pandas frame), read into a [`Frame`].
pub fn read_frame(data: &Bound<'_, PyAny>) -> PyResult<Frame> {
    if !data.hasattr("__arrow_c_stream__")? {
        return Err(PyTypeError::new_err(format!(
            "expected a pandas or polars data frame or a pyarrow table, got {}",
            data.get_type().name()?
        )));
    }
    let capsule = data.call_method0("__arrow_c_stream__")?;
    let capsule = capsule.cast::<PyCapsule>()?;
    let pointer = capsule.pointer_checked(Some(STREAM))?;
    // SAFETY: the capsule named `arrow_array_stream` holds an `ArrowArrayStream` (the Arrow
    // PyCapsule interface); `from_raw` moves it out and leaves a released one, which the
    // capsule's destructor then skips.
    let reader = unsafe { RecordBatchStreamReader::from_raw(pointer.as_ptr().cast::<FFI_ArrowArrayStream>()) }
        .map_err(|e| PyValueError::new_err(format!("cannot read the data frame through Arrow: {e}")))?;
    let schema = reader.schema();
    let names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    let mut columns: Vec<FrameColumn> = schema
        .fields()
        .iter()
        .map(|f| match f.data_type() {
            DataType::Date32 => Ok(FrameColumn::Date(Vec::new())),
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => Ok(FrameColumn::Text(Vec::new())),
            DataType::Float64 => Ok(FrameColumn::Number(Vec::new())),
            other => Err(PyTypeError::new_err(format!(
                "column '{}' has the Arrow type {other}; Horizon reads dates (date32), text and numbers (float64)",
                f.name()
            ))),
        })
        .collect::<PyResult<_>>()?;
    for batch in reader {
        let batch =
            batch.map_err(|e| PyValueError::new_err(format!("cannot read the data frame through Arrow: {e}")))?;
        for ((column, array), name) in columns.iter_mut().zip(batch.columns()).zip(&names) {
            // Buffers from another producer are checked before they are read (offsets, UTF-8).
            array
                .to_data()
                .validate_full()
                .map_err(|e| PyValueError::new_err(format!("column '{name}' is not valid Arrow data: {e}")))?;
            append(column, array.as_ref());
        }
    }
    Ok(Frame { names, columns })
}

/// Days since 1970-01-01 as a date (`None` beyond chrono's range).
fn date_of(days: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(1970, 1, 1)?.checked_add_signed(chrono::TimeDelta::try_days(i64::from(days))?)
}

fn append(column: &mut FrameColumn, array: &dyn Array) {
    let valid = |i: usize| array.is_valid(i);
    match column {
        FrameColumn::Date(out) => {
            let a = array.as_primitive::<Date32Type>();
            out.extend((0..a.len()).map(|i| valid(i).then(|| date_of(a.value(i))).flatten()));
        }
        FrameColumn::Number(out) => {
            let a = array.as_primitive::<arrow_array::types::Float64Type>();
            out.extend((0..a.len()).map(|i| valid(i).then(|| a.value(i))));
        }
        FrameColumn::Text(out) => match array.data_type() {
            DataType::Utf8 => {
                let a = array.as_string::<i32>();
                out.extend((0..a.len()).map(|i| valid(i).then(|| a.value(i).to_string())));
            }
            DataType::LargeUtf8 => {
                let a = array.as_string::<i64>();
                out.extend((0..a.len()).map(|i| valid(i).then(|| a.value(i).to_string())));
            }
            _ => {
                let a = array.as_string_view();
                out.extend((0..a.len()).map(|i| valid(i).then(|| a.value(i).to_string())));
            }
        },
    }
}

/// A column of a result table.
pub enum Out {
    Text(Vec<String>),
    Date(Vec<NaiveDate>),
    Number(Vec<f64>),
}

/// A result table for Python: one record batch, handed over through `__arrow_c_stream__`
/// (`pyarrow.table(t)`, `polars.from_arrow(t)`).
#[pyclass(module = "horizon_forecast._core", frozen)]
pub struct ArrowTable {
    batch: RecordBatch,
}

impl ArrowTable {
    pub fn new(columns: Vec<(String, Out)>) -> PyResult<ArrowTable> {
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
        let mut fields = Vec::with_capacity(columns.len());
        let mut arrays: Vec<ArrayRef> = Vec::with_capacity(columns.len());
        for (name, column) in columns {
            let (dtype, array): (DataType, ArrayRef) = match column {
                Out::Text(v) => (DataType::Utf8, Arc::new(StringArray::from(v))),
                Out::Number(v) => (DataType::Float64, Arc::new(Float64Array::from(v))),
                Out::Date(v) => {
                    let days = v
                        .iter()
                        .map(|d| i32::try_from((*d - epoch).num_days()).unwrap_or(i32::MAX))
                        .collect::<Vec<i32>>();
                    (DataType::Date32, Arc::new(Date32Array::from(days)))
                }
            };
            fields.push(Field::new(name, dtype, false));
            arrays.push(array);
        }
        let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)
            .map_err(|e| PyValueError::new_err(format!("cannot build the result table: {e}")))?;
        Ok(ArrowTable { batch })
    }
}

#[pymethods]
impl ArrowTable {
    /// The Arrow PyCapsule interface: a stream of this table's one record batch.
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        let schema = self.batch.schema();
        let reader = RecordBatchIterator::new(vec![Ok(self.batch.clone())], schema);
        let stream = FFI_ArrowArrayStream::new(Box::new(reader));
        PyCapsule::new_with_value(py, stream, STREAM)
    }

    fn __len__(&self) -> usize {
        self.batch.num_rows()
    }
}
