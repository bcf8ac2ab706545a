//! Features of the gradient-boosted model: lags, rolling statistics, calendar, holidays, the
//! file's exogenous columns and encoded series ids.
//!
//! Leakage-proof by construction: [`FeatureSpec::row`] builds the features for the value at
//! time `t` from `history[..t]` only (it is handed no later value), and the same function
//! builds the training rows and, step by step with the forecasts appended to the history, the
//! forecast rows. The spec is plain data stored with the fitted model.

use super::calendar::Frequency;
use super::holidays::HolidayCalendar;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Which features to build.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureSpec {
    pub freq: Frequency,
    /// Lags in periods (`y[t - lag]`).
    pub lags: Vec<usize>,
    /// Rolling windows: mean, standard deviation, minimum, maximum and median of the last `w`
    /// values before `t`.
    pub windows: Vec<usize>,
    /// Day of week, day of month, week of year, month, quarter, weekend.
    pub calendar: bool,
    /// Holiday flags and the distance to the next holiday (daily data).
    pub holidays: Option<HolidayCalendar>,
    /// The file's exogenous columns (price, promotion, …), in the panel's order.
    pub exog: Vec<String>,
    /// The id columns; each is encoded by its value's position in `vocab`.
    pub id_columns: Vec<String>,
    pub vocab: Vec<Vec<String>>,
}

/// Days without a holiday before the distance feature stops counting.
const HOLIDAY_HORIZON: i64 = 15;

impl FeatureSpec {
    /// The default features for `freq`: daily lags 1, 2, 3, 7, 14, 21, 30 and windows 3, 7,
    /// 14, 21, 30; otherwise lags 1–4 and the season, windows 3 and the season.
    pub fn for_frequency(freq: Frequency, season: usize) -> FeatureSpec {
        let (lags, windows) = match freq {
            Frequency::Daily => (vec![1, 2, 3, 7, 14, 21, 30], vec![3, 7, 14, 21, 30]),
            _ => {
                let mut lags = vec![1, 2, 3, 4];
                let mut windows = vec![3];
                if season > 4 {
                    lags.push(season);
                    windows.push(season);
                }
                (lags, windows)
            }
        };
        FeatureSpec {
            freq,
            lags,
            windows,
            calendar: true,
            holidays: Some(HolidayCalendar::UnitedStates),
            exog: Vec::new(),
            id_columns: Vec::new(),
            vocab: Vec::new(),
        }
    }

    /// With the id columns encoded over the keys seen in training.
    pub fn with_ids<'a>(mut self, id_columns: &[String], keys: impl Iterator<Item = &'a [String]>) -> FeatureSpec {
        let mut vocab: Vec<BTreeSet<String>> = vec![BTreeSet::new(); id_columns.len()];
        for key in keys {
            for (set, v) in vocab.iter_mut().zip(key) {
                set.insert(v.clone());
            }
        }
        self.id_columns = id_columns.to_vec();
        self.vocab = vocab.into_iter().map(|s| s.into_iter().collect()).collect();
        self
    }

    /// The feature names, in the order [`FeatureSpec::row`] writes them.
    pub fn names(&self) -> Vec<String> {
        let mut n: Vec<String> = self.lags.iter().map(|l| format!("lag_{l}")).collect();
        for w in &self.windows {
            for stat in ["mean", "std", "min", "max", "median"] {
                n.push(format!("roll{w}_{stat}"));
            }
        }
        if self.calendar {
            for c in [
                "day_of_week",
                "day_of_month",
                "week_of_year",
                "month",
                "quarter",
                "weekend",
            ] {
                n.push(c.to_string());
            }
        }
        if self.holidays.is_some() {
            n.push("holiday".into());
            n.push("days_to_holiday".into());
        }
        n.extend(self.exog.iter().map(|e| format!("exog_{e}")));
        n.extend(self.id_columns.iter().map(|c| format!("id_{c}")));
        n
    }

    /// The longest stretch of history any feature looks at.
    pub fn memory(&self) -> usize {
        self.lags.iter().chain(&self.windows).copied().max().unwrap_or(1)
    }

    /// The codes of a series' key (NaN for a value not seen in training).
    pub fn id_codes(&self, key: &[String]) -> Vec<f64> {
        self.vocab
            .iter()
            .zip(key)
            .map(|(v, k)| v.binary_search(k).map_or(f64::NAN, |i| i as f64))
            .collect()
    }

    /// Append to `out` the features of the value at `date`, which follows `history` (scaled
    /// values, oldest first; nothing from `date` or later); `exog` holds the drivers at
    /// `date`, `ids` the series' codes.
    pub fn row(
        &self,
        history: &[f64],
        date: NaiveDate,
        exog: &[f64],
        ids: &[f64],
        holidays: &Holidays,
        out: &mut Vec<f64>,
    ) {
        let t = history.len();
        for &l in &self.lags {
            out.push(if l <= t { history[t - l] } else { f64::NAN });
        }
        let mut window = Vec::new();
        for &w in &self.windows {
            if w > t || w == 0 {
                out.extend([f64::NAN; 5]);
                continue;
            }
            window.clear();
            window.extend_from_slice(&history[t - w..]);
            let mean = window.iter().sum::<f64>() / w as f64;
            let var = window.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / w as f64;
            window.sort_by(f64::total_cmp);
            let median = if w % 2 == 1 {
                window[w / 2]
            } else {
                (window[w / 2 - 1] + window[w / 2]) / 2.0
            };
            out.extend([mean, var.sqrt(), window[0], window[w - 1], median]);
        }
        if self.calendar {
            out.extend([
                date.weekday().num_days_from_monday() as f64,
                date.day() as f64,
                date.iso_week().week() as f64,
                date.month() as f64,
                date.month0().div_euclid(3) as f64 + 1.0,
                (date.weekday().num_days_from_monday() >= 5) as u8 as f64,
            ]);
        }
        if self.holidays.is_some() {
            let span = self.freq.advance(date, 1) - date;
            out.push(holidays.count(date, span.num_days()) as f64);
            out.push(holidays.days_to_next(date) as f64);
        }
        out.extend_from_slice(exog);
        out.extend_from_slice(ids);
    }
}

