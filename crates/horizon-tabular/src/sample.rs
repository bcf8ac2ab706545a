//! Raw order lines made from a sales panel, for demos and tests of the aggregation: every unit
//! of a day's sales becomes part of an order placed during opening hours.

use horizon_core::Panel;
use polars::prelude::*;

/// A 64-bit linear congruential generator (Knuth's MMIX constants): the order times and sizes
/// need no statistical quality, only to be the same for the same seed.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n.max(1)
    }
}

/// One row per order line: `order_id`, `ordered_at` (a timestamp between 08:00 and 20:00),
/// the panel's id columns, `quantity` (1–3 units; a day's lines add up to its sales) and
/// `unit_price` (the panel's first exogenous column, when there is one).
pub fn order_lines(panel: &Panel, seed: u64) -> PolarsResult<DataFrame> {
    let mut rng = Lcg(seed);
    let mut ids: Vec<Vec<String>> = vec![Vec::new(); panel.id_columns.len()];
    let (mut order_id, mut at, mut quantity, mut price) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for s in &panel.series {
        for (t, day) in s.dates.iter().enumerate() {
            let Some(midnight) = day.and_hms_opt(0, 0, 0) else {
                continue;
            };
            let midnight = midnight.and_utc().timestamp_millis();
            let mut left = s.values[t].max(0.0).round() as u64;
            while left > 0 {
                let q = (1 + rng.below(3)).min(left);
                left -= q;
                order_id.push(order_id.len() as i64 + 1);
                at.push(midnight + (8 * 3600 + rng.below(12 * 3600) as i64) * 1000);
                for (c, key) in s.key.iter().enumerate() {
                    ids[c].push(key.clone());
                }
                quantity.push(q as i64);
                price.push(s.exog.first().map_or(1.0, |p| p[t]));
            }
        }
    }
    let mut columns = vec![
        Column::new("order_id".into(), order_id),
        Column::new("ordered_at".into(), at).cast(&DataType::Datetime(TimeUnit::Milliseconds, None))?,
    ];
    for (name, values) in panel.id_columns.iter().zip(ids) {
        columns.push(Column::new(name.as_str().into(), values));
    }
    columns.push(Column::new("quantity".into(), quantity));
    columns.push(Column::new("unit_price".into(), price));
    // Orders come in time order, as a shop's system writes them.
    DataFrame::new_infer_height(columns)?.sort(["ordered_at"], SortMultipleOptions::default())
}
