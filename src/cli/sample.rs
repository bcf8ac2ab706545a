//! `horizon sample retail|books`.

use super::CliError;
use super::output::write_new;
use anyhow::Context;
use chrono::NaiveDate;
use clap::{Args, ValueEnum};
use horizon_core::data::generate::{BooksParams, RetailParams, books, retail};
use horizon_core::export::panel_csv;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Kind {
    /// Daily sales per store and product, with price, promotion and discount columns
    Retail,
    /// Weekly unit sales per ISBN
    Books,
    /// Raw order lines (one row per order line: order_id, ordered_at, store_id, product_id,
    /// quantity, unit_price) as a Parquet file: the retail sales before aggregation
    Orders,
}

#[derive(Debug, Args)]
pub struct SampleArgs {
    pub kind: Kind,
    /// Number of stores (retail)
    #[arg(long, default_value_t = 3)]
    pub stores: usize,
    /// Number of products per store (retail)
    #[arg(long, default_value_t = 4)]
    pub products: usize,
    /// Number of days (retail)
    #[arg(long, default_value_t = 730)]
    pub days: usize,
    /// Number of titles (books)
    #[arg(long, default_value_t = 8)]
    pub titles: usize,
    /// Number of weeks (books)
    #[arg(long, default_value_t = 156)]
    pub weeks: usize,
    /// First date, YYYY-MM-DD
    #[arg(long)]
    pub start: Option<NaiveDate>,
    /// Yearly growth, e.g. 0.08 for +8 % (retail)
    #[arg(long, default_value_t = 0.08, allow_negative_numbers = true)]
    pub trend: f64,
    /// Seasonality strength 0..1 (retail)
    #[arg(long, default_value_t = 0.6, allow_negative_numbers = true)]
    pub seasonality: f64,
    /// Promotions per product and store per month (retail)
    #[arg(long, default_value_t = 0.5, allow_negative_numbers = true)]
    pub promo_frequency: f64,
    /// Noise (standard deviation of log demand)
    #[arg(long, default_value_t = 0.15, allow_negative_numbers = true)]
    pub noise: f64,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Factor on every product's demand (retail): 1 sells 4 to about 50 units a day; 0.02 makes
    /// slow movers whose days are mostly zero (intermittent demand)
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pub demand: f64,
    /// Output file (CSV; Parquet for orders)
    #[arg(long)]
    pub out: PathBuf,
    /// Replace the output file if it exists
    #[arg(long)]
    pub force: bool,
}

/// The settings' ranges, checked before anything is made: beyond them the data would hold
/// numbers or dates the ingestion refuses (values beyond 1e100, years past 9999).
fn check(a: &SampleArgs) -> Result<(), CliError> {
    let within = |name: &str, v: f64, lo: f64, hi: f64| {
        if (lo..=hi).contains(&v) {
            Ok(())
        } else {
            Err(CliError::Data(format!(
                "--{name} must be between {lo} and {hi} (got {v})"
            )))
        }
    };
    // Each series grows by the trend times 0.5 to 1.5: at -0.66 the steepest still declines
    // by 99 % a year rather than turning negative.
    within("trend", a.trend, -0.66, 1.0)?;
    within("noise", a.noise, 0.0, 2.0)?;
    within("demand", a.demand, 1e-6, 1e6)?;
    within("seasonality", a.seasonality, 0.0, 1.0)?;
    within("promo-frequency", a.promo_frequency, 0.0, 31.0)?;
    // A century at most: growth compounds, and the values must stay readable numbers.
    if a.days > 36_600 || a.weeks > 5_220 {
        return Err(CliError::Data(format!(
            "--days (at most 36600) or --weeks (at most 5220) too large: {} days, {} weeks",
            a.days, a.weeks
        )));
    }
    let start = a.start.unwrap_or_else(|| RetailParams::default().start);
    let span = match a.kind {
        Kind::Books => chrono::Days::new(7 * a.weeks as u64),
        Kind::Retail | Kind::Orders => chrono::Days::new(a.days as u64),
    };
    let last = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(NaiveDate::MAX);
    if start.checked_add_days(span).is_none_or(|end| end > last) {
        return Err(CliError::Data(format!(
            "the sample would run past 9999-12-31 from {start}: pick an earlier --start or fewer days or weeks"
        )));
    }
    Ok(())
}

pub fn run(a: SampleArgs) -> Result<(), CliError> {
    // The file's name says its format to every program that opens it.
    let ext = a
        .out
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let parquet = matches!(ext.as_str(), "parquet" | "pq");
    match a.kind {
        Kind::Orders if matches!(ext.as_str(), "csv" | "tsv" | "txt") => {
            return Err(CliError::Data(format!(
                "sample orders writes Parquet: name the file .parquet, not {}",
                a.out.display()
            )));
        }
        Kind::Retail | Kind::Books if parquet => {
            return Err(CliError::Data(format!(
                "this sample is written as CSV: name the file .csv, not {}",
                a.out.display()
            )));
        }
        _ => {}
    }
    check(&a)?;
    let panel = match a.kind {
        Kind::Retail | Kind::Orders => {
            if a.stores == 0 || a.products == 0 || a.days < 2 {
                return Err(CliError::Data(
                    "--stores and --products must be at least 1, --days at least 2".into(),
                ));
            }
            if !(a.demand > 0.0 && a.demand.is_finite()) {
                return Err(CliError::Data(format!(
                    "--demand must be a number above 0 (got {})",
                    a.demand
                )));
            }
            let d = RetailParams::default();
            retail(&RetailParams {
                stores: a.stores,
                products: a.products,
                days: a.days,
                start: a.start.unwrap_or(d.start),
                trend: a.trend,
                seasonality: a.seasonality.clamp(0.0, 1.0),
                promo_frequency: a.promo_frequency.max(0.0),
                noise: a.noise.max(0.0),
                seed: a.seed,
                demand: a.demand,
            })
        }
        Kind::Books => {
            if a.titles == 0 || a.weeks < 2 {
                return Err(CliError::Data("--titles must be at least 1, --weeks at least 2".into()));
            }
            let d = BooksParams::default();
            books(&BooksParams {
                titles: a.titles,
                weeks: a.weeks,
                start: a.start.unwrap_or(d.start),
                noise: a.noise.max(0.0),
                seed: a.seed,
            })
        }
    };
    if let Kind::Orders = a.kind {
        let mut lines = horizon_tabular::sample::order_lines(&panel, a.seed).context("cannot make the order lines")?;
        let bytes = horizon_tabular::Table::parquet_bytes(&mut lines).context("cannot write Parquet")?;
        write_new(&a.out, &bytes, a.force, &[])?;
        eprintln!("wrote {} order lines to {}", lines.height(), a.out.display());
        return Ok(());
    }
    let csv = panel_csv(&panel);
    write_new(&a.out, csv.as_bytes(), a.force, &[])?;
    eprintln!(
        "wrote {} series, {} rows to {}",
        panel.series.len(),
        panel.n_obs(),
        a.out.display()
    );
    Ok(())
}
