//! Days typed by hand added to a series of the data: the series' history plus the new days, so
//! that a week typed for a store and product is forecast with that series' history (its weekly
//! pattern, its level) — and by a global model with every other series — instead of alone.

use super::Panel;

/// `panel` with the series `key` extended by `values` on `dates` (which must follow its last
/// date, one period after another). The new days keep the series' last driver values
/// (price, promotion, …).
pub fn extend_series(
    panel: &Panel,
    key: &[String],
    dates: &[chrono::NaiveDate],
    values: &[f64],
) -> Result<Panel, String> {
    let Some(i) = panel.find(key) else {
        return Err(format!("'{}' is not a series of the data", super::key_label(key)));
    };
    if dates.is_empty() || dates.len() != values.len() {
        return Err("type at least one day with its sales".into());
    }
    let s = &panel.series[i];
    let expected = s.future_dates(dates.len());
    if let Some((k, (got, want))) = dates.iter().zip(&expected).enumerate().find(|(_, (g, w))| g != w) {
        let last = s.dates.last().map_or_else(String::new, |d| d.to_string());
        return Err(if k == 0 {
            format!(
                "the typed days must follow the last day of '{}' ({last}): the first should be {want}, not {got}",
                s.label()
            )
        } else {
            format!(
                "the typed days must follow each other: row {} should be {want}, not {got}",
                k + 1
            )
        });
    }
    if let Some(v) = values.iter().find(|v| !v.is_finite()) {
        return Err(format!("{v} is not a sales figure"));
    }
    let mut out = panel.clone();
    let t = &mut out.series[i];
    t.dates.extend_from_slice(dates);
    t.values.extend_from_slice(values);
    for col in &mut t.exog {
        let last = col.last().copied().unwrap_or(0.0);
        col.extend(std::iter::repeat_n(last, dates.len()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::generate::{RetailParams, retail};

    #[test]
    fn typed_days_continue_the_series_and_gaps_are_refused() {
        let p = retail(&RetailParams {
            stores: 1,
            products: 2,
            days: 30,
            ..RetailParams::default()
        });
        let key = p.series[1].key.clone();
        let days = p.series[1].future_dates(7);
        let out = extend_series(&p, &key, &days, &[5.0; 7]).unwrap();
        assert_eq!(out.series[1].len(), 37);
        assert_eq!(out.series[1].values[30..], [5.0; 7]);
        assert_eq!(out.series[1].exog[0][36], p.series[1].exog[0][29]);
        assert_eq!(out.series[0], p.series[0]);
        let e = extend_series(&p, &key, &days[1..], &[5.0; 6]).unwrap_err();
        assert!(e.contains("the first should be 2023-01-31, not 2023-02-01"), "{e}");
        let mut gap = days.clone();
        gap[3] = gap[4];
        let e = extend_series(&p, &key, &gap, &[5.0; 7]).unwrap_err();
        assert!(e.contains("row 4 should be 2023-02-03, not 2023-02-04"), "{e}");
        assert!(extend_series(&p, &["S09".into(), "P001".into()], &days, &[5.0; 7]).is_err());
    }
}
