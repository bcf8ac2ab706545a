//! Native only: a Parquet file, or a CSV file of raw transactions, read by polars
//! (`horizon_tabular`) and aggregated into sales per period and id in a dialog where the user
//! sees and chooses the aggregation. The result is loaded like any CSV file, so the Panel, the
//! validation report and the column options are those of the CSV path.

use horizon_tabular::{Aggregated, Aggregation, ColumnInfo, Table, aggregate, guess};
use std::sync::Arc;

/// Rows of the file shown in the dialog.
const HEAD_ROWS: usize = 5;

/// The open dialog: the file as polars read it and the aggregation being chosen.
pub struct Dialog {
    pub table: Arc<Table>,
    pub columns: Vec<ColumnInfo>,
    pub head: Vec<Vec<String>>,
    pub agg: Aggregation,
    /// Why the last try failed (shown in the dialog, which stays open).
    pub error: Option<String>,
}

/// Whether a picked file is Parquet (by its name or its first bytes).
pub fn is_parquet(name: &str, bytes: &[u8]) -> bool {
    bytes.starts_with(b"PAR1") || name.to_ascii_lowercase().ends_with(".parquet")
}

/// Read `bytes` with polars (off the UI thread) for the aggregation dialog.
pub fn read(name: String, bytes: Arc<Vec<u8>>) -> Result<Box<Dialog>, String> {
    let dialog = Table::from_bytes(&name, &bytes).map(|table| {
        let agg = guess(&table);
        Box::new(Dialog {
            columns: table.columns(),
            head: table.head(HEAD_ROWS),
            table: Arc::new(table),
            agg,
            error: None,
        })
    });
    dialog.map_err(|e| e.to_string())
}

impl Dialog {
    /// The dialog's aggregation, to run off the UI thread: the file's name and the sales.
    pub fn aggregation(&self) -> impl FnOnce() -> (String, Result<Box<Aggregated>, String>) + Send + 'static {
        let (table, agg) = (self.table.clone(), self.agg.clone());
        move || {
            let out = aggregate(&table, &agg).map(Box::new).map_err(|e| e.to_string());
            (table.name.clone(), out)
        }
    }
}
