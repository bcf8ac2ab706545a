//! [`Registry`] on MLflow: each operation as the requests of the table in `mod.rs`.

use super::calls::{Ctx, unique_folder};
use super::http::{self, Call, Failure, Retry};
use super::wire::{self, ExperimentResp, ModelResp, ModelsPage, RunResp, VersionResp, VersionsPage, key_values};
use super::{ARTIFACT_FILE, MlflowRegistry};
use crate::types::now_ms;
use crate::{ModelVersion, NewRun, NewVersion, RegisteredModel, Registry, RegistryError, Result, RunRecord};
use crate::{validate_alias, validate_model_name};
use ehttp::Method;
use serde_json::{Value, json};
use std::collections::BTreeMap;

impl Registry for MlflowRegistry {
    fn describe(&self) -> String {
        self.http.registry.clone()
    }

    fn log_run(&self, run: &NewRun) -> Result<RunRecord> {
        let experiment = if run.experiment.is_empty() {
            &self.experiment
        } else {
            &run.experiment
        };
        let start_ms = now_ms();
        let (run_id, _) = self.create_run(experiment, &run.name, start_ms, &run.tags)?;
        let params: Vec<_> = key_values(&run.params);
        let metrics: Vec<Value> = run
            .metrics
            .iter()
            .map(|(k, v)| json!({ "key": k, "value": wire::metric_json(*v), "timestamp": start_ms, "step": 0 }))
            .collect();
        // MLflow takes at most 100 params and 1000 metrics per batch.
        let batches = params.len().div_ceil(100).max(metrics.len().div_ceil(1000));
        for i in 0..batches {
            let p = params.iter().skip(i * 100).take(100).collect::<Vec<_>>();
            let m = metrics.iter().skip(i * 1000).take(1000).collect::<Vec<_>>();
            let body = json!({ "run_id": run_id, "params": p, "metrics": m });
            self.post::<Value>("runs/log-batch", body, Retry::IfNotSent, Ctx::run(&run_id))?;
        }
        self.finish_run(&run_id)?;
        Ok(RunRecord::new(run_id, experiment.clone(), start_ms, run))
    }

    fn get_run(&self, run_id: &str) -> Result<RunRecord> {
        if run_id.is_empty() {
            return Err(RegistryError::NoRun(String::new()));
        }
        let run: RunResp = self.get("runs/get", &[("run_id", run_id)], Ctx::run(run_id))?;
        let experiment: ExperimentResp = self.get(
            "experiments/get",
            &[("experiment_id", &run.run.info.experiment_id)],
            Ctx::default(),
        )?;
        let (params, metrics, tags) = run.run.data.into_maps();
        Ok(RunRecord {
            run_id: run.run.info.run_id,
            experiment: experiment.experiment.name,
            name: run.run.info.run_name,
            start_ms: run.run.info.start_time,
            params,
            metrics,
            tags,
        })
    }

    fn list_models(&self) -> Result<Vec<RegisteredModel>> {
        let mut models = Vec::new();
        self.search_pages(
            "registered-models/search",
            &[("max_results", "1000")],
            Ctx::default(),
            |page: ModelsPage| {
                models.extend(page.registered_models.into_iter().map(|m| m.into_model()));
                Ok(page.next_page_token)
            },
        )?;
        models.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(models)
    }

    fn get_model(&self, name: &str) -> Result<RegisteredModel> {
        validate_model_name(name)?;
        let found: ModelResp = self.get("registered-models/get", &[("name", name)], Ctx::model(name))?;
        let mut model = found.registered_model.into_model();
        let filter = format!("name='{name}'");
        let query = [("filter", filter.as_str()), ("max_results", "1000")];
        self.search_pages(
            "model-versions/search",
            &query,
            Ctx::model(name),
            |page: VersionsPage| {
                for v in page.model_versions {
                    let mut v = self.version("GET model-versions/search", v)?;
                    // Search answers leave aliases out; the model has them.
                    v.aliases = model
                        .aliases
                        .iter()
                        .filter(|(_, n)| **n == v.version)
                        .map(|(a, _)| a.clone())
                        .collect();
                    model.versions.push(v);
                }
                Ok(page.next_page_token)
            },
        )?;
        model.versions.sort_by_key(|v| v.version);
        Ok(model)
    }

