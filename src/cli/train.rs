//! `horizon train --config pipeline.toml`: validation → backtest of the candidates → training
//! of the best → registration (run with params and metrics, new model version) → promotion
//! against the current champion on the same hold-out → summary (and the forecast, if asked).

use super::CliError;
use super::config::PipelineConfig;
use super::output::{check_new, write_new};
use anyhow::{Context, anyhow};
use clap::Args;
use horizon_core::artifact::Artifact;
use horizon_core::data::ingest_csv;
use horizon_core::data::shard::{Shard, input_fingerprint};
use horizon_core::export::forecast_csv;
use horizon_core::forecast::{ForecastOptions, ModelSource, forecast};
use horizon_core::pipeline::{self, Trained};
use horizon_registry::promotion::{self, Decision, Rival};
use horizon_registry::{Registry, RegistryError};
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct TrainArgs {
    /// The pipeline config (see sample_data/pipeline.toml)
    #[arg(long)]
    pub config: PathBuf,
    /// Replace the forecast output file if it exists
    #[arg(long)]
    pub force: bool,
    /// Train only shard K of N of the series (split by a stable hash of their ids, the same in
    /// every process and in `horizon_forecast.ray`), registered as `<model_name>-shard-K-of-N`;
    /// a shard already registered from the same data and recipe is not trained again
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
}

pub fn run(a: TrainArgs) -> Result<(), CliError> {
    train_some(&a).map(|_| ())
}

/// Run the pipeline of `a.config` (not sharded): the version registered and what promotion
/// decided.
pub(super) fn train(a: &TrainArgs) -> Result<Decision, CliError> {
    train_some(a)?.ok_or_else(|| CliError::Failure(anyhow!("nothing was trained")))
}

