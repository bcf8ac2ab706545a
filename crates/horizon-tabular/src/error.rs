//! What can go wrong reading or aggregating a table; every message names the file, and the
//! column and row where there is one.

/// An error reading or aggregating a table.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    /// polars could not read the file at all (not Parquet, broken CSV, …).
    #[error("{file}: cannot read it as {format}: {message}")]
    Unreadable {
        file: String,
        format: &'static str,
        message: String,
    },
    /// A column the aggregation names is not in the file.
    #[error("{file}: there is no column '{column}' (columns: {available})")]
    NoColumn {
        file: String,
        column: String,
        available: String,
    },
    /// A column holds something the aggregation cannot use.
    #[error("{file}: column '{column}': {message}")]
    Column {
        file: String,
        column: String,
        message: String,
    },
    /// One cell is wrong: it names the row as the user counts it (see [`crate::Table::row_name`]).
    #[error("{file}: {row}, column '{column}': {message}")]
    Cell {
        file: String,
        row: String,
        column: String,
        message: String,
    },
    /// The aggregation as asked makes no sense (no rows left, the date used as an id, …).
    #[error("{file}: {message}")]
    Request { file: String, message: String },
}
