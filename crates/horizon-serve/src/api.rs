//! The routes and their handlers. Every handler's work that may block (the registry, a
//! forecast) runs on tokio's blocking pool; every failure is an [`ApiError`] answer, never a
//! crash of the server.

use crate::auth::Token;
use crate::error::{ApiError, from_registry};
use crate::metrics::{Metrics, ModelLabels, RequestLabels, RouteLabels};
use crate::models::{Loaded, Models, label, parse_target};
use crate::query::{Limits, Query, Resolved, key_of};
use crate::scoring;
use axum::body::Bytes;
use axum::extract::{MatchedPath, Path, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use horizon_core::forecast::{PanelForecast, Source};
use horizon_registry::VersionRef;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Everything the handlers share.
pub struct AppState {
    pub models: Models,
    pub limits: Limits,
    pub metrics: Metrics,
    /// The models this server answers for (`--model`); `None`: every registered model.
    pub served: Option<Vec<(String, VersionRef)>>,
    pub token: Option<Token>,
    /// The folder forecasts are logged in (`--forecast-log`), if any.
    pub forecast_log: Option<std::path::PathBuf>,
}

impl AppState {
    /// Keep an answered forecast for `horizon monitor` (blocking). A log that cannot be written
    /// is said on stderr and counted; the answer is still sent.
    fn log_forecast(&self, loaded: &Loaded, out: &PanelForecast) {
        let Some(dir) = &self.forecast_log else { return };
        let log = horizon_core::monitor::log::ForecastLog {
            model: loaded.name.clone(),
            version: loaded.version,
            made_at: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
            by: "horizon serve".into(),
            freq: loaded.artifact.training.freq,
            id_columns: loaded.artifact.training.id_columns.clone(),
            forecasts: out.series_forecasts(),
        };
        // The same forecast asked again is logged once (its file exists already).
        if let Err(e) = horizon_registry::forecast_log::write(dir, &loaded.name, &log.file_name(), &log.to_bytes()) {
            self.metrics.log_failures.inc();
            eprintln!("horizon serve: forecast of {} not logged: {e}", loaded.name);
        }
    }

    /// The model `POST /invocations` answers with: the first `--model`, or the only
    /// registered model (blocking).
    fn invocations_target(&self) -> Result<(String, VersionRef), ApiError> {
        if let Some(first) = self.served.as_ref().and_then(|s| s.first()) {
            return Ok(first.clone());
        }
        let models = self.models.registry().list_models().map_err(|e| from_registry(&e))?;
        match models.as_slice() {
            [one] => Ok((one.name.clone(), VersionRef::Alias(crate::models::DEFAULT_ALIAS.into()))),
            [] => Err(ApiError::not_found("no model is registered")),
            _ => Err(ApiError::bad_request(format!(
                "{} models are registered: POST /invocations answers for one — start the server with \
                 --model NAME, or use POST /v1/models/NAME/forecast",
                models.len()
            ))),
        }
    }

    /// The loaded version `target` names, if this server answers for it (blocking). With
    /// `--model`, only the references named there are served (a bare name is its champion).
    fn loaded(&self, target: &str) -> Result<Arc<Loaded>, ApiError> {
        let (name, r) = parse_target(target)?;
        if let Some(served) = &self.served
            && !served.iter().any(|(n, s)| n == &name && s == &r)
        {
            let names: Vec<String> = served.iter().map(|(n, s)| label(n, s)).collect();
            return Err(ApiError::not_found(format!(
                "{} is not served here (this server serves {})",
                label(&name, &r),
                names.join(", ")
            )));
        }
        self.models.get(&name, &r)
    }
}

/// The routes, with the paths the OpenAPI document lists (a test holds them equal).
pub const ROUTES: [&str; 7] = [
    "/health",
    "/ready",
    "/metrics",
    "/openapi.json",
    "/v1/models",
    "/v1/models/{target}/forecast",
    "/invocations",
];

/// Routes open without the token (probes of orchestrators).
const OPEN: [&str; 2] = ["/health", "/ready"];

/// The service's router: routes, limits, token check, metrics, panics answered as 500s.
pub fn router(state: Arc<AppState>, max_body: usize, timeout: Duration) -> Router {
    Router::new()
        .route(ROUTES[0], get(|| async { Json(json!({ "status": "ok" })) }))
        .route(ROUTES[1], get(ready))
        .route(ROUTES[2], get(metrics))
        .route(ROUTES[3], get(|| async { Json(crate::openapi::document()) }))
        .route(ROUTES[4], get(list))
        .route(ROUTES[5], post(forecast))
        .route(ROUTES[6], post(invocations))
        .fallback(|uri: axum::http::Uri| async move {
            ApiError {
                status: StatusCode::NOT_FOUND,
                message: format!("no route {} (see /openapi.json)", uri.path()),
            }
        })
        .layer(axum::extract::DefaultBodyLimit::max(max_body))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            timeout,
        ))
        // Outside the timeout: the token check and the metrics see its answers too.
        .layer(middleware::from_fn_with_state(state.clone(), guard))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(|_| {
            ApiError::internal("the request failed inside the server (reported in its log)").into_response()
        }))
        .with_state(state)
}

