//! Deterministic sample data: the same seed gives the same panel on every machine and in the
//! browser (ChaCha8 stream, no platform randomness).
//!
//! * [`retail`] — daily unit sales for stores × products: trend, weekly and yearly seasonality,
//!   US holidays (closed on Christmas Day, Black Friday rush), promotions with a discount column
//!   and a price, store closures (renovations) and Poisson noise around the expected demand.
//! * [`books`] — weekly unit sales per ISBN: launch peak and long tail, a 52-week season with a
//!   Christmas peak and a summer-reading bump.

use super::calendar::Frequency;
use super::{Panel, Series};
use chrono::{Datelike, NaiveDate, Weekday};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal, Poisson};
use serde::{Deserialize, Serialize};
use std::f64::consts::TAU;

/// Parameters of the retail generator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RetailParams {
    pub stores: usize,
    pub products: usize,
    pub days: usize,
    pub start: NaiveDate,
    /// Yearly growth of demand, as a fraction (0.1 = +10 % a year), spread around per series.
    pub trend: f64,
    /// Strength of weekly and yearly seasonality, 0 (none) to 1 (strong).
    pub seasonality: f64,
    /// Expected promotions per product and store per month.
    pub promo_frequency: f64,
    /// Multiplicative day-to-day noise (standard deviation of the log demand).
    pub noise: f64,
    pub seed: u64,
    /// A factor on every product's demand (1: 4 to about 50 units a day). Small factors make
    /// slow movers: at 0.02 most days sell nothing (intermittent demand).
    #[serde(default = "one")]
    pub demand: f64,
}

fn one() -> f64 {
    1.0
}

impl Default for RetailParams {
    fn default() -> Self {
        RetailParams {
            stores: 3,
            products: 4,
            days: 730,
            start: NaiveDate::from_ymd_opt(2023, 1, 1).unwrap_or_default(),
            trend: 0.08,
            seasonality: 0.6,
            promo_frequency: 0.5,
            noise: 0.15,
            seed: 42,
            demand: 1.0,
        }
    }
}

/// Parameters of the books generator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BooksParams {
    pub titles: usize,
    pub weeks: usize,
    /// First week (a Monday is used as given).
    pub start: NaiveDate,
    pub noise: f64,
    pub seed: u64,
}

impl Default for BooksParams {
    fn default() -> Self {
        BooksParams {
            titles: 8,
            weeks: 156,
            start: NaiveDate::from_ymd_opt(2022, 1, 3).unwrap_or_default(),
            noise: 0.15,
            seed: 7,
        }
    }
}

/// US holidays that move retail sales: the multiplier of the day's demand.
pub fn us_holiday_effect(d: NaiveDate) -> Option<(&'static str, f64)> {
    let (m, day) = (d.month(), d.day());
    let thanksgiving = nth_weekday(d.year(), 11, Weekday::Thu, 4);
    match (m, day) {
        (12, 25) => Some(("Christmas Day", 0.0)),
        (1, 1) => Some(("New Year's Day", 0.4)),
        (7, 4) => Some(("Independence Day", 1.3)),
        (12, 24) => Some(("Christmas Eve", 1.5)),
        _ if Some(d) == thanksgiving => Some(("Thanksgiving", 0.5)),
        _ if thanksgiving.and_then(|t| t.succ_opt()) == Some(d) => Some(("Black Friday", 2.2)),
        _ => None,
    }
}

/// The `n`-th `weekday` of a month (n = 1 is the first).
pub fn nth_weekday(year: i32, month: u32, weekday: Weekday, n: u8) -> Option<NaiveDate> {
    NaiveDate::from_weekday_of_month_opt(year, month, weekday, n)
}

fn poisson(rng: &mut ChaCha8Rng, mean: f64) -> f64 {
    if mean <= 0.0 || !mean.is_finite() {
        return 0.0;
    }
    Poisson::new(mean).map_or(mean.round(), |p| p.sample(rng))
}

