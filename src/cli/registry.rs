//! `horizon registry list|show|promote|rollback|tag|delete`: look after registered models in
//! the local registry (default) or on an MLflow server (`--registry http://…`).

use super::CliError;
use super::train::registry_failure;
use crate::registry::target::RegistryTarget;
use anyhow::anyhow;
use clap::{Args, Subcommand};
use horizon_core::artifact::Artifact;
use horizon_core::eval::selection::Metric;
use horizon_registry::promotion::{self, PromotionPolicy};
use horizon_registry::{Registry, VersionRef};

/// Which registry: shared by every command that uses one.
#[derive(Debug, Clone, Args)]
pub struct RegistryArgs {
    /// `local` (the per-user registry; default), a registry folder, or an MLflow URL
    /// (http://host:port; user and password from MLFLOW_TRACKING_USERNAME / _PASSWORD).
    /// Default: $HORIZON_REGISTRY, else local
    #[arg(long, global = true)]
    pub registry: Option<String>,
    /// Seconds before an MLflow call gives up (default 30)
    #[arg(long, global = true)]
    pub timeout: Option<f64>,
}

impl RegistryArgs {
    pub fn open(&self) -> Result<Box<dyn Registry>, CliError> {
        self.target()?.open().map_err(CliError::Failure)
    }

    /// [`RegistryArgs::open`] for a command that reads what is registered: a registry folder
    /// named on the command line or in the environment must exist (a typo would otherwise
    /// open, and create, an empty registry).
    pub fn open_existing(&self) -> Result<Box<dyn Registry>, CliError> {
        if let RegistryTarget::Local { path: Some(p) } = self.target()?
            && !p.is_dir()
        {
            return Err(CliError::Data(format!(
                "--registry: there is no registry at {} (the folder does not exist; `horizon train` creates one)",
                p.display()
            )));
        }
        self.open()
    }

    /// The registry this command line names (`--registry`, `HORIZON_REGISTRY`, or local).
    pub fn target(&self) -> Result<RegistryTarget, CliError> {
        Ok(match &self.registry {
            Some(s) => {
                RegistryTarget::parse(s, self.timeout).map_err(|e| CliError::Data(format!("--registry: {e}")))?
            }
            None => match RegistryTarget::from_env().map_err(CliError::Data)? {
                RegistryTarget::Mlflow { url, .. } if self.timeout.is_some() => {
                    RegistryTarget::parse(&url, self.timeout).map_err(CliError::Data)?
                }
                t => t,
            },
        })
    }
}

#[derive(Debug, Args)]
pub struct RegistryCmdArgs {
    #[command(subcommand)]
    pub action: Action,
    #[command(flatten)]
    pub registry: RegistryArgs,
}

#[derive(Debug, Subcommand)]
pub enum Action {
    /// Registered models, their versions and aliases
    List,
    /// One version (NAME, NAME:VERSION or NAME@ALIAS): model, metrics, tags, training data
    Show { target: String },
    /// Make NAME:VERSION the champion if it beats the current one by the threshold on the
    /// metric both were scored on (the same hold-out); --force skips the comparison
    Promote {
        target: String,
        #[arg(long, default_value = "champion")]
        alias: String,
        #[arg(long, default_value_t = 0.10)]
        threshold: f64,
        /// rmse, mase, smape or mae (lower is better)
        #[arg(long, default_value = "rmse")]
        metric: Metric,
        #[arg(long)]
        force: bool,
    },
    /// Move ALIAS of NAME back to the version it pointed at before
    Rollback {
        name: String,
        #[arg(long, default_value = "champion")]
        alias: String,
    },
    /// Set a tag on a model (NAME) or a version (NAME:VERSION)
    Tag { target: String, key: String, value: String },
    /// Delete a version (NAME:VERSION) or, with --all, a whole model (NAME); a version an alias
    /// points at needs --force, which first moves the alias back to its previous version
    Delete {
        target: String,
        #[arg(long)]
        all: bool,
        #[arg(long)]
        force: bool,
    },
}

/// An alias from the command line, checked before anything is read (a bad name is exit 2).
fn checked_alias(alias: String) -> Result<String, CliError> {
    horizon_registry::validate_alias(&alias).map_err(|e| CliError::Data(e.to_string()))?;
    Ok(alias)
}

fn parse_target(s: &str) -> Result<(String, VersionRef), CliError> {
    VersionRef::parse_target(s).map_err(|e| CliError::Data(e.to_string()))
}

