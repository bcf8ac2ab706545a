//! `horizon forecast FILE --model NAME --horizon H --out FILE`, or with a registered model:
//! `horizon forecast FILE --registered NAME[@alias|:version] --out FILE`.

use super::CliError;
use super::args::{ColumnArgs, ModelArgs, load, load_checked};
use super::output::{check_new, write_new};
use super::registry::{RegistryArgs, load_artifact};
use super::train::registry_failure;
use clap::Args;
use horizon_core::data::plan::{Plan, read_plan};
use horizon_core::export::{forecast_csv, hierarchy_csv, planned_csv};
use horizon_core::forecast::{Described, ForecastOptions, ModelSource, PanelForecast, Source, forecast};
use horizon_core::headline::Uplift;
use horizon_core::monitor::log::ForecastLog;
use horizon_core::reconcile::{Choice, Method, MethodScore, forecast_hierarchy};
use horizon_core::{ModelSpec, Panel};
use horizon_registry::VersionRef;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Debug, Args)]
pub struct ForecastArgs {
    pub file: PathBuf,
    /// auto (the best model per series by backtest, the default), naive, seasonal-naive, mean,
    /// drift, ets, arima, theta, ces, mstl, prophet, gbm (one model for every series), gbm-direct (one booster per week of the horizon), gbm-median / gbm-direct-median (absolute-error loss),
    /// gbm-poisson / gbm-tweedie (count losses, sales of zero or more; gbm-tweedie:1.3 sets the
    /// variance power; -direct- variants too), croston, sba, croston-optimized, tsb, adida, imapa
    /// (intermittent demand), ensemble or scum (median of ets, ces, arima, theta:dotm); add :M
    /// for season M (seasonal-naive:12, ets:52, arima:52, theta:12, mstl:7/365), theta:dotm or
    /// ces:f for one variant, auto:a/b/c, ensemble:a/b or scum:a/b/c for other members,
    /// scum:median for SCUM's published median bounds (default: the widest of the members'),
    /// and +conformal for calibrated intervals (ets+conformal)
    #[arg(long, default_value = "auto", conflicts_with = "registered")]
    pub model: ModelSpec,
    /// Forecast with a registered model instead: NAME (newest version), NAME:VERSION or
    /// NAME@ALIAS (e.g. sales@champion). The file is read as the model's training data was;
    /// series identical to the training data get the stored model's forecast exactly, others
    /// the same model refitted
    #[arg(long, value_name = "NAME[@ALIAS|:VERSION]")]
    pub registered: Option<String>,
    /// Number of periods to forecast (with --registered: default the model's)
    #[arg(long, required_unless_present = "registered")]
    pub horizon: Option<usize>,
    /// Interval level in percent; repeat for several (default 95; with --registered, the model's)
    #[arg(long = "level")]
    pub levels: Vec<f64>,
    /// Output file: for `forecast` the CSV <ids>,date,model,forecast,lo_<L>,hi_<L>; for
    /// `report` the HTML page
    #[arg(long)]
    pub out: PathBuf,
    /// Replace the output file if it exists
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub settings: ModelArgs,
    #[command(flatten)]
    pub columns: ColumnArgs,
    #[command(flatten)]
    pub registry: RegistryArgs,
    /// Forecast the totals too: id columns outermost first (store_id/product_id gives the
    /// total, per store, per product and per store x product), written with a `level` column
    #[arg(long, value_name = "COL[/COL…]")]
    pub hierarchy: Option<String>,
    /// How the totals are made to add up: auto (the best of mint-shrink, bottom-up and top-down
    /// in a backtest of the last horizon), mint-shrink, bottom-up, top-down or none
    #[arg(long, default_value = "auto", requires = "hierarchy")]
    pub reconcile: Choice,
    /// A what-if plan: a CSV of the id columns, the date and driver columns (promotion, price,
    /// …) for periods of the horizon; the forecast is made with it and a `baseline` column
    /// holds the one without it. Needs a model that reads drivers (gbm)
    #[arg(long, value_name = "PLAN.csv", conflicts_with = "hierarchy")]
    pub future_drivers: Option<PathBuf>,
    /// With --registered: keep the forecast in this folder of forecast logs, for `horizon
    /// monitor` to judge against the actuals when they arrive
    #[arg(long, value_name = "DIR", conflicts_with_all = ["hierarchy", "future_drivers"])]
    pub forecast_log: Option<PathBuf>,
}

