//! The pipeline config of `horizon train --config pipeline.toml`: where the data is and how to
//! read it, which models to try, the backtest, the registry and the promotion rule.
//! `sample_data/pipeline.toml` is the documented example.

use crate::registry::target::RegistryTarget;
use horizon_core::ModelSpec;
use horizon_core::data::IngestOptions;
use horizon_core::pipeline::{Metric, TrainConfig};
use horizon_registry::promotion::PromotionPolicy;
use horizon_registry::validate_model_name;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::str::FromStr;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipelineConfig {
    pub data: DataSection,
    pub training: TrainingSection,
    #[serde(default)]
    pub registry: RegistrySection,
    #[serde(default)]
    pub promotion: PromotionSection,
    #[serde(default)]
    pub output: OutputSection,
    #[serde(default)]
    pub tuning: TuningSection,
}

/// Limits of the model search: the candidates are backtested in the order given until a
/// limit is reached (the first is always tried).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TuningSection {
    /// Stop starting new candidates after this many seconds of backtesting.
    pub time_budget_secs: Option<f64>,
    /// Backtest at most this many candidates.
    pub max_candidates: Option<usize>,
    /// Search the GBM's parameters (TPE, median pruning) in this many trials before it fits.
    pub gbm_trials: Option<usize>,
    /// ... and for at most this many seconds.
    pub gbm_secs: Option<u64>,
}

impl TuningSection {
    /// `candidates` with the GBM's parameter search applied to the GBM among them.
    fn gbm(&self, candidates: Vec<ModelSpec>) -> Result<Vec<ModelSpec>, String> {
        let tuning = match (self.gbm_trials, self.gbm_secs) {
            (None, None) => return Ok(candidates),
            (None, Some(_)) => return Err("gbm_secs needs gbm_trials".into()),
            (Some(t), _) if !(1..=10_000).contains(&t) => {
                return Err(format!("gbm_trials must be 1 to 10000 (got {t})"));
            }
            (Some(trials), seconds) => horizon_core::models::gbm::Tuning { trials, seconds },
        };
        if !candidates.iter().any(|c| matches!(c.uncalibrated(), ModelSpec::Gbm(_))) {
            return Err("gbm_trials is set but gbm is not among [training] models".into());
        }
        candidates
            .into_iter()
            .map(|c| match c.uncalibrated() {
                ModelSpec::Gbm(_) => c.with_tuning(tuning).map_err(|e| e.to_string()),
                _ => Ok(c),
            })
            .collect()
    }
}

/// The sales file and the column overrides (each guessed when left out).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataSection {
    /// Relative paths are taken from the config file's folder.
    pub path: PathBuf,
    pub delimiter: Option<String>,
    pub date_col: Option<String>,
    pub date_format: Option<String>,
    pub value_col: Option<String>,
    pub id_cols: Option<Vec<String>>,
    pub exog_cols: Option<Vec<String>>,
    pub freq: Option<String>,
    pub duplicates: Option<String>,
    pub gaps: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingSection {
    /// Candidate models, as `--model` names them (`ets`, `arima`, `seasonal-naive:7`, …).
    pub models: Vec<String>,
    pub horizon: usize,
    #[serde(default = "default_levels")]
    pub levels: Vec<f64>,
    #[serde(default = "default_folds")]
    pub folds: usize,
    pub season: Option<usize>,
    #[serde(default = "default_metric")]
    pub metric: String,
}

fn default_levels() -> Vec<f64> {
    vec![80.0, 95.0]
}
fn default_folds() -> usize {
    3
}
fn default_metric() -> String {
    "rmse".into()
}

/// `target = "local"` (default; `path` overrides the folder) or `target = "mlflow"` with `url`,
/// `username_env` / `password_env` (names of the variables holding the credentials),
/// `timeout_secs` and `experiment`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistrySection {
    #[serde(default = "default_target")]
    pub target: String,
    pub path: Option<PathBuf>,
    pub url: Option<String>,
    pub username_env: Option<String>,
    pub password_env: Option<String>,
    pub timeout_secs: Option<f64>,
    pub experiment: Option<String>,
    /// Name of the registered model.
    #[serde(default = "default_model_name")]
    pub model_name: String,
}

