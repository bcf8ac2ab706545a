//! A first guess at the aggregation a file asks for, from its column names and types; the user
//! corrects it in the dialog or on the command line.

use crate::{Aggregation, ColumnInfo, ColumnKind, How, Table};
use horizon_core::data::sniff::ColumnProfile;

/// At most this many distinct values make a column an id (a store, a product, a station);
/// above it, a column is a per-row key such as an order number.
const MAX_ID_VALUES: usize = 5_000;

/// The date (a date column, named like one if several), the ids (columns named like ids that
/// repeat), the value (a number column named like sales; without one, rows are counted), daily.
pub fn guess(table: &Table) -> Aggregation {
    let cols = table.columns();
    let named = |c: &ColumnInfo| ColumnProfile {
        name: c.name.clone(),
        ..ColumnProfile::default()
    };
    let dates: Vec<&ColumnInfo> = cols.iter().filter(|c| c.kind == ColumnKind::Date).collect();
    let date = dates
        .iter()
        .find(|c| named(c).named_like_date())
        .or(dates.first())
        .map(|c| c.name.clone())
        .unwrap_or_default();
    let rows = table.rows();
    let is_id = |c: &ColumnInfo| {
        c.name != date
            && c.kind != ColumnKind::Date
            && named(c).named_like_id()
            && c.distinct <= MAX_ID_VALUES
            && c.distinct * 2 <= rows.max(2)
    };
    let ids: Vec<String> = cols.iter().filter(|c| is_id(c)).map(|c| c.name.clone()).collect();
    let numbers: Vec<&ColumnInfo> = cols
        .iter()
        .filter(|c| c.kind == ColumnKind::Number && !ids.contains(&c.name) && !named(c).named_like_id())
        .collect();
    // A number not named like sales (a price, a duration) is not summed unasked: rows are
    // counted instead. A text column named like sales whose cells are mostly numbers is a
    // sales column with mistyped cells: summed, so the aggregation names the first of them
    // rather than counting rows unasked.
    let decimal_comma = table.format == (crate::Format::Csv { delimiter: b';' });
    let value = numbers
        .iter()
        .find(|c| named(c).named_like_value())
        .copied()
        .or_else(|| {
            cols.iter().find(|c| {
                c.kind == ColumnKind::Text
                    && !ids.contains(&c.name)
                    && named(c).named_like_value()
                    && table
                        .column(&c.name)
                        .is_ok_and(|col| crate::table::text_numbers(col, decimal_comma))
            })
        })
        .map(|c| c.name.clone());
    Aggregation {
        date,
        date_format: None,
        how: if value.is_some() { How::Sum } else { How::Count },
        value,
        ids,
        period: crate::Period::Day,
        empty_periods_are_zero: true,
        keep_partial_ends: false,
    }
}