/// The token check and the request metrics, around every route.
async fn guard(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched".to_string(), |p| p.as_str().to_string());
    let start = Instant::now();
    let response = match &st.token {
        Some(token) if !OPEN.contains(&route.as_str()) => {
            let given = req.headers().get(header::AUTHORIZATION).map(|v| v.as_bytes());
            if token.admits(given) {
                next.run(req).await
            } else {
                unauthorized()
            }
        }
        _ => next.run(req).await,
    };
    // The body limit's own answer is plain text: answered in the API's layout like the rest.
    let response = if response.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            message: "the body is larger than this server takes (its --max-body-bytes)".into(),
        }
        .into_response()
    } else {
        response
    };
    let status = response.status().as_u16();
    st.metrics
        .requests
        .get_or_create(&RequestLabels {
            route: route.clone(),
            status,
        })
        .inc();
    st.metrics
        .latency
        .get_or_create(&RouteLabels { route })
        .observe(start.elapsed().as_secs_f64());
    response
}

fn unauthorized() -> Response {
    let mut r = ApiError {
        status: StatusCode::UNAUTHORIZED,
        message: "this server needs a bearer token: Authorization: Bearer <token>".into(),
    }
    .into_response();
    r.headers_mut()
        .insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
    r
}

/// Run blocking work off the async threads; a panic in it is a 500, not a dead server.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, ApiError> + Send + 'static) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::internal(format!("the request failed inside the server: {e}")))?
}

async fn ready(State(st): State<Arc<AppState>>) -> Response {
    // Open without the token: whether, not what (the models are listed by /v1/models).
    let body = json!({ "ready": st.models.any_loaded() });
    let code = if st.models.any_loaded() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, Json(body)).into_response()
}

async fn metrics(State(st): State<Arc<AppState>>) -> Response {
    for s in st.models.status() {
        if let Some(v) = s.version {
            st.metrics
                .loaded
                .get_or_create(&ModelLabels { model: s.target })
                .set(i64::try_from(v).unwrap_or(i64::MAX));
        }
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        st.metrics.encode(),
    )
        .into_response()
}

async fn list(State(st): State<Arc<AppState>>) -> Result<Json<Value>, ApiError> {
    let st2 = st.clone();
    let models = blocking(move || {
        let reg = st2.models.registry();
        let mut out = Vec::new();
        for m in reg.list_models().map_err(|e| from_registry(&e))? {
            if let Some(served) = &st2.served
                && !served.iter().any(|(n, _)| n == &m.name)
            {
                continue;
            }
            let full = reg.get_model(&m.name).map_err(|e| from_registry(&e))?;
            out.push(json!({
                "name": m.name,
                "aliases": full.aliases,
                "versions": full.versions.iter().map(|v| v.version).collect::<Vec<_>>(),
                "damaged": full.damaged.iter().map(|d| json!({"version": d.version, "problem": d.problem})).collect::<Vec<_>>(),
            }));
        }
        Ok(out)
    })
    .await?;
    Ok(Json(json!({ "models": models, "loaded": st.models.status() })))
}

