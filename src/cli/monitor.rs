//! `horizon monitor NEW.csv --registered NAME@ALIAS [--forecast-log DIR] [--json F] [--html F]
//! [--retrain-config pipeline.toml]`: is the new data still what the model was trained on, are
//! its logged forecasts as good as its backtest promised — a verdict per series and overall,
//! an exit code a scheduler acts on, the check recorded as a run in the registry, and the
//! training pipeline run when the verdict is retrain.

use super::CliError;
use super::args::{ColumnArgs, load_with};
use super::config::PipelineConfig;
use super::output::{check_distinct, check_new, write_new};
use super::registry::{RegistryArgs, load_artifact};
use super::train::{TrainArgs, registry_failure};
use anyhow::anyhow;
use clap::Args;
use horizon_core::Panel;
use horizon_core::data::IngestOptions;
use horizon_core::monitor::log::ForecastLog;
use horizon_core::monitor::{Inputs, MonitorOptions, MonitorReport, Verdict, html::html, monitor};
use horizon_registry::{NewRun, Registry, RegistryError, VersionRef, forecast_log};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Exit codes of `horizon monitor`.
pub const EXIT_CODES: &str = "Exit codes:
  0  ok: the data looks as the model expects and its forecasts keep their promise
  3  watch: something changed a little, or cannot be checked yet (see the reasons)
  4  retrain: the data or the forecasts' accuracy changed enough to retrain
  5  retrained: the verdict was retrain and --retrain-config registered a new version
     (its promotion rule decided whether it became the champion)
  1  failure: a file or the registry could not be read or written
  2  the input data or the command line is invalid";

#[derive(Debug, Args)]
pub struct MonitorArgs {
    /// The new sales: the history with the days since training, or only the new days; read as
    /// the model's training data was
    pub file: PathBuf,
    /// The registered model to check: NAME (newest version), NAME:VERSION or NAME@ALIAS
    #[arg(long, value_name = "NAME[@ALIAS|:VERSION]")]
    pub registered: String,
    /// The folder of forecast logs (`forecast --registered … --forecast-log DIR`, `serve
    /// --forecast-log DIR`): the forecasts are judged against the actuals in FILE. Default: a
    /// local registry's own folder, where the workbench keeps its forecasts
    #[arg(long, value_name = "DIR")]
    pub forecast_log: Option<PathBuf>,
    /// Check only the last N periods of the data (default: every period after the training data)
    #[arg(long, value_parser = clap::value_parser!(u64).range(3..=100_000))]
    pub window: Option<u64>,
    /// False discovery rate of the drift findings over the run's series (Benjamini-Hochberg over
    /// the series, then over each flagged series' tests)
    #[arg(long, default_value_t = 0.05)]
    pub fdr: f64,
    /// Write the report for machines (JSON) here
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write the report for people (one self-contained HTML page with plots) here
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Replace the report files if they exist
    #[arg(long)]
    pub force: bool,
    /// When the verdict is retrain, run this training pipeline (it must train the monitored
    /// model in the same registry; its forecast output, if any, is replaced); its promotion
    /// rule decides the rest
    #[arg(long, value_name = "PIPELINE.toml")]
    pub retrain_config: Option<PathBuf>,
    /// Do not record the check as a run in the registry
    #[arg(long)]
    pub no_record: bool,
    #[command(flatten)]
    pub columns: ColumnArgs,
    #[command(flatten)]
    pub registry: RegistryArgs,
}