pub fn run(a: RegistryCmdArgs) -> Result<(), CliError> {
    let reg = a.registry.open_existing()?;
    let reg = reg.as_ref();
    match a.action {
        Action::List => list(reg),
        Action::Show { target } => show(reg, &target),
        Action::Promote {
            target,
            alias,
            threshold,
            metric,
            force,
        } => {
            let (name, r) = parse_target(&target)?;
            let alias = checked_alias(alias)?;
            let metric = metric.to_string();
            let v = reg.resolve(&name, &r).map_err(registry_failure)?;
            if force {
                // No comparison, but never an artifact that cannot be read.
                load_artifact(reg, &name, v.version)?;
                promotion::move_alias(reg, &name, &alias, v.version).map_err(registry_failure)?;
                reg.set_version_tag(&name, v.version, "horizon.promotion.decision", "forced")
                    .map_err(registry_failure)?;
                println!("{name}@{alias} → version {} (forced, no comparison)", v.version);
                return Ok(());
            }
            if !(0.0..1.0).contains(&threshold) {
                return Err(CliError::Data(format!(
                    "--threshold must be at least 0 and below 1 (0.10 = 10 %), got {threshold}"
                )));
            }
            let policy = PromotionPolicy {
                alias: alias.clone(),
                metric: metric.clone(),
                threshold,
            };
            let cand = load_artifact(reg, &name, v.version)?;
            let cand_score = stored_metric(&cand, &metric, &name, v.version)?;
            let champ_score = match promotion::current_alias(reg, &name, &alias).map_err(registry_failure)? {
                Some(c) if c != v.version => {
                    let champ = load_artifact(reg, &name, c)?;
                    let same_data = champ.training.series.iter().map(|s| &s.fingerprint).eq(cand
                        .training
                        .series
                        .iter()
                        .map(|s| &s.fingerprint));
                    let same_holdout =
                        (champ.horizon, champ.folds, champ.season) == (cand.horizon, cand.folds, cand.season);
                    if !(same_data && same_holdout) {
                        return Err(CliError::Data(format!(
                            "{name} version {} and the {alias} (version {c}) were scored on {}, so their {metric} \
                             cannot be compared; retrain with `horizon train` (which scores the {alias} on the new \
                             hold-out) or pass --force",
                            v.version,
                            if same_data {
                                "different hold-outs (horizon, folds or season)"
                            } else {
                                "different data"
                            }
                        )));
                    }
                    Some((c, stored_metric(&champ, &metric, &name, c)?))
                }
                _ => None,
            };
            let d = promotion::promote(reg, &name, v.version, cand_score, champ_score, &policy)
                .map_err(registry_failure)?;
            println!("{d}");
            Ok(())
        }
        Action::Rollback { name, alias } => {
            let alias = checked_alias(alias)?;
            let (from, to) = promotion::rollback(reg, &name, &alias).map_err(registry_failure)?;
            println!("{name}@{alias}: version {from} → version {to}");
            Ok(())
        }
        Action::Tag { target, key, value } => {
            let (name, r) = parse_target(&target)?;
            if key.trim().is_empty() || key.starts_with("horizon.") {
                return Err(CliError::Data(format!(
                    "tag '{key}': a tag needs a name, and names starting with 'horizon.' are Horizon's own \
                     (metrics, promotions, alias histories)"
                )));
            }
            match r {
                VersionRef::Latest => reg.set_model_tag(&name, &key, &value),
                r => reg
                    .resolve(&name, &r)
                    .and_then(|v| reg.set_version_tag(&name, v.version, &key, &value)),
            }
            .map_err(registry_failure)
        }
        Action::Delete { target, all, force } => {
            let (name, r) = parse_target(&target)?;
            match (r, all) {
                (VersionRef::Latest, true) => reg.delete_model(&name).map_err(registry_failure)?,
                (VersionRef::Latest, false) => {
                    return Err(CliError::Data(format!(
                        "say which version to delete ({name}:N), or --all to delete the whole model"
                    )));
                }
                (r, _) => {
                    let v = reg.resolve(&name, &r).map_err(registry_failure)?;
                    let model = reg.get_model(&name).map_err(registry_failure)?;
                    let aliases: Vec<&String> = model
                        .aliases
                        .iter()
                        .filter(|(_, n)| **n == v.version)
                        .map(|(a, _)| a)
                        .collect();
                    if !aliases.is_empty() && !force {
                        let named: Vec<String> = aliases.iter().map(|a| format!("{name}@{a}")).collect();
                        let flag = match aliases[0].as_str() {
                            "champion" => String::new(),
                            other => format!(" --alias {other}"),
                        };
                        return Err(CliError::Data(format!(
                            "{name}:{} is {}: deleting it would leave the alias pointing nowhere; roll the alias back \
                             first (`horizon registry rollback {name}{flag}`), or pass --force to delete it all the \
                             same, which moves the alias back to its previous version",
                            v.version,
                            named.join(" and ")
                        )));
                    }
                    for alias in aliases {
                        match promotion::rollback(reg, &name, alias) {
                            Ok((_, to)) => println!("{name}@{alias} moved back to version {to}"),
                            Err(e) => eprintln!("warning: {name}@{alias} goes with the version: {e}"),
                        }
                    }
                    reg.delete_version(&name, v.version).map_err(registry_failure)?;
                }
            }
            println!("deleted {target}");
            Ok(())
        }
    }
}

