//! One HTTP exchange with the MLflow server: a deadline for the whole call, bounded retries,
//! and the mapping of what went wrong to [`RegistryError`].
//!
//! Every call has a deadline of `timeout` from its start, retries included. An attempt gets
//! the time that is left; when the server has not answered by the deadline the call returns
//! [`RegistryError::Timeout`] (the attempt's thread is left to finish on its own: ehttp 0.7's
//! own timeout does not cover waiting for the response head, so it cannot be relied on).
//! Connection failures and 5xx answers are retried after 200 ms, 400 ms, … (at most `retries`
//! times, and only while a retry still has 100 ms left before the deadline); 4xx never are.
//! Requests that create something (runs, versions) are retried only when they were not sent.

// In the browser only the replay path is built: the blocking sender, its retries and deadline
// are native.
#![cfg_attr(target_arch = "wasm32", allow(dead_code, unused_imports))]

use crate::RegistryError;
use ehttp::Method;
use std::fmt::Write as _;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The first pause between attempts; it doubles each time.
pub const BACKOFF: Duration = Duration::from_millis(200);
/// A retry is made only if at least this much time is left after its pause.
const MIN_ATTEMPT: Duration = Duration::from_millis(100);
/// How much of an error body goes into a message.
const MAX_MESSAGE: usize = 300;

/// Which failures a call may repeat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Connection failures and 5xx (the request is idempotent).
    Always,
    /// Only a refused connection: the server never saw the request.
    IfNotSent,
}

/// One request: `path` follows the base URL and includes the query string.
#[derive(Debug)]
pub struct Call {
    pub method: Method,
    pub path: String,
    /// For messages: "GET registered-models/get".
    pub what: String,
    pub body: Option<(Vec<u8>, &'static str)>,
    pub retry: Retry,
}

/// A failed call: the server's error answer (to be read by the caller, which knows what a
/// 404 means), or an error already decided.
#[derive(Debug)]
pub enum Failure {
    Api { status: u16, code: String, message: String },
    Done(RegistryError),
}

/// The connection settings of one registry.
pub struct Http {
    /// `http(s)://host[:port][/prefix]`, without credentials or a trailing slash.
    pub base: String,
    /// "MLflow at <base>", for messages.
    pub registry: String,
    /// `Basic …`
    auth: Option<String>,
    /// What must never appear in a message.
    secrets: Vec<String>,
    pub timeout: Duration,
    pub retries: u32,
}

enum Outcome {
    Answer(ehttp::Response),
    Transport(String),
    TimedOut,
}

impl Http {
    pub fn new(base: String, credentials: Option<(String, String)>, timeout: Duration, retries: u32) -> Http {
        use base64::Engine as _;
        let registry = format!("MLflow at {base}");
        let (auth, secrets) = match credentials {
            Some((user, password)) => {
                let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
                // Whatever their length: a short password is masked wherever it appears.
                let mut secrets: Vec<String> = vec![encode(&password), password, token.clone()];
                secrets.retain(|s| !s.is_empty());
                // The longest first: a password inside the token must not break its match.
                secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
                secrets.dedup();
                (Some(format!("Basic {token}")), secrets)
            }
            None => (None, Vec::new()),
        };
        Http {
            base,
            registry,
            auth,
            secrets,
            timeout,
            retries,
        }
    }

    pub fn has_auth(&self) -> bool {
        self.auth.is_some()
    }

    /// `s` with every secret replaced by `***`.
    pub fn redact(&self, s: &str) -> String {
        self.secrets
            .iter()
            .fold(s.to_string(), |s, secret| s.replace(secret.as_str(), "***"))
    }

    /// The request of `call` (headers, body, credentials).
    fn request(&self, call: &Call) -> ehttp::Request {
        let mut request = ehttp::Request::new(
            call.method.clone(),
            format!("{}{}", self.base, call.path),
            ehttp::Headers::new(&[("Accept", "application/json, */*")]),
        );
        if let Some((body, content_type)) = &call.body {
            request.body = body.clone();
            request.headers.insert("Content-Type", content_type);
        }
        if let Some(auth) = &self.auth {
            request.headers.insert("Authorization", auth);
        }
        request
    }