/// Run the pipeline; `None` when a shard has nothing to do (no series, or already registered).
fn train_some(a: &TrainArgs) -> Result<Option<Decision>, CliError> {
    let mut p = PipelineConfig::load(&a.config).map_err(CliError::Data)?;
    if let Some(shard) = a.shard {
        // Each shard its own model and forecast file: shards may run at once on shared storage.
        p.model_name = shard.model_name(&p.model_name);
        p.forecast_out = p.forecast_out.map(|out| {
            let stem = out
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let ext = out
                .extension()
                .map(|e| format!(".{}", e.to_string_lossy()))
                .unwrap_or_default();
            out.with_file_name(format!("{stem}.shard-{}-of-{}{ext}", shard.index, shard.count))
        });
    }
    // A shard's forecast file is its own and is made again when a retried shard finds its version.
    let force = a.force || a.shard.is_some();
    if let Some(out) = &p.forecast_out {
        check_new(out, force, &[&p.data_path, &a.config])?;
    }
    // Reach the registry first: a server that is down is reported before minutes of training.
    let reg = p.registry.open().map_err(CliError::Failure)?;
    check_reachable(reg.as_ref(), &p.model_name)?;

    let bytes = std::fs::read(&p.data_path).with_context(|| format!("cannot read {}", p.data_path.display()))?;
    let source = p.data_path.display().to_string();
    let ing = ingest_csv(&bytes, &source, &p.ingest);
    for line in ing.report.lines() {
        eprintln!("{line}");
    }
    let (Some(panel), false) = (ing.panel, ing.report.has_errors()) else {
        return Err(CliError::Data(format!(
            "{source}: {} error(s); nothing was trained",
            ing.report.error_count()
        )));
    };
    let mut tags = BTreeMap::new();
    let panel = match a.shard {
        None => panel,
        Some(shard) => {
            let all = panel.series.len();
            let panel = shard.of(panel);
            println!("shard {shard}: {} of {all} series", panel.series.len());
            if panel.series.is_empty() {
                println!("shard {shard}: no series fall in this shard; nothing trained");
                return Ok(None);
            }
            let input = input_fingerprint(&panel, &format!("{:?}", p.train));
            if let Some((v, tags)) = registered_from(reg.as_ref(), &p.model_name, &input)? {
                println!(
                    "shard {shard}: already registered as {} version {v} from the same data and recipe; nothing trained",
                    p.model_name
                );
                // A run that died after registering may not have promoted or forecast: do both.
                let bytes = reg.download(&p.model_name, v).map_err(registry_failure)?;
                let art = Artifact::from_bytes(&bytes, &format!("{} version {v}", p.model_name))
                    .map_err(|e| CliError::Failure(anyhow!("{e}")))?;
                let score = tags
                    .get(&format!("horizon.{}", art.metric))
                    .and_then(|t| t.parse::<f64>().ok())
                    .unwrap_or(f64::INFINITY);
                let decision = promote(reg.as_ref(), &p, &panel, (v, &art), score)?;
                println!("promotion: {decision}");
                write_forecast(a, &p, &panel, &art, force)?;
                return Ok(Some(decision));
            }
            tags.insert(INPUT_TAG.to_string(), input);
            tags.insert("horizon.shard".to_string(), shard.to_string());
            panel
        }
    };
    println!(
        "data: {source}: {} series, {} observations, {}",
        panel.series.len(),
        panel.n_obs(),
        panel.freq
    );
    let created_at = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let started = std::time::Instant::now();
    let mut tried = 1;
    let mut more = || {
        let ok = p.time_budget.is_none_or(|b| started.elapsed() < b) && p.max_candidates.is_none_or(|m| tried < m);
        tried += usize::from(ok);
        ok
    };
    let trained = pipeline::train_within(&panel, &source, &p.ingest, &p.train, created_at, &mut more)
        .map_err(|e| CliError::Failure(anyhow!("training failed: {e}")))?;
    print_candidates(&trained, p.train.metric.name());
    if !trained.not_tried.is_empty() {
        println!("not tried (tuning budget reached): {}", trained.not_tried.join(", "));
    }
    for f in &trained.failures {
        eprintln!("{source}: series '{}': left out of the model: {}", f.series, f.error);
    }

    let art = &trained.artifact;
    let bytes = art.to_bytes().map_err(|e| CliError::Failure(anyhow!("{e}")))?;
    let version = match register(reg.as_ref(), &p, art, &bytes, trained.score, tags) {
        Ok(v) => v,
        Err(e) => {
            // The registry failed after training: keep the model rather than lose the work.
            let keep = a.config.with_file_name(format!(
                "{}-{}.hzn",
                p.model_name,
                chrono::Local::now().format("%Y%m%d-%H%M%S")
            ));
            return Err(match write_new(&keep, &bytes, false, &[&p.data_path, &a.config]) {
                Ok(()) => CliError::Failure(anyhow!(
                    "registry: {e}\nthe trained model was kept in {}; nothing was registered",
                    keep.display()
                )),
                Err(w) => CliError::Failure(anyhow!("registry: {e}\nand the trained model could not be kept: {w:#}")),
            });
        }
    };
    println!(
        "registered: {} version {} in {} (run {})",
        p.model_name,
        version.0,
        reg.describe(),
        version.1
    );

    let decision = promote(reg.as_ref(), &p, &panel, (version.0, art), trained.score)?;
    println!("promotion: {decision}");

    write_forecast(a, &p, &panel, art, force)?;
    Ok(Some(decision))
}

/// The config's forecast output, made with the trained artifact.
fn write_forecast(
    a: &TrainArgs,
    p: &super::config::Pipeline,
    panel: &horizon_core::Panel,
    art: &Artifact,
    force: bool,
) -> Result<(), CliError> {
    let Some(out) = &p.forecast_out else {
        return Ok(());
    };
    let options = ForecastOptions::new(art.horizon, &art.levels);
    let made = forecast(panel, ModelSource::Artifact(art), &options).map_err(|e| CliError::Data(e.to_string()))?;
    for f in &made.failures {
        eprintln!("series '{}': not forecast: {}", f.series, f.error);
    }
    let rows = made.series_forecasts();
    let csv = forecast_csv(&panel.id_columns, &rows);
    write_new(out, csv.as_bytes(), force, &[&p.data_path, &a.config])?;
    println!(
        "forecast: {} series × {} steps written to {}",
        rows.len(),
        art.horizon,
        out.display()
    );
    Ok(())
}

/// A version's tags.
type Tags = BTreeMap<String, String>;