/// `POST /v1/models/{target}/forecast`'s body.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ForecastBody {
    /// The series wanted, each by its id columns; all of them when left out.
    series: Option<Vec<Map<String, Value>>>,
    horizon: Option<usize>,
    levels: Option<Vec<f64>>,
    /// New history rows (id columns, date, value, drivers): the model is refitted on series
    /// whose history differs from its training data.
    history: Option<Vec<Map<String, Value>>>,
}

async fn forecast(
    State(st): State<Arc<AppState>>,
    Path(target): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let answer = blocking(move || {
        // Parsed here, off the async threads: a body may be megabytes.
        let body: ForecastBody = if body.iter().all(u8::is_ascii_whitespace) {
            ForecastBody::default()
        } else {
            serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_slice(&body)).map_err(|e| {
                let path = e.path().to_string();
                let at = if path == "." {
                    String::new()
                } else {
                    format!("{path}: ")
                };
                ApiError::bad_request(format!("the body: {at}{}", e.inner()))
            })?
        };
        let loaded = st.loaded(&target)?;
        let keys = body
            .series
            .as_ref()
            .map(|list| {
                list.iter()
                    .enumerate()
                    .map(|(i, ids)| key_of(ids, &loaded, &format!("series[{i}]")))
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?;
        let query = Query {
            keys,
            horizon: body.horizon,
            levels: body.levels,
            history: body.history.map(|rows| {
                rows.into_iter()
                    .enumerate()
                    .map(|(i, r)| (format!("history[{i}]"), r))
                    .collect()
            }),
        };
        let (resolved, out) = query.answer(&loaded, &st.limits)?;
        st.log_forecast(&loaded, &out);
        Ok(forecast_json(&loaded, &resolved, &out))
    })
    .await?;
    Ok(Json(answer))
}

/// The answer of `POST /v1/models/{target}/forecast`.
fn forecast_json(loaded: &Loaded, resolved: &Resolved, out: &PanelForecast) -> Value {
    let ids = &loaded.artifact.training.id_columns;
    let forecasts: Vec<Value> = out
        .forecasts
        .iter()
        .map(|d| {
            let f = &d.forecast;
            let key: Map<String, Value> = ids.iter().cloned().zip(f.key.iter().map(|v| json!(v))).collect();
            json!({
                "ids": key,
                "model": f.model,
                "source": match d.source {
                    Source::Stored => "stored",
                    Source::Refitted => "refitted",
                    Source::Fitted => "fitted",
                },
                "dates": f.dates.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
                "forecast": f.forecast.point,
                "intervals": f.forecast.intervals.iter().map(|i| json!({
                    "level": i.level, "lower": i.lower, "upper": i.upper,
                })).collect::<Vec<_>>(),
                "description": d.description,
            })
        })
        .collect();
    let failures: Vec<Value> = out
        .failures
        .iter()
        .map(|f| json!({ "series": f.series, "error": f.error.to_string() }))
        .collect();
    json!({
        "model": loaded.name,
        "version": loaded.version,
        "spec": loaded.artifact.spec.name(),
        "horizon": resolved.horizon,
        "levels": resolved.levels,
        "forecasts": forecasts,
        "failures": failures,
        "warnings": resolved.warnings,
    })
}

async fn invocations(
    State(st): State<Arc<AppState>>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json")
        .to_ascii_lowercase();
    let csv = content_type.starts_with("text/csv");
    if !csv && !content_type.starts_with("application/json") {
        return Err(ApiError {
            status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
            message: format!("content type '{content_type}': send application/json or text/csv"),
        });
    }
    let answer = blocking(move || {
        let frame = scoring::parse(&body, csv)?;
        let (name, r) = st.invocations_target()?;
        let loaded = st.loaded(&label(&name, &r))?;
        let query = frame.query(&loaded)?;
        let (resolved, out) = query.answer(&loaded, &st.limits)?;
        st.log_forecast(&loaded, &out);
        scoring::predictions(&loaded, &resolved, &out)
    })
    .await?;
    Ok(Json(answer))
}
