//! The requests under the trait: one endpoint call, the reading of its errors, and the steps
//! several operations share (experiments, runs, artifact paths).

use super::MlflowRegistry;
use super::http::{self, Call, Failure, Retry};
use super::wire::{self, ExperimentResp, RunResp, WireVersion, key_values};
use crate::types::now_ms;
use crate::{ModelVersion, RegistryError, Result};
use ehttp::Method;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

/// What a "not found" answer is about, for one request.
#[derive(Default, Clone, Copy)]
pub(super) struct Ctx<'a> {
    name: Option<&'a str>,
    version: Option<u64>,
    alias: Option<&'a str>,
    run: Option<&'a str>,
}

impl<'a> Ctx<'a> {
    pub(super) fn model(name: &'a str) -> Self {
        Ctx {
            name: Some(name),
            ..Ctx::default()
        }
    }
    pub(super) fn version(name: &'a str, version: u64) -> Self {
        Ctx {
            version: Some(version),
            ..Ctx::model(name)
        }
    }
    pub(super) fn alias(name: &'a str, alias: &'a str) -> Self {
        Ctx {
            alias: Some(alias),
            ..Ctx::model(name)
        }
    }
    pub(super) fn run(run: &'a str) -> Self {
        Ctx {
            run: Some(run),
            ..Ctx::default()
        }
    }
}

impl MlflowRegistry {
    pub(super) fn raw(
        &self,
        method: Method,
        endpoint: &str,
        query: &[(&str, &str)],
        body: Option<Value>,
        retry: Retry,
    ) -> (String, std::result::Result<Vec<u8>, Failure>) {
        let what = format!("{} {endpoint}", method.as_str());
        let mut path = format!("/api/2.0/mlflow/{endpoint}");
        if !query.is_empty() {
            path.push_str(&http::query(query));
        }
        let call = Call {
            method,
            path,
            what: what.clone(),
            body: body.map(|b| (b.to_string().into_bytes(), "application/json")),
            retry,
        };
        let result = self.http.send(&call);
        (what, result)
    }

    /// The error of a failed request, reading "not found" answers in the light of `ctx`.
    pub(super) fn fail(&self, what: &str, failure: Failure, ctx: Ctx) -> RegistryError {
        if let Failure::Api { status, code, message } = &failure {
            let name = || ctx.name.unwrap_or_default().to_string();
            if *status == 404 && code == "RESOURCE_DOES_NOT_EXIST" {
                match (ctx.run, ctx.name, ctx.version) {
                    (Some(run), _, _) => return RegistryError::NoRun(run.to_string()),
                    (None, Some(n), Some(v)) if !message.contains("Registered Model") => {
                        // MLflow says so also when the whole model is missing: ask.
                        let (_, model) = self.raw(
                            Method::GET,
                            "registered-models/get",
                            &[("name", n)],
                            None,
                            Retry::Always,
                        );
                        if let Err(Failure::Api { status: 404, .. }) = model {
                            return RegistryError::NoModel(name());
                        }
                        return RegistryError::NoVersion {
                            name: name(),
                            version: v.to_string(),
                        };
                    }
                    (None, Some(_), _) => return RegistryError::NoModel(name()),
                    _ => {}
                }
            }
            if *status == 400
                && code == "INVALID_PARAMETER_VALUE"
                && let Some(alias) = ctx.alias
                && message.contains("alias")
                && message.contains("not found")
            {
                return RegistryError::NoAlias {
                    name: name(),
                    alias: alias.to_string(),
                };
            }
        }
        self.http.error(what, failure)
    }

    pub(super) fn parse<T: DeserializeOwned>(&self, what: &str, bytes: &[u8]) -> Result<T> {
        serde_json::from_slice(bytes).map_err(|e| self.http.unreadable(what, e))
    }

    pub(super) fn get<T: DeserializeOwned>(&self, endpoint: &str, query: &[(&str, &str)], ctx: Ctx) -> Result<T> {
        let (what, result) = self.raw(Method::GET, endpoint, query, None, Retry::Always);
        let bytes = result.map_err(|f| self.fail(&what, f, ctx))?;
        self.parse(&what, &bytes)
    }

    pub(super) fn post<T: DeserializeOwned>(&self, endpoint: &str, body: Value, retry: Retry, ctx: Ctx) -> Result<T> {
        let (what, result) = self.raw(Method::POST, endpoint, &[], Some(body), retry);
        let bytes = result.map_err(|f| self.fail(&what, f, ctx))?;
        self.parse(&what, &bytes)
    }