impl Default for RegistrySection {
    fn default() -> Self {
        RegistrySection {
            target: default_target(),
            path: None,
            url: None,
            username_env: None,
            password_env: None,
            timeout_secs: None,
            experiment: None,
            model_name: default_model_name(),
        }
    }
}

fn default_target() -> String {
    "local".into()
}

impl RegistrySection {
    fn target(&self, file: &Path, base: &Path) -> Result<RegistryTarget, String> {
        match self.target.as_str() {
            "local" => Ok(RegistryTarget::Local {
                path: self.path.as_ref().map(|p| base.join(p)),
            }),
            "mlflow" => {
                let url = self
                    .url
                    .clone()
                    .ok_or_else(|| format!("{}: [registry] target = \"mlflow\" needs url", file.display()))?;
                let RegistryTarget::Mlflow {
                    username_env,
                    password_env,
                    timeout_secs,
                    experiment,
                    ..
                } = RegistryTarget::parse(&url, self.timeout_secs)
                    .map_err(|e| format!("{}: [registry] url: {e}", file.display()))?
                else {
                    return Err(format!(
                        "{}: [registry] url must start with http:// or https://",
                        file.display()
                    ));
                };
                Ok(RegistryTarget::Mlflow {
                    url,
                    username_env: self.username_env.clone().unwrap_or(username_env),
                    password_env: self.password_env.clone().unwrap_or(password_env),
                    timeout_secs,
                    experiment: self.experiment.clone().unwrap_or(experiment),
                })
            }
            other => Err(format!(
                "{}: [registry] target = '{other}': use \"local\" or \"mlflow\"",
                file.display()
            )),
        }
    }
}