pub fn run(a: MonitorArgs) -> Result<(), CliError> {
    if !(a.fdr > 0.0 && a.fdr < 1.0) {
        return Err(CliError::Data(format!("--fdr {}: a rate between 0 and 1", a.fdr)));
    }
    let (name, r) =
        VersionRef::parse_target(&a.registered).map_err(|e| CliError::Data(format!("--registered: {e}")))?;
    let reg = a.registry.open_existing()?;
    if let Some(config) = &a.retrain_config {
        check_retrain_config(config, &name, reg.as_ref())?;
    }
    if let (Some(json), Some(html)) = (&a.json, &a.html) {
        check_distinct(&[("--json", json), ("--html", html)])?;
    }
    for out in [&a.json, &a.html].into_iter().flatten() {
        check_new(out, a.force, &[&a.file])?;
    }
    let version = reg.resolve(&name, &r).map_err(registry_failure)?;
    let art = load_artifact(reg.as_ref(), &name, version.version)?;
    let (panel, read) = read_data(&a, &art)?;
    let data_name = a.file.display().to_string();
    super::args::say_changes(&data_name, &read.report);
    // The folder given, else the local registry's own (where the workbench keeps its forecasts).
    let log_dir = match &a.forecast_log {
        Some(dir) if !dir.is_dir() => {
            return Err(CliError::Data(format!(
                "--forecast-log: {} is not a folder (forecasts are logged by `horizon forecast --forecast-log DIR` \
                 and by `horizon serve`)",
                dir.display()
            )));
        }
        Some(dir) => Some(dir.clone()),
        None => a
            .registry
            .target()?
            .local_root()
            .map(|root| forecast_log::in_registry(&root))
            .filter(|d| d.is_dir()),
    };
    let logs = match &log_dir {
        Some(dir) => read_logs(dir, &name)?,
        None => Vec::new(),
    };
    let inputs = Inputs {
        artifact: &art,
        model: &name,
        version: version.version,
        panel: &panel,
        data: &a.file.display().to_string(),
        logs: &logs,
        checked_at: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    };
    let options = MonitorOptions {
        fdr: a.fdr,
        window: a.window.map(|w| w as usize),
    };
    let mut report = monitor(&inputs, &options);
    if read.stats.gaps_filled > 0 {
        report.notes.push(format!(
            "{} missing period(s) in the data were filled by the gap policy; filled days are checked as sales.",
            read.stats.gaps_filled
        ));
    }
    let (said, _) = super::args::change_lines(&read.report);
    if !said.is_empty() {
        report.notes.push(format!(
            "Reading the data changed what is checked (`horizon validate {data_name}` lists every warning): {}",
            said.join("; ")
        ));
    }
    if logs.is_empty()
        && let Some(dir) = &log_dir
    {
        report
            .notes
            .push(format!("No forecasts of {name} are logged in {} yet.", dir.display()));
    }
    print(&report);
    if let Some(path) = &a.json {
        let json = serde_json::to_string_pretty(&report).map_err(|e| CliError::Failure(anyhow!(e)))?;
        write_new(path, json.as_bytes(), a.force, &[&a.file])?;
        println!("report (JSON): {}", path.display());
    }
    if let Some(path) = &a.html {
        write_new(path, html(&report, &art, &panel, &logs).as_bytes(), a.force, &[&a.file])?;
        println!("report (HTML): {}", path.display());
    }
    let copy = match (&a.retrain_config, report.verdict) {
        (Some(_), Verdict::Retrain) => already_trained(reg.as_ref(), &name, version.version, &panel)?,
        _ => None,
    };
    if let Some(newer) = &copy {
        println!("not retrained: {newer}");
    }
    let retrained = match (&a.retrain_config, report.verdict) {
        (Some(config), Verdict::Retrain) if copy.is_none() => {
            println!("retraining with {} …", config.display());
            // The pipeline's own forecast output (if it has one) is the loop's to replace.
            Some(super::train::train(&TrainArgs {
                config: config.clone(),
                force: true,
                shard: None,
            }))
        }
        _ => None,
    };
    let version_made = retrained.as_ref().and_then(|r| r.as_ref().ok()).map(|d| d.candidate);
    // Recorded whatever happened next; a registry that cannot take the record does not hide the
    // verdict from the scheduler.
    if !a.no_record {
        match record(reg.as_ref(), &report, version_made) {
            Ok(run) => println!("recorded: run {run} in {}", reg.describe()),
            Err(e) => eprintln!("warning: the check was not recorded in {}: {e}", reg.describe()),
        }
    }
    let retrained = retrained.transpose()?;
    let code = match (report.verdict, &retrained) {
        (Verdict::Ok, _) => return Ok(()),
        (Verdict::Watch, _) => 3,
        (Verdict::Retrain, None) => 4,
        (Verdict::Retrain, Some(_)) => 5,
    };
    Err(CliError::Exit(code))
}