/// The holidays of a calendar over a span of years, for fast lookups.
#[derive(Debug, Clone, Default)]
pub struct Holidays {
    days: Vec<NaiveDate>,
}

impl Holidays {
    /// Every holiday of `calendar` from the year before `first` to the year after `last`.
    pub fn new(calendar: Option<HolidayCalendar>, first: NaiveDate, last: NaiveDate) -> Holidays {
        let days = calendar.map_or_else(Vec::new, |c| {
            c.between_years(first.year() - 1, last.year() + 1)
                .into_iter()
                .map(|h| h.date)
                .collect()
        });
        Holidays { days }
    }

    /// Holidays in `[date, date + days)`.
    pub fn count(&self, date: NaiveDate, days: i64) -> usize {
        let end = date + chrono::Duration::days(days.max(1));
        let from = self.days.partition_point(|d| *d < date);
        let to = self.days.partition_point(|d| *d < end);
        to - from
    }

    /// Days from `date` to the next holiday (0 on one), at most [`HOLIDAY_HORIZON`].
    pub fn days_to_next(&self, date: NaiveDate) -> i64 {
        let i = self.days.partition_point(|d| *d < date);
        self.days
            .get(i)
            .map_or(HOLIDAY_HORIZON, |d| (*d - date).num_days().min(HOLIDAY_HORIZON))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn features(spec: &FeatureSpec, history: &[f64], date: NaiveDate) -> Vec<f64> {
        let h = Holidays::new(spec.holidays, day(2023, 1, 1), day(2025, 1, 1));
        let mut out = Vec::new();
        spec.row(history, date, &[], &[], &h, &mut out);
        assert_eq!(out.len(), spec.names().len());
        out
    }

    #[test]
    fn lags_windows_and_calendar_read_the_right_values() {
        let spec = FeatureSpec::for_frequency(Frequency::Daily, 7);
        let history: Vec<f64> = (1..=40).map(f64::from).collect();
        let f = features(&spec, &history, day(2024, 7, 4));
        let names = spec.names();
        let get = |n: &str| f[names.iter().position(|x| x == n).unwrap()];
        assert_eq!(get("lag_1"), 40.0);
        assert_eq!(get("lag_7"), 34.0);
        assert_eq!(get("lag_30"), 11.0);
        assert_eq!(get("roll3_mean"), 39.0);
        assert_eq!(get("roll7_min"), 34.0);
        assert_eq!(get("roll7_max"), 40.0);
        assert_eq!(get("roll14_median"), 33.5);
        assert!((get("roll3_std") - (2.0f64 / 3.0).sqrt()).abs() < 1e-12);
        assert_eq!(get("day_of_week"), 3.0); // Thursday
        assert_eq!(get("holiday"), 1.0); // Independence Day
        assert_eq!(get("days_to_holiday"), 0.0);
        assert_eq!(get("month"), 7.0);
        assert_eq!(get("quarter"), 3.0);
        // Too little history: missing, not zero.
        let short = features(&spec, &history[..5], day(2024, 7, 4));
        assert!(short[names.iter().position(|x| x == "lag_7").unwrap()].is_nan());
        assert!(short[names.iter().position(|x| x == "roll7_mean").unwrap()].is_nan());
    }

    /// Leakage: the features at time t come from the history before t; changing, shuffling or
    /// dropping any later value never changes them.
    #[test]
    fn future_values_never_change_earlier_features() {
        let spec = FeatureSpec::for_frequency(Frequency::Daily, 7);
        let mut state = 17u64;
        let mut next = || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1);
            (state >> 40) as f64
        };
        let series: Vec<f64> = (0..120).map(|_| next()).collect();
        let start = day(2024, 1, 1);
        for t in [0usize, 1, 6, 31, 60, 119] {
            let date = start + chrono::Duration::days(t as i64);
            let before = features(&spec, &series[..t], date);
            let mut perturbed = series.clone();
            for v in &mut perturbed[t..] {
                *v = next() * 1000.0;
            }
            perturbed[t..].reverse();
            let after = features(&spec, &perturbed[..t], date);
            assert_eq!(
                before.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                after.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                "t = {t}"
            );
        }
    }

    #[test]
    fn ids_are_encoded_over_the_training_keys() {
        let keys = [
            vec!["S2".to_string(), "P1".to_string()],
            vec!["S1".to_string(), "P9".to_string()],
        ];
        let spec = FeatureSpec::for_frequency(Frequency::Weekly, 52)
            .with_ids(&["store".into(), "product".into()], keys.iter().map(Vec::as_slice));
        assert_eq!(spec.id_codes(&keys[0]), vec![1.0, 0.0]);
        assert_eq!(spec.id_codes(&keys[1]), vec![0.0, 1.0]);
        assert!(spec.id_codes(&["S3".into(), "P1".into()])[0].is_nan());
        assert!(spec.names().contains(&"lag_52".to_string()));
    }
}
