//! The JSON shapes of MLflow's REST API (3.x) that Horizon reads, and their conversion to the
//! registry types. MLflow omits empty fields and sends ids and versions as strings, so every
//! field has a default and numbers are read leniently (number or string).

use crate::{ModelVersion, RegisteredModel};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct KeyValue {
    pub key: String,
    pub value: String,
}

/// `[{key, value}]` from a map.
pub fn key_values(map: &BTreeMap<String, String>) -> Vec<KeyValue> {
    map.iter()
        .map(|(k, v)| KeyValue {
            key: k.clone(),
            value: v.clone(),
        })
        .collect()
}

fn to_map(kvs: Vec<KeyValue>) -> BTreeMap<String, String> {
    kvs.into_iter().map(|kv| (kv.key, kv.value)).collect()
}

/// An integer that MLflow may send as a number or as a string.
fn lenient_i64<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Number(n) => n.as_i64().unwrap_or(0),
        Value::String(s) => s.parse().unwrap_or(0),
        _ => 0,
    })
}

/// A string that MLflow may send as a string or as a number (versions, ids).
fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => s,
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    })
}

/// A metric value: a number, or `"NaN"`, `"Infinity"`, `"-Infinity"` (protobuf JSON).
pub fn metric_value(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().unwrap_or(f64::NAN),
        Value::String(s) => match s.as_str() {
            "Infinity" => f64::INFINITY,
            "-Infinity" => f64::NEG_INFINITY,
            s => s.parse().unwrap_or(f64::NAN),
        },
        _ => f64::NAN,
    }
}

/// The JSON of a metric value (non-finite values as protobuf JSON strings).
pub fn metric_json(v: f64) -> Value {
    if v.is_nan() {
        Value::from("NaN")
    } else if v.is_infinite() {
        Value::from(if v > 0.0 { "Infinity" } else { "-Infinity" })
    } else {
        Value::from(v)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WireAlias {
    pub alias: String,
    #[serde(deserialize_with = "lenient_string")]
    pub version: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WireModel {
    pub name: String,
    #[serde(deserialize_with = "lenient_i64")]
    pub creation_timestamp: i64,
    pub tags: Vec<KeyValue>,
    pub aliases: Vec<WireAlias>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WireVersion {
    pub name: String,
    #[serde(deserialize_with = "lenient_string")]
    pub version: String,
    #[serde(deserialize_with = "lenient_i64")]
    pub creation_timestamp: i64,
    pub run_id: String,
    pub tags: Vec<KeyValue>,
    pub aliases: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ModelResp {
    pub registered_model: WireModel,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct VersionResp {
    pub model_version: WireVersion,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ModelsPage {
    pub registered_models: Vec<WireModel>,
    pub next_page_token: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct VersionsPage {
    pub model_versions: Vec<WireVersion>,
    pub next_page_token: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WireExperiment {
    #[serde(deserialize_with = "lenient_string")]
    pub experiment_id: String,
    pub name: String,
    pub lifecycle_stage: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ExperimentResp {
    pub experiment: WireExperiment,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CreatedExperiment {
    #[serde(deserialize_with = "lenient_string")]
    pub experiment_id: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RunInfo {
    pub run_id: String,
    #[serde(deserialize_with = "lenient_string")]
    pub experiment_id: String,
    pub run_name: String,
    #[serde(deserialize_with = "lenient_i64")]
    pub start_time: i64,
    pub artifact_uri: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WireMetric {
    pub key: String,
    pub value: Value,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RunData {
    pub metrics: Vec<WireMetric>,
    pub params: Vec<KeyValue>,
    pub tags: Vec<KeyValue>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WireRun {
    pub info: RunInfo,
    pub data: RunData,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RunResp {
    pub run: WireRun,
}

/// The body of an MLflow error (`{"error_code": …, "message": …}`).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ApiError {
    pub error_code: String,
    pub message: String,
}

impl WireModel {
    /// Alias → version; aliases whose version is not a number are left out.
    pub fn alias_map(&self) -> BTreeMap<String, u64> {
        self.aliases
            .iter()
            .filter_map(|a| Some((a.alias.clone(), a.version.parse().ok()?)))
            .collect()
    }

    pub fn into_model(self) -> RegisteredModel {
        let aliases = self.alias_map();
        RegisteredModel {
            name: self.name,
            created_ms: self.creation_timestamp,
            tags: to_map(self.tags),
            aliases,
            versions: Vec::new(),
            damaged: Vec::new(),
        }
    }
}

impl WireVersion {
    /// `None` when the version is not a number.
    pub fn into_version(self) -> Option<ModelVersion> {
        let version = self.version.parse().ok()?;
        let mut aliases = self.aliases;
        aliases.sort();
        Some(ModelVersion {
            name: self.name,
            version,
            created_ms: self.creation_timestamp,
            run_id: Some(self.run_id).filter(|r| !r.is_empty()),
            tags: to_map(self.tags),
            aliases,
        })
    }
}

impl RunData {
    /// Params, latest metric values and the user's tags (MLflow's own `mlflow.*` tags left out).
    pub fn into_maps(
        self,
    ) -> (
        BTreeMap<String, String>,
        BTreeMap<String, f64>,
        BTreeMap<String, String>,
    ) {
        let metrics = self
            .metrics
            .iter()
            .map(|m| (m.key.clone(), metric_value(&m.value)))
            .collect();
        let tags = self
            .tags
            .into_iter()
            .filter(|t| !t.key.starts_with("mlflow."))
            .collect();
        (to_map(self.params), metrics, to_map(tags))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_ids_and_timestamps_read_from_strings_or_numbers() {
        let v: VersionResp = serde_json::from_str(
            r#"{"model_version":{"name":"m","version":"3","creation_timestamp":"17","run_id":"r",
                "tags":[{"key":"a","value":"b"}],"aliases":["z","champion"],"extra":1}}"#,
        )
        .unwrap();
        let v = v.model_version.into_version().unwrap();
        assert_eq!((v.version, v.created_ms, v.run_id.as_deref()), (3, 17, Some("r")));
        assert_eq!(v.aliases, ["champion", "z"]);
        let m: ModelResp =
            serde_json::from_str(r#"{"registered_model":{"name":"m","aliases":[{"alias":"c","version":2}]}}"#).unwrap();
        assert_eq!(m.registered_model.alias_map().get("c"), Some(&2));
        assert!(metric_value(&metric_json(f64::NAN)).is_nan());
        assert_eq!(metric_value(&metric_json(f64::NEG_INFINITY)), f64::NEG_INFINITY);
        assert_eq!(metric_value(&metric_json(0.25)), 0.25);
    }
}