/// A version's artifact, read and checked.
pub fn load_artifact(reg: &dyn Registry, name: &str, version: u64) -> Result<Artifact, CliError> {
    let bytes = reg.download(name, version).map_err(registry_failure)?;
    Artifact::from_bytes(&bytes, &format!("{name} version {version} ({})", reg.describe()))
        .map_err(|e| CliError::Failure(anyhow!("{e}")))
}

fn stored_metric(a: &Artifact, metric: &str, name: &str, version: u64) -> Result<f64, CliError> {
    a.metrics
        .get(metric)
        .copied()
        .ok_or_else(|| CliError::Data(format!("{name} version {version} has no '{metric}' backtest metric")))
}

fn list(reg: &dyn Registry) -> Result<(), CliError> {
    let models = reg.list_models().map_err(registry_failure)?;
    println!("{}", reg.describe());
    if models.is_empty() {
        println!("no registered models (train one with `horizon train --config …`)");
    }
    for m in models {
        let aliases: Vec<String> = m.aliases.iter().map(|(a, v)| format!("@{a}→{v}")).collect();
        let model = reg.get_model(&m.name).map_err(registry_failure)?;
        let versions = model.versions;
        println!("{}  ({} version(s)) {}", m.name, versions.len(), aliases.join(" "));
        for d in &model.damaged {
            println!("  v{:<4} damaged: {}", d.version, d.problem);
        }
        for v in versions {
            let model = v.tags.get("horizon.model").cloned().unwrap_or_default();
            let metric = v
                .tags
                .iter()
                .find(|(k, _)| {
                    k.starts_with("horizon.") && ["rmse", "mase", "smape", "mae"].iter().any(|m| k.ends_with(m))
                })
                .map(|(k, val)| {
                    let val = val.parse::<f64>().map_or_else(|_| val.clone(), |v| format!("{v:.4}"));
                    format!("{}={val}", k.trim_start_matches("horizon."))
                })
                .unwrap_or_default();
            let when = chrono::DateTime::from_timestamp_millis(v.created_ms)
                .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_default();
            let aliases = if v.aliases.is_empty() {
                String::new()
            } else {
                format!("  [{}]", v.aliases.join(", "))
            };
            println!("  v{:<4} {when}  {model:<20} {metric}{aliases}", v.version);
        }
    }
    Ok(())
}

fn show(reg: &dyn Registry, target: &str) -> Result<(), CliError> {
    let (name, r) = parse_target(target)?;
    let v = reg.resolve(&name, &r).map_err(registry_failure)?;
    let a = load_artifact(reg, &name, v.version)?;
    println!("{name} version {} ({})", v.version, reg.describe());
    println!(
        "  aliases: {}",
        if v.aliases.is_empty() {
            "-".into()
        } else {
            v.aliases.join(", ")
        }
    );
    println!("  model: {} — {}", a.spec, a.spec.summary());
    println!(
        "  trained: {} by Horizon {} on {} ({} series, {} observations, {})",
        a.created_at,
        a.horizon_version,
        a.training.source,
        a.training.series.len(),
        a.training.observations,
        a.training.freq
    );
    println!("  horizon {} at levels {:?}", a.horizon, a.levels);
    if let Some(run) = &v.run_id {
        println!("  run: {run}");
    }
    println!("  backtest metrics:");
    for (k, val) in &a.metrics {
        println!("    {k:<28} {val:.4}");
    }
    if !v.tags.is_empty() {
        println!("  tags:");
        for (k, val) in &v.tags {
            println!("    {k} = {val}");
        }
    }
    if let Some(first) = a.series.first() {
        use horizon_core::Fitted;
        println!("  first series: {}", first.fitted.description());
    }
    Ok(())
}