/// The version tag holding what a shard was trained from ([`input_fingerprint`]).
const INPUT_TAG: &str = "horizon.input";

/// The version of `name` registered from `input` and its tags, if any (a retried shard's
/// earlier success).
fn registered_from(reg: &dyn Registry, name: &str, input: &str) -> Result<Option<(u64, Tags)>, CliError> {
    match reg.get_model(name) {
        Ok(m) => Ok(m
            .versions
            .into_iter()
            .find(|v| v.tags.get(INPUT_TAG).is_some_and(|t| t == input))
            .map(|v| (v.version, v.tags))),
        Err(RegistryError::NoModel(_)) => Ok(None),
        Err(e) => Err(registry_failure(e)),
    }
}

/// Log the run and register the artifact as a new version (with `tags` besides the usual
/// ones): (version, run id).
fn register(
    reg: &dyn Registry,
    p: &super::config::Pipeline,
    art: &Artifact,
    bytes: &[u8],
    score: f64,
    tags: BTreeMap<String, String>,
) -> Result<(u64, String), RegistryError> {
    crate::registry::register::register(reg, &p.model_name, art, bytes, score, run_params(p, art), tags)
}

fn check_reachable(reg: &dyn Registry, name: &str) -> Result<(), CliError> {
    match reg.get_model(name) {
        Ok(_) | Err(RegistryError::NoModel(_)) => Ok(()),
        Err(e) => Err(registry_failure(e)),
    }
}

pub fn registry_failure(e: RegistryError) -> CliError {
    CliError::Failure(anyhow!("registry: {e}"))
}

fn run_params(p: &super::config::Pipeline, art: &Artifact) -> BTreeMap<String, String> {
    let mut params = crate::registry::register::training_params(&p.train, art);
    params.insert(
        "time_budget_secs".to_string(),
        p.time_budget
            .map_or_else(|| "none".into(), |b| b.as_secs_f64().to_string()),
    );
    params.insert(
        "max_candidates".to_string(),
        p.max_candidates.map_or_else(|| "all".into(), |m| m.to_string()),
    );
    params
}

/// Score the current champion's model on this run's hold-out and let the policy decide. A
/// candidate that is the champion's own model on newer data replaces it (see [`Rival::Refit`]).
fn promote(
    reg: &dyn Registry,
    p: &super::config::Pipeline,
    panel: &horizon_core::Panel,
    candidate: (u64, &Artifact),
    score_of_candidate: f64,
) -> Result<Decision, CliError> {
    let name = &p.model_name;
    let (candidate, art) = candidate;
    // Compared again if another training moves the champion meanwhile (see promote_with).
    let score = |v: u64| -> Result<Rival, RegistryError> {
        let bytes = reg.download(name, v)?;
        let champ = Artifact::from_bytes(&bytes, &format!("{name} version {v}"))
            .map_err(|e| RegistryError::Invalid(e.to_string()))?;
        let score = match pipeline::score(panel, &champ.spec, &p.train) {
            Ok(s) => s,
            // A champion that cannot even be scored on the new data is beaten by any model that can.
            Err(e) => {
                eprintln!(
                    "the {} ({}) could not be scored on this hold-out: {e}",
                    p.policy.alias, champ.spec
                );
                f64::INFINITY
            }
        };
        Ok(match art.refit_of(&champ) {
            Some(why) => Rival::Refit { score, why },
            None => Rival::Score(score),
        })
    };
    promotion::promote_with(reg, name, candidate, score_of_candidate, &p.policy, score).map_err(registry_failure)
}

fn print_candidates(t: &Trained, metric: &str) {
    println!(
        "{:<24} {:>10} {:>8} {:>8} {:>10}   (backtest: {} folds × {} steps)",
        "candidate", "rmse", "mase", "smape", "coverage95", t.backtest.config.folds, t.backtest.config.horizon
    );
    for s in &t.backtest.summary {
        let chosen = if s.model == t.artifact.spec.name() {
            format!("  ← chosen (lowest {metric})")
        } else {
            String::new()
        };
        println!(
            "{:<24} {:>10.3} {:>8.3} {:>8.2} {:>10.3}{chosen}",
            s.model, s.rmse, s.mase, s.smape, s.coverage
        );
    }
}