/// Daily sales for `stores × products` series, columns `store_id, product_id` (ids),
/// `sales` (value) and `price, promotion, discount` (exogenous).
pub fn retail(p: &RetailParams) -> Panel {
    let mut rng = ChaCha8Rng::seed_from_u64(p.seed);
    let normal = Normal::new(0.0, p.noise.max(0.0)).ok();
    let week_profile = [0.88, 0.85, 0.9, 0.95, 1.1, 1.3, 1.02]; // Mon..Sun
    let product_base: Vec<(f64, f64, f64)> = (0..p.products)
        .map(|_| {
            let level = 4.0 * (rng.random::<f64>() * 2.5).exp(); // 4..~50 units a day
            let price = (2.0 + rng.random::<f64>() * 48.0 * 100.0).round() / 100.0;
            let phase = rng.random::<f64>() * TAU;
            (level, price.max(0.5), phase)
        })
        .collect();
    let store_mult: Vec<f64> = (0..p.stores).map(|_| 0.6 + rng.random::<f64>() * 0.9).collect();
    // One renovation closure per store with probability one half over the whole span.
    let closures: Vec<Option<(usize, usize)>> = (0..p.stores)
        .map(|_| {
            (p.days > 30 && rng.random_bool(0.5)).then(|| {
                let len = rng.random_range(3..=10);
                let start = rng.random_range(0..p.days - len);
                (start, start + len)
            })
        })
        .collect();
    let dates: Vec<NaiveDate> = (0..p.days)
        .map(|k| Frequency::Daily.advance(p.start, k as i64))
        .collect();
    let promo_start_p = (p.promo_frequency / 30.0).clamp(0.0, 1.0);
    let mut series = Vec::with_capacity(p.stores * p.products);
    for (s, &smult) in store_mult.iter().enumerate() {
        for (q, &(level, price, phase)) in product_base.iter().enumerate() {
            let growth = p.trend * (0.5 + rng.random::<f64>());
            let mut values = Vec::with_capacity(p.days);
            let mut prices = Vec::with_capacity(p.days);
            let mut promos = Vec::with_capacity(p.days);
            let mut discounts = Vec::with_capacity(p.days);
            let mut promo_left = 0usize;
            let mut discount = 0.0;
            for (k, &d) in dates.iter().enumerate() {
                if promo_left == 0 && rng.random_bool(promo_start_p) {
                    promo_left = rng.random_range(3..=7);
                    discount = [0.1, 0.15, 0.2, 0.25, 0.3][rng.random_range(0..5)];
                }
                let on_promo = promo_left > 0;
                promo_left = promo_left.saturating_sub(1);
                let years = k as f64 / 365.25;
                let doy = d.ordinal0() as f64 / 365.25;
                let weekly = 1.0 + p.seasonality * (week_profile[d.weekday().num_days_from_monday() as usize] - 1.0);
                let yearly = 1.0
                    + p.seasonality
                        * (0.25 * (TAU * doy + phase).sin() + 0.35 * (-((doy - 0.96) / 0.03).powi(2)).exp());
                let holiday = us_holiday_effect(d).map_or(1.0, |(_, m)| m);
                let closed = closures[s].is_some_and(|(a, b)| (a..b).contains(&k));
                let uplift = if on_promo { 1.0 + 2.5 * discount } else { 1.0 };
                let noise = normal.as_ref().map_or(1.0, |n| n.sample(&mut rng).exp());
                let mean = p.demand.max(0.0)
                    * level
                    * smult
                    * (1.0 + growth).powf(years)
                    * weekly
                    * yearly
                    * holiday
                    * uplift
                    * noise;
                values.push(if closed { 0.0 } else { poisson(&mut rng, mean) });
                let d_now = if on_promo { discount } else { 0.0 };
                prices.push(((price * (1.0 - d_now)) * 100.0).round() / 100.0);
                promos.push(if on_promo { 1.0 } else { 0.0 });
                discounts.push(d_now);
            }
            series.push(Series {
                key: vec![format!("S{:02}", s + 1), format!("P{:03}", q + 1)],
                freq: Frequency::Daily,
                dates: dates.clone(),
                values,
                exog: vec![prices, promos, discounts],
            });
        }
    }
    Panel {
        id_columns: vec!["store_id".into(), "product_id".into()],
        date_column: "date".into(),
        value_column: "sales".into(),
        exog_columns: vec!["price".into(), "promotion".into(), "discount".into()],
        freq: Frequency::Daily,
        series,
    }
}

/// A valid ISBN-13 (978 prefix, correct check digit) from 9 random digits.
fn isbn13(rng: &mut ChaCha8Rng) -> String {
    let mut digits: Vec<u32> = vec![9, 7, 8];
    digits.extend((0..9).map(|_| rng.random_range(0..10u32)));
    let sum: u32 = digits
        .iter()
        .enumerate()
        .map(|(i, d)| if i % 2 == 0 { *d } else { 3 * d })
        .sum();
    digits.push((10 - sum % 10) % 10);
    digits.iter().map(|d| char::from_digit(*d, 10).unwrap_or('0')).collect()
}