    /// Send `call`, retrying as the module documentation says; the answer's body on 2xx.
    /// Under replay (the browser, see [`super::replay`]) the answer comes from the replay tape,
    /// without retries.
    pub fn send(&self, call: &Call) -> Result<Vec<u8>, Failure> {
        // The request (with a copy of the body, possibly a large artifact) is built for replay
        // only when replay is on.
        let replayed = if super::replay::is_active() {
            super::replay::answer(&self.request(call))
        } else {
            None
        };
        match replayed {
            Some(Some(answer)) => {
                let outcome = answer.map_or_else(Outcome::Transport, Outcome::Answer);
                return self.finish(call, outcome);
            }
            Some(None) => {
                return Err(Failure::Done(RegistryError::Unreachable {
                    registry: self.registry.clone(),
                    what: call.what.clone(),
                    message: "waiting for the answer".into(),
                }));
            }
            None => {}
        }
        #[cfg(target_arch = "wasm32")]
        return Err(Failure::Done(RegistryError::Unreachable {
            registry: self.registry.clone(),
            what: call.what.clone(),
            message: "in the browser the registry is reached only through fetch (replay)".into(),
        }));
        #[cfg(not(target_arch = "wasm32"))]
        self.send_blocking(call)
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn send_blocking(&self, call: &Call) -> Result<Vec<u8>, Failure> {
        let deadline = Instant::now() + self.timeout;
        let mut attempt = 0u32;
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            let outcome = if remaining.is_zero() {
                Outcome::TimedOut
            } else {
                self.attempt(call, remaining)
            };
            let retryable = match &outcome {
                Outcome::Answer(r) => r.status >= 500 && call.retry == Retry::Always,
                Outcome::Transport(m) => call.retry == Retry::Always || m.to_lowercase().contains("refused"),
                Outcome::TimedOut => false,
            };
            if retryable && attempt < self.retries {
                let pause = BACKOFF.saturating_mul(1 << attempt.min(16));
                if deadline.saturating_duration_since(Instant::now()) >= pause + MIN_ATTEMPT {
                    std::thread::sleep(pause);
                    attempt += 1;
                    continue;
                }
            }
            return self.finish(call, outcome);
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn attempt(&self, call: &Call, remaining: Duration) -> Outcome {
        let mut request = self.request(call);
        request.timeout = Some(remaining);
        let (tx, rx) = mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("horizon-mlflow-http".into())
            .spawn(move || {
                // The receiver is gone when the caller gave up; nothing to do then.
                let _ = tx.send(ehttp::fetch_blocking(&request));
            });
        if let Err(e) = spawned {
            return Outcome::Transport(format!("cannot start the HTTP thread: {e}"));
        }
        match rx.recv_timeout(remaining) {
            Ok(Ok(response)) => Outcome::Answer(response),
            Ok(Err(message)) => Outcome::Transport(message),
            Err(mpsc::RecvTimeoutError::Timeout) => Outcome::TimedOut,
            Err(mpsc::RecvTimeoutError::Disconnected) => Outcome::Transport("the HTTP thread stopped".into()),
        }
    }

    fn finish(&self, call: &Call, outcome: Outcome) -> Result<Vec<u8>, Failure> {
        let registry = self.registry.clone();
        let what = call.what.clone();
        let response = match outcome {
            Outcome::Answer(r) => r,
            Outcome::TimedOut => {
                return Err(Failure::Done(RegistryError::Timeout {
                    registry,
                    what,
                    seconds: self.timeout.as_secs_f64(),
                }));
            }
            Outcome::Transport(message) => {
                let lower = message.to_lowercase();
                return Err(Failure::Done(
                    if lower.contains("timeout") || lower.contains("timed out") {
                        RegistryError::Timeout {
                            registry,
                            what,
                            seconds: self.timeout.as_secs_f64(),
                        }
                    } else {
                        RegistryError::Unreachable {
                            registry,
                            what,
                            message: self.redact(&message),
                        }
                    },
                ));
            }
        };
        if (200..300).contains(&response.status) {
            return Ok(response.bytes);
        }
        let (code, message) = self.error_body(&response.bytes);
        match response.status {
            401 => Err(Failure::Done(RegistryError::Unauthorized { registry, what })),
            // The middleware's 403s (host header, CORS) are not about permissions.
            403 if !message.contains("Host header") && !message.contains("Cross-origin") => {
                Err(Failure::Done(RegistryError::Forbidden { registry, what }))
            }
            status => Err(Failure::Api { status, code, message }),
        }
    }

    /// `(error_code, message)` of an error answer: MLflow's JSON, else the text (trimmed,
    /// shortened), never with a secret in it.
    fn error_body(&self, bytes: &[u8]) -> (String, String) {
        let (code, message) = match serde_json::from_slice::<super::wire::ApiError>(bytes) {
            Ok(e) if !e.message.is_empty() || !e.error_code.is_empty() => (e.error_code, e.message),
            _ => (String::new(), String::from_utf8_lossy(bytes).into_owned()),
        };
        // Redacted before it is shortened, so that no part of a secret survives the cut.
        let shown = |text: &str| {
            let text = self.redact(text.trim());
            let mut short: String = text.chars().take(MAX_MESSAGE).collect();
            if short.len() < text.len() {
                short.push('…');
            }
            short
        };
        (shown(&code), shown(&message))
    }

    /// The generic error of a failure (the caller handled the answers it knows).
    pub fn error(&self, what: &str, failure: Failure) -> RegistryError {
        match failure {
            Failure::Done(e) => e,
            Failure::Api { status, code, message } => RegistryError::Server {
                registry: self.registry.clone(),
                what: what.to_string(),
                status,
                message: match (code.is_empty(), message.is_empty()) {
                    (false, false) => format!("{code}: {message}"),
                    (false, true) => code,
                    _ => message,
                },
            },
        }
    }

    /// An answer that is not what MLflow sends.
    pub fn unreadable(&self, what: &str, problem: impl std::fmt::Display) -> RegistryError {
        RegistryError::Server {
            registry: self.registry.clone(),
            what: what.to_string(),
            status: 200,
            message: self.redact(&format!("unexpected answer: {problem}")),
        }
    }
}

/// Percent-encode everything but `A–Z a–z 0–9 - . _ ~` (for a query value or a path segment).
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// `?k=v&…` with every key and value encoded.
pub fn query(pairs: &[(&str, &str)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect();
    format!("?{}", parts.join("&"))
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Split `scheme://user:pass@host/…` into the URL without credentials (and without a trailing
/// slash) and the decoded credentials. `None` when the URL is not http(s).
pub fn split_url(url: &str) -> Option<(String, Option<(String, String)>)> {
    let url = url.trim();
    let (scheme, rest) = url.split_once("://")?;
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return None;
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    let (credentials, host) = match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let (user, pass) = userinfo.split_once(':').unwrap_or((userinfo, ""));
            (Some((decode(user), decode(pass))), host)
        }
        None => (None, authority),
    };
    if host.is_empty() {
        return None;
    }
    let base = format!("{}://{host}{path}", scheme.to_ascii_lowercase());
    Some((base.trim_end_matches('/').to_string(), credentials))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_their_credentials_and_queries_are_encoded() {
        assert_eq!(
            split_url("http://al%40ice:p%3Ass@127.0.0.1:5000/"),
            Some(("http://127.0.0.1:5000".into(), Some(("al@ice".into(), "p:ss".into()))))
        );
        assert_eq!(
            split_url("HTTPS://host/mlflow/"),
            Some(("https://host/mlflow".into(), None))
        );
        assert_eq!(split_url("ftp://host"), None);
        assert_eq!(split_url("http://"), None);
        assert_eq!(split_url("localhost:5000"), None);
        assert_eq!(
            query(&[("filter", "name='a b'"), ("x", "&=%")]),
            "?filter=name%3D%27a%20b%27&x=%26%3D%25"
        );
    }
}