    /// A request whose answer is `{}`.
    pub(super) fn send(&self, method: Method, endpoint: &str, body: Value, ctx: Ctx) -> Result<()> {
        let (what, result) = self.raw(method, endpoint, &[], Some(body), Retry::Always);
        result.map(|_| ()).map_err(|f| self.fail(&what, f, ctx))
    }

    pub(super) fn version(&self, what: &str, v: WireVersion) -> Result<ModelVersion> {
        let shown = v.version.clone();
        v.into_version()
            .ok_or_else(|| self.http.unreadable(what, format!("version '{shown}' is not a number")))
    }

    /// The id of experiment `name`, created when missing.
    pub(super) fn experiment_id(&self, name: &str) -> Result<String> {
        for _ in 0..2 {
            let (what, found) = self.raw(
                Method::GET,
                "experiments/get-by-name",
                &[("experiment_name", name)],
                None,
                Retry::Always,
            );
            match found {
                Ok(bytes) => {
                    let e: ExperimentResp = self.parse(&what, &bytes)?;
                    if e.experiment.lifecycle_stage == "deleted" {
                        return Err(RegistryError::Invalid(format!(
                            "the experiment '{name}' on {} is deleted: restore it or choose another",
                            self.http.registry
                        )));
                    }
                    return Ok(e.experiment.experiment_id);
                }
                Err(Failure::Api { status: 404, .. }) => {}
                Err(f) => return Err(self.fail(&what, f, Ctx::default())),
            }
            let (what, created) = self.raw(
                Method::POST,
                "experiments/create",
                &[],
                Some(json!({ "name": name })),
                Retry::Always,
            );
            match created {
                Ok(bytes) => return Ok(self.parse::<wire::CreatedExperiment>(&what, &bytes)?.experiment_id),
                // Created meanwhile by someone else: look it up again.
                Err(Failure::Api { code, .. }) if code == "RESOURCE_ALREADY_EXISTS" => {}
                Err(f) => return Err(self.fail(&what, f, Ctx::default())),
            }
        }
        Err(RegistryError::Invalid(format!(
            "the experiment '{name}' on {} can neither be found nor created",
            self.http.registry
        )))
    }

    /// Start a run; `(run id, artifact URI)`.
    pub(super) fn create_run(
        &self,
        experiment: &str,
        name: &str,
        start_ms: i64,
        tags: &BTreeMap<String, String>,
    ) -> Result<(String, String)> {
        let experiment_id = self.experiment_id(experiment)?;
        let mut body = json!({ "experiment_id": experiment_id, "start_time": start_ms, "tags": key_values(tags) });
        if !name.is_empty() {
            body["run_name"] = Value::from(name);
        }
        let run: RunResp = self.post("runs/create", body, Retry::IfNotSent, Ctx::default())?;
        Ok((run.run.info.run_id, run.run.info.artifact_uri))
    }

    pub(super) fn finish_run(&self, run_id: &str) -> Result<()> {
        let body = json!({ "run_id": run_id, "status": "FINISHED", "end_time": now_ms() });
        self.post::<Value>("runs/update", body, Retry::Always, Ctx::run(run_id))
            .map(|_| ())
    }

    /// The artifact proxy's path for an `mlflow-artifacts:` URI.
    pub(super) fn artifact_path(&self, uri: &str) -> Result<String> {
        let rest = uri.strip_prefix("mlflow-artifacts:").ok_or_else(|| {
            RegistryError::Invalid(format!(
                "{} keeps run artifacts at '{uri}', which Horizon cannot upload to: run the server with artifact serving (the default of `mlflow server`)",
                self.http.registry
            ))
        })?;
        // `mlflow-artifacts://host:port/path` names the server too: keep the path.
        let rest = match rest.strip_prefix("//") {
            Some(r) => r.find('/').map_or("", |i| &r[i..]),
            None => rest,
        };
        let segments: Vec<String> = rest.split('/').filter(|s| !s.is_empty()).map(http::encode).collect();
        Ok(format!("/api/2.0/mlflow-artifacts/artifacts/{}", segments.join("/")))
    }
}

/// A folder name no other version of this process or another one uses (the same in every run
/// of a replayed operation).
pub(super) fn unique_folder() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    super::replay::stable(|| {
        format!(
            "{}-{}-{}",
            now_ms(),
            process_id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        )
    })
}

/// The process id; in the browser (no processes) a random number for the page.
fn process_id() -> u64 {
    #[cfg(not(target_arch = "wasm32"))]
    return u64::from(std::process::id());
    #[cfg(target_arch = "wasm32")]
    {
        static PAGE: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
        *PAGE.get_or_init(|| (js_sys::Math::random() * 1e12) as u64)
    }
}