/// A newer version than the monitored one, trained on data reaching as far as `panel`: the
/// last retrain was not promoted, and training again on the same data would only add a copy.
fn already_trained(reg: &dyn Registry, name: &str, monitored: u64, panel: &Panel) -> Result<Option<String>, CliError> {
    let newest = reg.resolve(name, &VersionRef::Latest).map_err(registry_failure)?;
    if newest.version == monitored {
        return Ok(None);
    }
    let art = load_artifact(reg, name, newest.version)?;
    let trained_until = art.training.series.iter().map(|s| s.end).max();
    let data_until = panel.series.iter().filter_map(|s| s.dates.last()).max().copied();
    Ok(match (trained_until, data_until) {
        (Some(t), Some(d)) if t >= d => Some(format!(
            "version {} was trained on these data (up to {t}) and its promotion rule kept it from champion; \
             promote it (`horizon registry promote {name}:{}`) or retrain when newer data arrive",
            newest.version, newest.version
        )),
        _ => None,
    })
}

/// The retrain pipeline must train the monitored model into the same registry.
fn check_retrain_config(config: &Path, name: &str, reg: &dyn Registry) -> Result<(), CliError> {
    let p = PipelineConfig::load(config).map_err(CliError::Data)?;
    if p.model_name != name {
        return Err(CliError::Data(format!(
            "--retrain-config {}: it trains '{}', not the monitored model '{name}'",
            config.display(),
            p.model_name
        )));
    }
    let theirs = p.registry.open().map_err(CliError::Failure)?.describe();
    if !same_registry(&theirs, &reg.describe()) {
        return Err(CliError::Data(format!(
            "--retrain-config {}: it registers in {theirs}, but {name} is monitored in {}",
            config.display(),
            reg.describe()
        )));
    }
    Ok(())
}

/// Whether two registries' descriptions name the same one: local folders compared as canonical
/// paths, server addresses without a trailing slash.
fn same_registry(a: &str, b: &str) -> bool {
    const LOCAL: &str = "local registry at ";
    match (a.strip_prefix(LOCAL), b.strip_prefix(LOCAL)) {
        (Some(x), Some(y)) => {
            let canon = |p: &str| std::fs::canonicalize(p).unwrap_or_else(|_| PathBuf::from(p));
            canon(x) == canon(y)
        }
        _ => a.trim_end_matches('/') == b.trim_end_matches('/'),
    }
}

/// The new data, read as the model's training data was. The frequency is the trained one when
/// the training set it; when it was guessed, it is guessed again, so that a changed calendar is
/// found rather than forced onto the old grid (and, if no guess can be made, the trained one).
fn read_data(a: &MonitorArgs, art: &horizon_core::artifact::Artifact) -> Result<(Panel, Read), CliError> {
    let trained_as = art.ingest_options();
    if art.preprocessing.freq.is_none() && a.columns.options().freq.is_none() {
        let guessing = IngestOptions {
            freq: None,
            ..trained_as.clone()
        };
        let bytes =
            std::fs::read(&a.file).map_err(|e| CliError::Failure(anyhow!("cannot read {}: {e}", a.file.display())))?;
        let ing = horizon_core::data::ingest_csv(&bytes, &a.file.display().to_string(), &a.columns.over(&guessing));
        if let (Some(panel), false) = (ing.panel, ing.report.has_errors()) {
            return Ok((
                panel,
                Read {
                    report: ing.report,
                    stats: ing.stats,
                },
            ));
        }
    }
    let ing = load_with(&a.file, &a.columns.over(&trained_as), true)?;
    let panel = ing
        .panel
        .ok_or_else(|| CliError::Data("nothing could be read".into()))?;
    Ok((
        panel,
        Read {
            report: ing.report,
            stats: ing.stats,
        },
    ))
}

/// What reading the new data found besides the panel.
struct Read {
    report: horizon_core::data::Report,
    stats: horizon_core::data::IngestStats,
}

/// The model's forecast logs; a file that cannot be read (half-written, edited) is skipped
/// with its name.
fn read_logs(dir: &Path, name: &str) -> Result<Vec<ForecastLog>, CliError> {
    let files = forecast_log::read(dir, name).map_err(|e| CliError::Failure(anyhow!("--forecast-log: {e}")))?;
    let mut logs = Vec::new();
    for (path, bytes) in files {
        match ForecastLog::from_bytes(&bytes, &path.display().to_string()) {
            Ok(l) => logs.push(l),
            Err(e) => eprintln!("warning: {e}"),
        }
    }
    Ok(logs)
}