/// How the totals were reconciled, for the output.
pub(super) struct Totals {
    /// The level of each forecast ("total", "store_id", …).
    pub levels: Vec<String>,
    pub method: Method,
    pub note: String,
    pub scores: Vec<MethodScore>,
}

impl Totals {
    /// One line for stderr and the report.
    pub fn summary(&self) -> String {
        let mut s = format!("Totals reconciled by {}: {}.", self.method, self.note);
        if !self.scores.is_empty() {
            let scores: Vec<String> = self
                .scores
                .iter()
                .map(|c| format!("{} {:.3}", c.method, c.mase))
                .collect();
            s.push_str(&format!(" Backtest MASE over every level: {}.", scores.join(", ")));
        }
        s
    }
}

/// What `compute` made: the panel (every level's series with --hierarchy), the forecasts, the
/// model, and the reconciliation.
pub(super) struct Computed {
    pub panel: Panel,
    pub out: PanelForecast,
    pub made: Made,
    pub totals: Option<Totals>,
}

/// `--horizon` and `--level` as every model can take them.
pub(super) fn check(horizon: usize, levels: &[f64]) -> Result<(), CliError> {
    if let Err(e) = horizon_core::forecast::check_horizon(horizon) {
        return Err(CliError::Data(format!("--horizon: {e}")));
    }
    if let Err(e) = horizon_core::models::check_levels(levels) {
        return Err(CliError::Data(e.to_string()));
    }
    Ok(())
}

pub fn run(a: ForecastArgs) -> Result<(), CliError> {
    let Computed {
        panel,
        out,
        made,
        totals,
    } = compute(&a)?;
    // A planned series that could not be forecast with its plan: no file that looks planned.
    if a.future_drivers.is_some() {
        let planned: Vec<&str> = out
            .failures
            .iter()
            .filter(|f| matches!(f.error, horizon_core::ModelError::Plan(_)))
            .map(|f| f.series.as_str())
            .collect();
        if !planned.is_empty() {
            return Err(CliError::Failure(anyhow::anyhow!(
                "the plan could not be applied to {} ({}; see above): nothing written",
                planned.join(", "),
                planned.len()
            )));
        }
    }
    let rows = out.series_forecasts();
    let csv = match &totals {
        Some(t) => hierarchy_csv(&panel.id_columns, &t.levels, &rows),
        None if a.future_drivers.is_some() => {
            let baselines: Vec<_> = out.forecasts.iter().map(|d| d.baseline.as_ref()).collect();
            planned_csv(&panel.id_columns, &rows, &baselines)
        }
        None => forecast_csv(&panel.id_columns, &rows),
    };
    write_new(&a.out, csv.as_bytes(), a.force, &[&a.file])?;
    log_forecast(&a, &made, &panel, &rows, "horizon forecast")?;
    for d in out.forecasts.iter().filter(|d| d.baseline.is_some()) {
        if let Some(base) = &d.baseline {
            let level = d.forecast.forecast.widest_level();
            eprintln!(
                "{}: {}",
                horizon_core::data::key_label(&d.forecast.key),
                Uplift::new(&d.forecast.forecast, base, level).line()
            );
        }
    }
    if let Some(t) = &totals {
        eprintln!("{}", t.summary());
    }
    match made {
        Made::Spec(spec) => eprintln!(
            "wrote {} forecast(s) of {} step(s) with {spec} to {} ({} series failed)",
            rows.len(),
            rows.first().map_or(0, |r| r.dates.len()),
            a.out.display(),
            out.failures.len()
        ),
        Made::Registered { name, version, spec } => {
            let refitted = out.count(Source::Refitted);
            eprintln!(
                "wrote {} forecast(s) of {} step(s) with {name} version {version} ({spec}) to {}: {} from the \
                 stored model, {refitted} refitted because their history differs from the training data; {} \
                 series failed",
                rows.len(),
                rows.first().map_or(0, |r| r.dates.len()),
                a.out.display(),
                rows.len() - refitted,
                out.failures.len()
            )
        }
    }
    Ok(())
}

