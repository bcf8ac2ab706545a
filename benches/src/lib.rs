//! Shared set-up of the benchmarks: the generated retail panel used for ingestion timings.

use horizon_core::data::generate::{RetailParams, retail};
use horizon_core::export::panel_csv;

/// The benchmark file: 50 stores × 20 products × 1000 days = 1,000,000 rows.
pub fn million_row_params() -> RetailParams {
    RetailParams {
        stores: 50,
        products: 20,
        days: 1000,
        ..Default::default()
    }
}

pub fn million_row_csv() -> String {
    panel_csv(&retail(&million_row_params()))
}
