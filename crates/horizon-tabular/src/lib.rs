//! Horizon on the desktop: files the browser build does not read.
//!
//! [polars](https://pola.rs) opens Parquet files (and CSV files it reads itself) as a
//! [`Table`]; [`aggregate`] turns raw transaction lines — one row per order or per trip — into
//! daily, weekly or monthly sales per id, the aggregation chosen by the user
//! ([`Aggregation`]). The result is written as CSV with the [`IngestOptions`] to read it, so the
//! `Panel` comes out of the same ingestion and validation as any CSV file.
//!
//! polars does not build for `wasm32`, so this crate is a native-only dependency of the app.
//!
//! [`IngestOptions`]: horizon_core::data::IngestOptions

mod aggregate;
mod error;
mod guess;
mod partial;
mod period;
pub mod sample;
mod table;

pub use aggregate::{Aggregated, Aggregation, How, Period, aggregate, capitalise};
pub use error::TableError;
pub use guess::guess;
pub use partial::PartialPeriod;
pub use table::{ColumnInfo, ColumnKind, Format, Table};