/// With `--forecast-log`, keep the forecast of a registered model for `horizon monitor`.
pub(super) fn log_forecast(
    a: &ForecastArgs,
    made: &Made,
    panel: &Panel,
    rows: &[horizon_core::export::SeriesForecast],
    by: &str,
) -> Result<(), CliError> {
    let (Some(dir), Made::Registered { name, version, .. }) = (&a.forecast_log, made) else {
        return Ok(());
    };
    let log = ForecastLog {
        model: name.clone(),
        version: *version,
        made_at: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        by: by.to_string(),
        freq: panel.freq,
        id_columns: panel.id_columns.clone(),
        forecasts: rows.to_vec(),
    };
    let (path, new) =
        horizon_registry::forecast_log::write(dir, name, &log.file_name(), &log.to_bytes()).map_err(|e| {
            CliError::Failure(anyhow::anyhow!(
                "the forecast was written but could not be logged for monitoring: {e}"
            ))
        })?;
    if new {
        eprintln!("logged for monitoring: {}", path.display());
    } else {
        eprintln!("already logged for monitoring (the same forecast): {}", path.display());
    }
    Ok(())
}

/// What made the forecasts: a model spec, or a registered version.
pub(super) enum Made {
    Spec(ModelSpec),
    Registered { name: String, version: u64, spec: String },
}

/// The forecast of every series of the file, as `forecast` writes it and `report` shows it;
/// failures are reported on stderr, none forecast at all is an error.
pub(super) fn compute(a: &ForecastArgs) -> Result<Computed, CliError> {
    if a.forecast_log.is_some() && a.registered.is_none() {
        return Err(CliError::Data(
            "--forecast-log keeps forecasts of a registered model for `horizon monitor`: add --registered NAME@ALIAS"
                .into(),
        ));
    }
    if let Some(target) = &a.registered {
        return compute_registered(a, target);
    }
    let horizon = a.horizon.unwrap_or_default();
    let levels = if a.levels.is_empty() {
        vec![95.0]
    } else {
        a.levels.clone()
    };
    check(horizon, &levels)?;
    let ing = load(&a.file, &a.columns, true)?;
    say_warnings(a, &ing);
    let Some(panel) = ing.panel else {
        return Err(CliError::Data("nothing could be read".into()));
    };
    let model = a.settings.apply(&a.model, a.columns.season, false)?;
    // Before the long work (the data and flags are checked first): the output may not be written.
    check_new(&a.out, a.force, &[&a.file])?;
    let tuned = super::tuning::tune_gbm(&panel, &model)?;
    let model_source = ModelSource::Spec {
        spec: &model,
        tuned: tuned.as_ref(),
    };
    let options = ForecastOptions {
        plan: read_plan_file(a, &panel, horizon)?,
        ..ForecastOptions::new(horizon, &levels)
    };
    let (panel, out, totals) = forecast_levels(a, panel, model_source, &options)?;
    // The fitted model of the first series, as the workbench shows it (orders, weights, …).
    if let Some(d) = out.forecasts.first() {
        eprintln!("{}: {}", horizon_core::data::key_label(&d.forecast.key), d.description);
    }
    for f in &out.failures {
        eprintln!("{}: series '{}': not forecast: {}", a.file.display(), f.series, f.error);
    }
    if out.forecasts.is_empty() {
        return Err(CliError::Failure(anyhow::anyhow!(
            "no series could be forecast with {}",
            a.model
        )));
    }
    Ok(Computed {
        panel,
        out,
        made: Made::Spec(model),
        totals,
    })
}

/// The plan of --future-drivers, read and checked against the data and the horizon.
fn read_plan_file(a: &ForecastArgs, panel: &Panel, horizon: usize) -> Result<Option<Arc<Plan>>, CliError> {
    let Some(path) = &a.future_drivers else {
        return Ok(None);
    };
    let bytes = std::fs::read(path).map_err(|e| CliError::Data(format!("{}: {e}", path.display())))?;
    let plan =
        read_plan(&bytes, &path.display().to_string(), panel, horizon).map_err(|e| CliError::Data(e.to_string()))?;
    for line in plan.unseen(panel, horizon) {
        eprintln!("warning: {}: {line}", path.display());
    }
    Ok(Some(Arc::new(plan)))
}

