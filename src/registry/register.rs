//! Registering a trained artifact, the same from the pipeline CLI and the workbench: a run
//! with the training's params and the artifact's metrics, then a version tagged with the model,
//! its score and the data.

use horizon_core::artifact::Artifact;
use horizon_core::pipeline::TrainConfig;
use horizon_registry::{NewRun, Registry, RegistryError};
use std::collections::BTreeMap;

/// The params every training run records (callers may add their own).
pub fn training_params(cfg: &TrainConfig, art: &Artifact) -> BTreeMap<String, String> {
    let names = cfg.candidates.iter().map(|s| s.name()).collect::<Vec<_>>().join(",");
    BTreeMap::from([
        ("candidates".to_string(), names),
        ("chosen_model".to_string(), art.spec.name()),
        ("horizon".to_string(), cfg.horizon.to_string()),
        ("folds".to_string(), cfg.folds.to_string()),
        ("metric".to_string(), cfg.metric.to_string()),
        (
            "season".to_string(),
            cfg.season.map_or_else(|| "frequency default".into(), |m| m.to_string()),
        ),
        ("data".to_string(), art.training.source.clone()),
        ("series".to_string(), art.training.series.len().to_string()),
        ("observations".to_string(), art.training.observations.to_string()),
        ("frequency".to_string(), art.training.freq.to_string()),
    ])
}

/// Log the run and register `bytes` (the serialised `art`) as a new version of `model_name`:
/// (version, run id).
pub fn register(
    reg: &dyn Registry,
    model_name: &str,
    art: &Artifact,
    bytes: &[u8],
    score: f64,
    params: BTreeMap<String, String>,
    extra_tags: BTreeMap<String, String>,
) -> Result<(u64, String), RegistryError> {
    let run = reg.log_run(&NewRun {
        experiment: String::new(),
        name: format!("train-{model_name}"),
        params,
        metrics: art.metrics.clone(),
        tags: BTreeMap::from([
            ("horizon.version".to_string(), art.horizon_version.clone()),
            ("horizon.model_name".to_string(), model_name.to_string()),
        ]),
    })?;
    let mut tags = BTreeMap::from([
        ("horizon.model".to_string(), art.spec.name()),
        (format!("horizon.{}", art.metric), score.to_string()),
        ("horizon.data".to_string(), art.training.source.clone()),
    ]);
    tags.extend(extra_tags);
    let v = reg.create_version(model_name, bytes, Some(&run.run_id), &tags)?;
    Ok((v.version, run.run_id))
}