fn default_model_name() -> String {
    "sales".into()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PromotionSection {
    #[serde(default = "default_alias")]
    pub alias: String,
    /// Relative improvement of the training metric needed to replace the champion.
    #[serde(default = "default_threshold")]
    pub threshold: f64,
}

impl Default for PromotionSection {
    fn default() -> Self {
        PromotionSection {
            alias: default_alias(),
            threshold: default_threshold(),
        }
    }
}

fn default_alias() -> String {
    "champion".into()
}
fn default_threshold() -> f64 {
    0.10
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputSection {
    /// Write the registered model's forecast here (relative to the config's folder).
    pub forecast: Option<PathBuf>,
}

/// A config, checked, with its paths resolved.
#[derive(Debug, Clone)]
pub struct Pipeline {
    pub data_path: PathBuf,
    pub ingest: IngestOptions,
    pub train: TrainConfig,
    pub registry: RegistryTarget,
    pub model_name: String,
    pub policy: PromotionPolicy,
    pub forecast_out: Option<PathBuf>,
    pub time_budget: Option<std::time::Duration>,
    pub max_candidates: Option<usize>,
}

fn parse<T: FromStr>(file: &Path, key: &str, v: &Option<String>) -> Result<Option<T>, String>
where
    T::Err: std::fmt::Display,
{
    v.as_deref()
        .map(|s| {
            s.parse::<T>()
                .map_err(|e| format!("{}: {key} = '{s}': {e}", file.display()))
        })
        .transpose()
}

impl PipelineConfig {
    /// Read and check `path`; every message names the file and the key.
    pub fn load(path: &Path) -> Result<Pipeline, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let cfg: PipelineConfig = toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        cfg.check(path)
    }

    fn check(self, file: &Path) -> Result<Pipeline, String> {
        let base = file.parent().unwrap_or(Path::new("."));
        let resolve = |p: &Path| if p.is_absolute() { p.to_path_buf() } else { base.join(p) };
        let d = &self.data;
        let delimiter = match d.delimiter.as_deref() {
            None => None,
            Some("tab" | "\t") => Some(b'\t'),
            Some(s) if s.len() == 1 && s.is_ascii() => Some(s.as_bytes()[0]),
            Some(s) => {
                return Err(format!(
                    "{}: [data] delimiter = '{s}': one character or 'tab'",
                    file.display()
                ));
            }
        };
        let ingest = IngestOptions {
            delimiter,
            date_column: d.date_col.clone(),
            date_format: parse(file, "[data] date_format", &d.date_format)?,
            value_column: d.value_col.clone(),
            id_columns: d.id_cols.clone(),
            exog_columns: d.exog_cols.clone(),
            freq: parse(file, "[data] freq", &d.freq)?,
            duplicates: parse(file, "[data] duplicates", &d.duplicates)?.unwrap_or_default(),
            gaps: parse(file, "[data] gaps", &d.gaps)?.unwrap_or_default(),
            season: self.training.season,
        };
        let t = &self.training;
        if let Some(m) = t.season.filter(|m| !(1..=10_000).contains(m)) {
            return Err(format!(
                "{}: [training] season = {m}: a season is 1 to 10000 periods",
                file.display()
            ));
        }
        if t.models.is_empty() {
            return Err(format!(
                "{}: [training] models is empty: name at least one model",
                file.display()
            ));
        }
        let candidates = t
            .models
            .iter()
            .map(|m| {
                m.parse::<ModelSpec>()
                    .map_err(|e| format!("{}: [training] models: {e}", file.display()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        // The same model twice would be backtested twice and both rows shown as chosen.
        let twice =
            (0..candidates.len()).find_map(|i| (0..i).find(|&j| candidates[j] == candidates[i]).map(|j| (j, i)));
        if let Some((j, i)) = twice {
            return Err(format!(
                "{}: [training] models: '{}' is named twice (as '{}' and '{}')",
                file.display(),
                candidates[i],
                t.models[j],
                t.models[i]
            ));
        }
        let candidates = self
            .tuning
            .gbm(candidates)
            .map_err(|e| format!("{}: [tuning] {e}", file.display()))?;
        horizon_core::forecast::check_horizon(t.horizon)
            .map_err(|e| format!("{}: [training] horizon: {e}", file.display()))?;
        horizon_core::models::check_levels(&t.levels)
            .map_err(|e| format!("{}: [training] levels: {e}", file.display()))?;
        if t.folds == 0 || t.folds > 50 {
            return Err(format!(
                "{}: [training] folds must be 1 to 50 (got {})",
                file.display(),
                t.folds
            ));
        }
        let metric: Metric = t
            .metric
            .parse()
            .map_err(|e| format!("{}: [training] metric: {e}", file.display()))?;
        let name = validate_model_name(&self.registry.model_name)
            .map_err(|e| format!("{}: [registry] model_name: {e}", file.display()))?
            .to_string();
        let p = &self.promotion;
        horizon_registry::validate_alias(&p.alias)
            .map_err(|e| format!("{}: [promotion] alias: {e}", file.display()))?;
        if !(0.0..1.0).contains(&p.threshold) {
            return Err(format!(
                "{}: [promotion] threshold must be at least 0 and below 1 (0.10 = 10 %), got {}",
                file.display(),
                p.threshold
            ));
        }
        let registry = self.registry.target(file, base)?;
        let time_budget = match self.tuning.time_budget_secs {
            None => None,
            Some(t) if t.is_finite() && t > 0.0 && t <= 7.0 * 86_400.0 => Some(std::time::Duration::from_secs_f64(t)),
            Some(t) => {
                return Err(format!(
                    "{}: [tuning] time_budget_secs must be above 0 and at most a week, 604800 (got {t})",
                    file.display()
                ));
            }
        };
        if self.tuning.max_candidates == Some(0) {
            return Err(format!(
                "{}: [tuning] max_candidates must be at least 1",
                file.display()
            ));
        }
        Ok(Pipeline {
            data_path: resolve(&d.path),
            ingest,
            train: TrainConfig {
                candidates,
                horizon: t.horizon,
                levels: t.levels.clone(),
                folds: t.folds,
                season: t.season,
                metric,
            },
            registry,
            model_name: name,
            policy: PromotionPolicy {
                alias: p.alias.clone(),
                metric: metric.name().to_string(),
                threshold: p.threshold,
            },
            forecast_out: self.output.forecast.as_deref().map(resolve),
            time_budget,
            max_candidates: self.tuning.max_candidates,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_str(text: &str) -> Result<Pipeline, String> {
        let cfg: PipelineConfig = toml::from_str(text).map_err(|e| e.to_string())?;
        cfg.check(Path::new("/cfg/pipeline.toml"))
    }

    #[test]
    fn a_minimal_config_takes_the_defaults() {
        let p = load_str("[data]\npath = \"sales.csv\"\n[training]\nmodels = [\"ets\", \"naive\"]\nhorizon = 28\n")
            .unwrap();
        assert_eq!(p.data_path, PathBuf::from("/cfg/sales.csv"));
        assert_eq!(p.registry, RegistryTarget::Local { path: None });
        assert_eq!(p.model_name, "sales");
        assert_eq!(p.policy, PromotionPolicy::default());
        assert_eq!(p.train.folds, 3);
        assert_eq!(p.train.candidates.len(), 2);
    }

    #[test]
    fn mistakes_name_the_file_and_key() {
        let base = "[data]\npath = \"s.csv\"\n[training]\nhorizon = 7\n";
        let e = load_str(&format!("{base}models = [\"prophett\"]\n")).unwrap_err();
        assert!(
            e.contains("/cfg/pipeline.toml: [training] models: unknown model 'prophett'"),
            "{e}"
        );
        let e = load_str(&format!("{base}models = [\"ets\", \"naive\", \"ets\"]\n")).unwrap_err();
        assert!(
            e.contains("/cfg/pipeline.toml: [training] models: 'ets' is named twice (as 'ets' and 'ets')"),
            "{e}"
        );
        let e = load_str(&format!("{base}models = [\"ets\"]\n[promotion]\nthreshold = 10\n")).unwrap_err();
        assert!(e.contains("[promotion] threshold"), "{e}");
        let e = load_str(&format!(
            "{base}models = [\"ets\"]\n[registry]\nmodel_name = \"../x\"\n"
        ))
        .unwrap_err();
        assert!(e.contains("[registry] model_name"), "{e}");
        assert!(
            load_str(&format!("{base}models = [\"ets\"]\ntypo = 1\n")).is_err(),
            "unknown keys are refused"
        );
        let p = load_str(&format!(
            "{base}models = [\"ets\"]\n[registry]\ntarget = \"mlflow\"\nurl = \"http://127.0.0.1:5000\"\ntimeout_secs = 2\n"
        ))
        .unwrap();
        assert!(matches!(p.registry, RegistryTarget::Mlflow { timeout_secs, .. } if timeout_secs == 2.0));
    }

    #[test]
    fn the_gbm_search_is_set_in_the_tuning_section() {
        let base = "[data]\npath = \"s.csv\"\n[training]\nhorizon = 7\n";
        let p = load_str(&format!(
            "{base}models = [\"ets\", \"gbm\"]\n[tuning]\ngbm_trials = 30\ngbm_secs = 600\n"
        ))
        .unwrap();
        assert_eq!(p.train.candidates[0], "ets".parse().unwrap());
        assert_eq!(
            p.train.candidates[1],
            ModelSpec::Gbm(horizon_core::models::gbm::GbmSpec {
                tune: Some(horizon_core::models::gbm::Tuning {
                    trials: 30,
                    seconds: Some(600)
                }),
                ..Default::default()
            })
        );
        let e = load_str(&format!("{base}models = [\"ets\"]\n[tuning]\ngbm_trials = 30\n")).unwrap_err();
        assert!(e.contains("[tuning] gbm_trials is set but gbm is not among"), "{e}");
        let e = load_str(&format!("{base}models = [\"gbm\"]\n[tuning]\ngbm_trials = 0\n")).unwrap_err();
        assert!(e.contains("[tuning] gbm_trials must be 1 to 10000"), "{e}");
    }

    #[test]
    fn a_season_of_zero_is_refused_as_on_the_command_line() {
        let base = "[data]\npath = \"s.csv\"\n[training]\nhorizon = 7\nmodels = [\"seasonal-naive\"]\n";
        let e = load_str(&format!("{base}season = 0\n")).unwrap_err();
        assert!(
            e.contains("[training] season = 0: a season is 1 to 10000 periods"),
            "{e}"
        );
        assert!(load_str(&format!("{base}season = 7\n")).is_ok());
    }
}