/// Weekly sales per ISBN, column `ISBN` (id) and `sales` (value).
pub fn books(p: &BooksParams) -> Panel {
    let mut rng = ChaCha8Rng::seed_from_u64(p.seed);
    let normal = Normal::new(0.0, p.noise.max(0.0)).ok();
    let dates: Vec<NaiveDate> = (0..p.weeks)
        .map(|k| Frequency::Weekly.advance(p.start, k as i64))
        .collect();
    let mut series = Vec::with_capacity(p.titles);
    for _ in 0..p.titles {
        let isbn = isbn13(&mut rng);
        let backlist = 20.0 * (rng.random::<f64>() * 3.0).exp(); // 20..400 a week
        let launch_week = rng.random_range(0..(p.weeks / 3).max(1));
        let launch_peak = backlist * (2.0 + 6.0 * rng.random::<f64>());
        let gift = 0.5 + rng.random::<f64>(); // how much of a Christmas gift this title is
        let values = dates
            .iter()
            .enumerate()
            .map(|(k, d)| {
                let woy = d.iso_week().week() as f64;
                let christmas = gift * (-((woy - 50.5) / 2.5).powi(2)).exp() * 2.0;
                let summer = 0.25 * (-((woy - 30.0) / 4.0).powi(2)).exp();
                let since = k as f64 - launch_week as f64;
                let launch = if since >= 0.0 {
                    launch_peak * (-since / 8.0).exp()
                } else {
                    0.0
                };
                let pre = if since < 0.0 { 0.1 } else { 1.0 };
                let noise = normal.as_ref().map_or(1.0, |n| n.sample(&mut rng).exp());
                let mean = (backlist * pre * (1.0 + christmas + summer) + launch) * noise;
                poisson(&mut rng, mean)
            })
            .collect();
        series.push(Series::new(vec![isbn], Frequency::Weekly, dates.clone(), values));
    }
    Panel {
        id_columns: vec!["ISBN".into()],
        date_column: "week".into(),
        value_column: "sales".into(),
        exog_columns: Vec::new(),
        freq: Frequency::Weekly,
        series,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retail_is_deterministic_and_shaped() {
        let p = RetailParams {
            stores: 2,
            products: 3,
            days: 400,
            ..Default::default()
        };
        let a = retail(&p);
        assert_eq!(a, retail(&p));
        assert_ne!(a, retail(&RetailParams { seed: 1, ..p.clone() }));
        assert_eq!(a.series.len(), 6);
        for s in &a.series {
            assert_eq!(s.len(), 400);
            assert!(s.values.iter().all(|v| *v >= 0.0 && v.fract() == 0.0));
            // Closed on Christmas Day 2023 (day 358 from 2023-01-01).
            assert_eq!(s.values[358], 0.0, "{}", s.label());
        }
        // Saturdays sell more than Tuesdays over the whole panel (weekly season).
        let mean_on = |wd: Weekday| {
            let v: Vec<f64> = a
                .series
                .iter()
                .flat_map(|s| {
                    s.dates
                        .iter()
                        .zip(&s.values)
                        .filter(move |(d, _)| d.weekday() == wd)
                        .map(|(_, v)| *v)
                })
                .collect();
            v.iter().sum::<f64>() / v.len() as f64
        };
        assert!(mean_on(Weekday::Sat) > 1.2 * mean_on(Weekday::Tue));
        // Promotion days sell more than the same series' ordinary days.
        let s = &a.series[0];
        let (mut on, mut off) = (vec![], vec![]);
        for (v, p) in s.values.iter().zip(&s.exog[1]) {
            if *p > 0.0 { on.push(*v) } else { off.push(*v) }
        }
        assert!(!on.is_empty());
        assert!(on.iter().sum::<f64>() / on.len() as f64 > off.iter().sum::<f64>() / off.len() as f64);
    }

    #[test]
    fn books_have_valid_isbns_and_a_christmas_peak() {
        let b = books(&BooksParams::default());
        assert_eq!(b.series.len(), 8);
        for s in &b.series {
            let digits: Vec<u32> = s.key[0].chars().filter_map(|c| c.to_digit(10)).collect();
            assert_eq!(digits.len(), 13);
            let sum: u32 = digits
                .iter()
                .enumerate()
                .map(|(i, d)| if i % 2 == 0 { *d } else { 3 * d })
                .sum();
            assert_eq!(sum % 10, 0, "check digit of {}", s.key[0]);
            assert!(s.dates.iter().all(|d| d.weekday() == Weekday::Mon));
        }
        let total_in = |weeks: std::ops::RangeInclusive<u32>| -> f64 {
            b.series
                .iter()
                .flat_map(|s| s.dates.iter().zip(&s.values))
                .filter(|(d, _)| weeks.contains(&d.iso_week().week()))
                .map(|(_, v)| v)
                .sum::<f64>()
        };
        // December weeks outsell March weeks (same number of weeks).
        assert!(total_in(48..=51) > 1.3 * total_in(10..=13));
        assert_eq!(
            nth_weekday(2024, 11, Weekday::Thu, 4),
            NaiveDate::from_ymd_opt(2024, 11, 28)
        );
    }
}