fn print(r: &MonitorReport) {
    println!(
        "monitor: {} version {} on {} ({} series; trained on data up to {})",
        r.model,
        r.version,
        r.data,
        r.series.len(),
        r.trained_until.map(|d| d.to_string()).unwrap_or_else(|| "—".into())
    );
    println!(
        "verdict: {} — {} ok, {} to watch, {} to retrain ({} drift tests, {} discoveries at false discovery rate {})",
        r.verdict.word().to_uppercase(),
        r.counts.ok,
        r.counts.watch,
        r.counts.retrain,
        r.tests,
        r.discoveries,
        r.fdr
    );
    for reason in &r.reasons {
        println!("  - {reason}");
    }
    if let Some(acc) = &r.accuracy {
        if let Some(all) = &acc.overall {
            let cov = all
                .coverage
                .last()
                .map(|c| format!(", {:.0} % inside the {} % range", 100.0 * c.observed, c.level))
                .unwrap_or_default();
            println!(
                "accuracy: {} forecast(s), {} days with actuals: MASE {:.3} (backtest {}), bias {}{cov}",
                acc.forecasts,
                all.pairs,
                all.mase,
                r.promised.mase.map_or("—".into(), |m| format!("{m:.3}")),
                all.bias.map_or("—".into(), |b| format!("{:+.1} %", 100.0 * b))
            );
        }
        for m in &acc.messages {
            println!("  - {m}");
        }
    }
    let attention: Vec<_> = r.series.iter().filter(|c| c.verdict > Verdict::Ok).collect();
    if !attention.is_empty() {
        println!("series needing attention:");
        for c in attention.iter().take(25) {
            println!("  {:<24} {:<8} {}", c.label, c.verdict.word(), c.reasons.join(" "));
        }
        if attention.len() > 25 {
            println!("  … and {} more (see --json or --html)", attention.len() - 25);
        }
    }
    for n in &r.notes {
        println!("note: {n}");
    }
}

/// The check as a run in the registry: its verdict, counts and accuracy as metrics.
fn record(reg: &dyn Registry, r: &MonitorReport, retrained: Option<u64>) -> Result<String, RegistryError> {
    let mut metrics = BTreeMap::from([
        ("series".to_string(), r.series.len() as f64),
        ("ok".to_string(), r.counts.ok as f64),
        ("watch".to_string(), r.counts.watch as f64),
        ("retrain".to_string(), r.counts.retrain as f64),
        ("drift_tests".to_string(), r.tests as f64),
        ("drift_discoveries".to_string(), r.discoveries as f64),
        (
            "verdict_level".to_string(),
            match r.verdict {
                Verdict::Ok => 0.0,
                Verdict::Watch => 1.0,
                Verdict::Retrain => 2.0,
            },
        ),
    ]);
    if let Some(all) = r.accuracy.as_ref().and_then(|a| a.overall.as_ref()) {
        metrics.insert("actual_mase".into(), all.mase);
        metrics.insert("actual_days".into(), all.pairs as f64);
        if let Some(b) = all.bias {
            metrics.insert("actual_bias".into(), b);
        }
        if let Some(c) = all.coverage.last() {
            metrics.insert("actual_coverage".into(), c.observed);
        }
    }
    let mut params = BTreeMap::from([
        ("model".to_string(), r.model.clone()),
        ("version".to_string(), r.version.to_string()),
        ("data".to_string(), r.data.clone()),
        ("fdr".to_string(), r.fdr.to_string()),
    ]);
    if let Some(v) = retrained {
        params.insert("retrained_version".into(), v.to_string());
    }
    let tags = BTreeMap::from([
        ("horizon.kind".to_string(), "monitor".to_string()),
        ("horizon.verdict".to_string(), r.verdict.word().to_string()),
    ]);
    let run = reg.log_run(&NewRun {
        experiment: String::new(),
        name: format!("monitor-{}", r.model),
        params,
        metrics,
        tags,
    })?;
    Ok(run.run_id)
}