    fn add_version(&self, name: &str, new: NewVersion<'_>) -> Result<ModelVersion> {
        let NewVersion { artifact, run_id, tags } = new;
        validate_model_name(name)?;
        let (what, created) = self.raw(
            Method::POST,
            "registered-models/create",
            &[],
            Some(json!({ "name": name })),
            Retry::Always,
        );
        match created {
            Ok(_) => {}
            Err(Failure::Api { code, .. }) if code == "RESOURCE_ALREADY_EXISTS" => {}
            Err(f) => return Err(self.fail(&what, f, Ctx::model(name))),
        }
        let (run_id, artifact_uri, own_run) = match run_id {
            Some(id) => {
                let run: RunResp = self.get("runs/get", &[("run_id", id)], Ctx::run(id))?;
                (id.to_string(), run.run.info.artifact_uri, false)
            }
            None => {
                let tags = BTreeMap::from([("horizon.model".to_string(), name.to_string())]);
                let (id, uri) = self.create_run(&self.experiment, &format!("register-{name}"), now_ms(), &tags)?;
                (id, uri, true)
            }
        };
        let folder = format!("model/{}", unique_folder());
        let call = Call {
            method: Method::PUT,
            path: format!("{}/{folder}/{ARTIFACT_FILE}", self.artifact_path(&artifact_uri)?),
            what: "PUT mlflow-artifacts/artifacts".into(),
            body: Some((artifact.to_vec(), "application/octet-stream")),
            retry: Retry::Always,
        };
        self.http
            .send(&call)
            .map_err(|f| self.fail(&call.what, f, Ctx::default()))?;
        for (file, contents) in super::flavour::files(folder.trim_start_matches("model/")) {
            let call = Call {
                method: Method::PUT,
                path: format!("{}/{folder}/{file}", self.artifact_path(&artifact_uri)?),
                what: "PUT mlflow-artifacts/artifacts".into(),
                body: Some((contents.into_bytes(), "text/plain")),
                retry: Retry::Always,
            };
            self.http
                .send(&call)
                .map_err(|f| self.fail(&call.what, f, Ctx::default()))?;
        }
        let body = json!({
            "name": name,
            "source": format!("{}/{folder}", artifact_uri.trim_end_matches('/')),
            "run_id": run_id,
            "tags": key_values(tags),
        });
        let created: VersionResp = self.post("model-versions/create", body, Retry::IfNotSent, Ctx::model(name))?;
        if own_run {
            self.finish_run(&run_id)?;
        }
        let mut version = self.version("POST model-versions/create", created.model_version)?;
        if version.tags.is_empty() {
            version.tags = tags.clone();
        }
        Ok(version)
    }

    fn get_version(&self, name: &str, version: u64) -> Result<ModelVersion> {
        validate_model_name(name)?;
        let v = version.to_string();
        let found: VersionResp = self.get(
            "model-versions/get",
            &[("name", name), ("version", &v)],
            Ctx::version(name, version),
        )?;
        self.version("GET model-versions/get", found.model_version)
    }

    fn download(&self, name: &str, version: u64) -> Result<Vec<u8>> {
        validate_model_name(name)?;
        let v = version.to_string();
        let call = Call {
            method: Method::GET,
            path: format!(
                "/model-versions/get-artifact{}",
                http::query(&[("name", name), ("version", &v), ("path", ARTIFACT_FILE)])
            ),
            what: "GET model-versions/get-artifact".into(),
            body: None,
            retry: Retry::Always,
        };
        self.http
            .send(&call)
            .map_err(|f| self.fail(&call.what, f, Ctx::version(name, version)))
    }

    fn set_alias(&self, name: &str, alias: &str, version: u64) -> Result<()> {
        validate_model_name(name)?;
        validate_alias(alias)?;
        let body = json!({ "name": name, "alias": alias, "version": version.to_string() });
        self.send(
            Method::POST,
            "registered-models/alias",
            body,
            Ctx::version(name, version),
        )
    }