/// The forecasts of the panel's series, or with --hierarchy of every level, reconciled.
fn forecast_levels(
    a: &ForecastArgs,
    panel: Panel,
    source: ModelSource,
    options: &ForecastOptions,
) -> Result<(Panel, PanelForecast, Option<Totals>), CliError> {
    let Some(hierarchy) = &a.hierarchy else {
        let out = forecast(&panel, source, options).map_err(|e| CliError::Data(e.to_string()))?;
        return Ok((panel, out, None));
    };
    let columns: Vec<String> = hierarchy.split('/').map(|c| c.trim().to_string()).collect();
    let r = forecast_hierarchy(&panel, &columns, source, options, a.reconcile)
        .map_err(|e| CliError::Data(format!("--hierarchy {hierarchy}: {e}")))?;
    let levels = r
        .hierarchy
        .nodes
        .iter()
        .map(|n| r.hierarchy.levels[n.level].name.clone())
        .collect();
    let totals = Totals {
        levels,
        method: r.method,
        note: r.note,
        scores: r.scores,
    };
    let forecasts = r
        .base
        .into_iter()
        .zip(r.forecasts)
        .map(|(base, forecast)| Described { forecast, ..base })
        .collect();
    let out = PanelForecast {
        forecasts,
        failures: Vec::new(),
    };
    Ok((r.panel, out, Some(totals)))
}

/// What reading the file guessed and found, on stderr: the columns it forecasts (a wrong guess
/// forecasts the wrong column with exit 0, so it is said every time), the warnings that change
/// what is forecast in full ([`super::args::say_changes`]), the others counted.
fn say_warnings(a: &ForecastArgs, ing: &horizon_core::data::Ingested) {
    let file = a.file.display();
    if let (Some(m), Some(p)) = (&ing.mapping, &ing.panel) {
        let ids = if m.id_columns.is_empty() {
            String::new()
        } else {
            format!(" by {}", m.id_columns.join(", "))
        };
        let drivers = if m.exog_columns.is_empty() {
            String::new()
        } else {
            format!("; drivers {}", m.exog_columns.join(", "))
        };
        eprintln!(
            "{file}: forecasting '{}' per {} of '{}'{ids} ({} series){drivers}",
            m.value_column,
            p.freq.unit(),
            m.date_column,
            p.series.len()
        );
    }
    super::args::say_changes(&file.to_string(), &ing.report);
}

fn compute_registered(a: &ForecastArgs, target: &str) -> Result<Computed, CliError> {
    let (name, r) = VersionRef::parse_target(target).map_err(|e| CliError::Data(format!("--registered: {e}")))?;
    let reg = a.registry.open_existing()?;
    let version = reg.resolve(&name, &r).map_err(registry_failure)?;
    let art = load_artifact(reg.as_ref(), &name, version.version)?;
    let horizon = a.horizon.unwrap_or(art.horizon);
    let levels = if a.levels.is_empty() {
        art.levels.clone()
    } else {
        a.levels.clone()
    };
    check(horizon, &levels)?;
    // Read the file as the training data was, unless the command line says otherwise (but not
    // at another frequency than the model's: its forecasts are at its own).
    if let Some(f) = a.columns.options().freq.filter(|f| *f != art.training.freq) {
        return Err(CliError::Data(format!(
            "--freq {}: {name} version {} was trained on {} data and forecasts {} periods",
            f.name(),
            version.version,
            art.training.freq.name(),
            art.training.freq.name()
        )));
    }
    let trained_as = art.ingest_options();
    // The calendar first: monthly dates read on a weekly model's grid are off it, and this is why.
    let ing = load_checked(&a.file, &a.columns.over(&trained_as), true, |stats| {
        if a.columns.options().freq.is_some() {
            return Ok(());
        }
        art.check_calendar(stats).map_err(|e| {
            CliError::Data(format!(
                "{}: {name} version {}: {e}, or pass --freq {}",
                a.file.display(),
                version.version,
                art.training.freq.name()
            ))
        })
    })?;
    say_warnings(a, &ing);
    let Some(panel) = ing.panel else {
        return Err(CliError::Data("nothing could be read".into()));
    };
    check_new(&a.out, a.force, &[&a.file])?;
    let options = ForecastOptions {
        plan: read_plan_file(a, &panel, horizon)?,
        ..ForecastOptions::new(horizon, &levels)
    };
    let (panel, out, totals) = forecast_levels(a, panel, ModelSource::Artifact(&art), &options)?;
    for f in &out.failures {
        eprintln!("{}: series '{}': not forecast: {}", a.file.display(), f.series, f.error);
    }
    if out.forecasts.is_empty() {
        return Err(CliError::Failure(anyhow::anyhow!(
            "no series could be forecast with {name} version {}",
            version.version
        )));
    }
    let made = Made::Registered {
        name,
        version: version.version,
        spec: art.spec.to_string(),
    };
    Ok(Computed {
        panel,
        out,
        made,
        totals,
    })
}