    fn delete_alias(&self, name: &str, alias: &str) -> Result<()> {
        // MLflow answers 200 for an alias that does not exist; the trait says NoAlias.
        self.get_by_alias(name, alias)?;
        let body = json!({ "name": name, "alias": alias });
        self.send(Method::DELETE, "registered-models/alias", body, Ctx::alias(name, alias))
    }

    fn get_by_alias(&self, name: &str, alias: &str) -> Result<ModelVersion> {
        validate_model_name(name)?;
        validate_alias(alias)?;
        let found: VersionResp = self.get(
            "registered-models/alias",
            &[("name", name), ("alias", alias)],
            Ctx::alias(name, alias),
        )?;
        self.version("GET registered-models/alias", found.model_version)
    }

    fn set_model_tag(&self, name: &str, key: &str, value: &str) -> Result<()> {
        validate_model_name(name)?;
        let body = json!({ "name": name, "key": key, "value": value });
        self.send(Method::POST, "registered-models/set-tag", body, Ctx::model(name))
    }

    fn set_version_tag(&self, name: &str, version: u64, key: &str, value: &str) -> Result<()> {
        validate_model_name(name)?;
        let body = json!({ "name": name, "version": version.to_string(), "key": key, "value": value });
        self.send(
            Method::POST,
            "model-versions/set-tag",
            body,
            Ctx::version(name, version),
        )
    }

    fn delete_version(&self, name: &str, version: u64) -> Result<()> {
        validate_model_name(name)?;
        let body = json!({ "name": name, "version": version.to_string() });
        self.send(
            Method::DELETE,
            "model-versions/delete",
            body,
            Ctx::version(name, version),
        )
    }

    fn delete_model(&self, name: &str) -> Result<()> {
        validate_model_name(name)?;
        self.send(
            Method::DELETE,
            "registered-models/delete",
            json!({ "name": name }),
            Ctx::model(name),
        )
    }
}

/// Pages a search may have: 1,000 pages of 1,000 models or versions.
const MAX_PAGES: usize = 1000;
/// A search ends within this many request timeouts (natively; the browser has no clock here).
const SEARCH_TIMEOUTS: u32 = 10;

impl MlflowRegistry {
    /// Every page of a search, each given to `page`, which returns the next page's token: up
    /// to the last page (an empty token). A server that repeats a token (its pages would never
    /// end), more than [`MAX_PAGES`] pages, or a search longer than [`SEARCH_TIMEOUTS`] request
    /// timeouts end the operation with an error.
    fn search_pages<P: serde::de::DeserializeOwned>(
        &self,
        endpoint: &str,
        query: &[(&str, &str)],
        ctx: Ctx,
        mut page: impl FnMut(P) -> Result<String>,
    ) -> Result<()> {
        let what = format!("GET {endpoint}");
        #[cfg(not(target_arch = "wasm32"))]
        let started = std::time::Instant::now();
        let deadline = self.http.timeout.saturating_mul(SEARCH_TIMEOUTS);
        let mut seen = std::collections::HashSet::new();
        let mut token = String::new();
        for _ in 0..MAX_PAGES {
            let mut q = query.to_vec();
            if !token.is_empty() {
                q.push(("page_token", &token));
            }
            let next = page(self.get(endpoint, &q, ctx)?)?;
            if next.is_empty() {
                return Ok(());
            }
            if !seen.insert(next.clone()) {
                return Err(self
                    .http
                    .unreadable(&what, "it gave a page token again, so its pages would never end"));
            }
            #[cfg(not(target_arch = "wasm32"))]
            if started.elapsed() > deadline {
                return Err(RegistryError::Timeout {
                    registry: self.http.registry.clone(),
                    what,
                    seconds: deadline.as_secs_f64(),
                });
            }
            token = next;
        }
        let _ = deadline;
        Err(self
            .http
            .unreadable(&what, format!("more than {MAX_PAGES} pages of results")))
    }
}
