//! The MLflow registry against a live MLflow server (installed by `bash scripts/setup.sh
//! mlflow`; these tests fail without it), and against fake servers that are down, failing or
//! silent.

mod common;

use common::server::{MlflowServer, random_secret};
use horizon_registry::mlflow::replay::replay;
use horizon_registry::mlflow::{MlflowConfig, MlflowRegistry};
use horizon_registry::{ModelVersion, NewRun, NewVersion, RegisteredModel, Registry, RegistryError, RunRecord};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Generous: the server shares two cores with the build.
const LIVE_TIMEOUT: Duration = Duration::from_secs(30);

fn client(url: &str, credentials: Option<(&str, &str)>) -> MlflowRegistry {
    MlflowRegistry::new(MlflowConfig {
        username: credentials.map(|c| c.0.to_string()),
        password: credentials.map(|c| c.1.to_string()),
        timeout: LIVE_TIMEOUT,
        ..MlflowConfig::new(url)
    })
    .expect("an MLflow client")
}

#[test]
fn the_shared_suite_passes_against_a_live_mlflow_server() {
    let server = MlflowServer::start(false);
    let registry = client(server.url(), None);
    let started = Instant::now();
    common::suite::run_suite(&registry);
    eprintln!(
        "suite: {:.1} s (server start-up {:.1} s)",
        started.elapsed().as_secs_f64(),
        server.startup().as_secs_f64()
    );
}

/// The MLflow client as the browser drives it: every operation under replay (each request
/// answered between runs of the operation, see `mlflow::replay`), here with blocking HTTP.
struct Replayed {
    inner: MlflowRegistry,
    /// Requests sent, to check that none is sent twice.
    sent: std::sync::Mutex<Vec<String>>,
}

impl Replayed {
    fn run<T>(&self, op: impl Fn(&MlflowRegistry) -> T) -> T {
        replay(
            || op(&self.inner),
            |request| {
                if let Ok(mut sent) = self.sent.lock() {
                    sent.push(format!("{:?} {}", request.method, request.url));
                }
                ehttp::fetch_blocking(&request)
            },
        )
    }
}

impl Registry for Replayed {
    fn describe(&self) -> String {
        self.inner.describe()
    }
    fn log_run(&self, run: &NewRun) -> horizon_registry::Result<RunRecord> {
        self.run(|r| r.log_run(run))
    }
    fn get_run(&self, run_id: &str) -> horizon_registry::Result<RunRecord> {
        self.run(|r| r.get_run(run_id))
    }
    fn list_models(&self) -> horizon_registry::Result<Vec<RegisteredModel>> {
        self.run(|r| r.list_models())
    }
    fn get_model(&self, name: &str) -> horizon_registry::Result<RegisteredModel> {
        self.run(|r| r.get_model(name))
    }
    fn add_version(&self, name: &str, new: NewVersion<'_>) -> horizon_registry::Result<ModelVersion> {
        self.run(|r| r.add_version(name, new))
    }
    fn get_version(&self, name: &str, version: u64) -> horizon_registry::Result<ModelVersion> {
        self.run(|r| r.get_version(name, version))
    }
    fn download(&self, name: &str, version: u64) -> horizon_registry::Result<Vec<u8>> {
        self.run(|r| r.download(name, version))
    }
    fn set_alias(&self, name: &str, alias: &str, version: u64) -> horizon_registry::Result<()> {
        self.run(|r| r.set_alias(name, alias, version))
    }
    fn delete_alias(&self, name: &str, alias: &str) -> horizon_registry::Result<()> {
        self.run(|r| r.delete_alias(name, alias))
    }
    fn get_by_alias(&self, name: &str, alias: &str) -> horizon_registry::Result<ModelVersion> {
        self.run(|r| r.get_by_alias(name, alias))
    }
    fn set_model_tag(&self, name: &str, key: &str, value: &str) -> horizon_registry::Result<()> {
        self.run(|r| r.set_model_tag(name, key, value))
    }
    fn set_version_tag(&self, name: &str, version: u64, key: &str, value: &str) -> horizon_registry::Result<()> {
        self.run(|r| r.set_version_tag(name, version, key, value))
    }
    fn delete_version(&self, name: &str, version: u64) -> horizon_registry::Result<()> {
        self.run(|r| r.delete_version(name, version))
    }
    fn delete_model(&self, name: &str) -> horizon_registry::Result<()> {
        self.run(|r| r.delete_model(name))
    }
}

/// The browser's way to the server (replay of the blocking client, one request answered per
/// run) keeps the whole registry contract, and sends every request once.
#[test]
fn the_shared_suite_passes_under_replay_as_in_the_browser() {
    let server = MlflowServer::start(false);
    let registry = Replayed {
        inner: client(server.url(), None),
        sent: Default::default(),
    };
    common::suite::run_suite(&registry);
    let sent = registry.sent.lock().map(|s| s.clone()).unwrap_or_default();
    assert!(sent.len() > 20, "{} requests", sent.len());
    // A version is created once per create_version: the suite's versions are numbered 1, 2, …
    // without gaps, which a request sent twice would break (checked by the suite itself).
    let creates = sent.iter().filter(|s| s.contains("model-versions/create")).count();
    assert!(creates >= 2, "{creates} model-versions/create requests");
}

/// `POST /api/2.0/mlflow/users/create` as the admin.
fn create_user(url: &str, admin: &(String, String), user: &str, password: &str) {
    use base64::Engine as _;
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", admin.0, admin.1));
    let body = serde_json::json!({ "username": user, "password": password }).to_string();
    let request = ehttp::Request::post(format!("{url}/api/2.0/mlflow/users/create"), body.into_bytes())
        .with_headers(ehttp::Headers::new(&[
            ("Content-Type", "application/json"),
            ("Authorization", &format!("Basic {token}")),
        ]))
        .with_timeout(Some(LIVE_TIMEOUT));
    let response = ehttp::fetch_blocking(&request).expect("users/create answers");
    assert_eq!(response.status, 200, "users/create: {:?}", response.text());
}

#[test]
fn basic_auth_is_enforced() {
    let server = MlflowServer::start(true);
    let url = server.url();
    let admin = server.admin_credentials();
    let reader_password = random_secret("Reader");
    let wrong = "wrong-Password-31";
    let mut shown = Vec::new(); // every message and Debug string, checked for passwords at the end

    let anonymous = client(url, None);
    let err = anonymous.list_models().expect_err("no credentials");
    assert!(matches!(err, RegistryError::Unauthorized { .. }), "{err:?}");
    shown.push(format!("{err} {err:?} {anonymous:?}"));

    let mistaken = client(url, Some((&admin.0, wrong)));
    for err in [
        mistaken.list_models().expect_err("a wrong password"),
        mistaken
            .create_version("auth-model", b"x", None, &BTreeMap::new())
            .expect_err("a wrong password"),
    ] {
        assert!(matches!(err, RegistryError::Unauthorized { .. }), "{err:?}");
        assert!(!err.is_connection());
        shown.push(format!("{err} {err:?} {mistaken:?} {}", mistaken.describe()));
    }

    // The admin registers, sets an alias and downloads; the whole shared flow passes with
    // credentials too.
    let admin_registry = client(url, Some((&admin.0, &admin.1)));
    shown.push(format!("{admin_registry:?} {}", admin_registry.describe()));
    common::suite::run_suite(&admin_registry);
    let tags = BTreeMap::from([("owner".to_string(), "admin".to_string())]);
    let v1 = admin_registry
        .create_version("auth-model", b"model bytes", None, &tags)
        .expect("admin registers");
    assert_eq!(v1.version, 1);
    admin_registry
        .set_alias("auth-model", "champion", 1)
        .expect("admin sets an alias");
    assert_eq!(
        admin_registry
            .get_by_alias("auth-model", "champion")
            .expect("champion")
            .version,
        1
    );
    assert_eq!(
        admin_registry.download("auth-model", 1).expect("admin downloads"),
        b"model bytes"
    );

    // A user with the default permission (READ) reads but cannot change the admin's model.
    create_user(url, &admin, "reader", &reader_password);
    let reader = client(url, Some(("reader", &reader_password)));
    shown.push(format!("{reader:?} {}", reader.describe()));
    assert_eq!(
        reader
            .get_model("auth-model")
            .expect("READ allows reading")
            .versions
            .len(),
        1
    );
    assert_eq!(
        reader.download("auth-model", 1).expect("READ allows downloading"),
        b"model bytes"
    );
    let own_experiment = MlflowRegistry::new(MlflowConfig {
        username: Some("reader".into()),
        password: Some(reader_password.clone()),
        timeout: LIVE_TIMEOUT,
        experiment: "reader-experiment".into(),
        ..MlflowConfig::new(url)
    })
    .expect("client");
    for (err, refused) in [
        // A run in the admin's experiment is refused…
        (
            reader
                .create_version("auth-model", b"mine", None, &BTreeMap::new())
                .expect_err("READ only"),
            "POST runs/create",
        ),
        // …and with a run of the reader's own, the new version of the admin's model is.
        (
            own_experiment
                .create_version("auth-model", b"mine", None, &BTreeMap::new())
                .expect_err("READ only"),
            "POST model-versions/create",
        ),
        (
            reader.set_alias("auth-model", "champion", 1).expect_err("READ only"),
            "POST registered-models/alias",
        ),
    ] {
        match &err {
            RegistryError::Forbidden { what, .. } => assert_eq!(what, refused),
            other => panic!("expected Forbidden for {refused}, got {other:?}"),
        }
        assert!(!err.is_connection());
        shown.push(format!("{err} {err:?}"));
    }
    assert_eq!(admin_registry.get_model("auth-model").expect("model").versions.len(), 1);

    for text in shown {
        for secret in [admin.1.as_str(), reader_password.as_str(), wrong] {
            assert!(!text.contains(secret), "a password shows in: {text}");
        }
    }
}

/// A server on 127.0.0.1 that answers every request with `status` and `body` (closing the
/// connection), counting the requests.
fn fake_server(status: &'static str, body: &'static str) -> (String, Arc<AtomicUsize>) {
    serve(move |_| (status, "text/plain", body.to_string()))
}

/// A server on 127.0.0.1 that answers its n-th request (from 0) with `answer(n)`: status,
/// content type and body, closing the connection; and the count of requests.
fn serve(
    answer: impl Fn(usize) -> (&'static str, &'static str, String) + Send + 'static,
) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let count = Arc::new(AtomicUsize::new(0));
    let counter = count.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            read_request(&mut stream);
            let (status, kind, body) = answer(counter.fetch_add(1, Ordering::SeqCst));
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (url, count)
}

/// Read a request's head and body (by Content-Length).
fn read_request(stream: &mut TcpStream) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(n) = stream.read(&mut buf) {
        if n == 0 {
            break;
        }
        data.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&data).to_string();
        if let Some((head, rest)) = text.split_once("\r\n\r\n") {
            let length = head
                .lines()
                .find_map(|l| {
                    l.to_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().to_string())
                })
                .and_then(|v| v.parse::<usize>().ok())
                .unwrap_or(0);
            if rest.len() >= length {
                break;
            }
        }
    }
}

fn quick_client(url: &str, timeout: Duration) -> MlflowRegistry {
    MlflowRegistry::new(MlflowConfig {
        timeout,
        ..MlflowConfig::new(url)
    })
    .expect("client")
}

#[test]
fn an_unreachable_slow_or_failing_server_is_reported_within_the_timeout() {
    // (a) Nothing listening: Unreachable, after the two quick retries.
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a port")
        .port();
    let down = quick_client(&format!("http://127.0.0.1:{port}"), MlflowConfig::DEFAULT_TIMEOUT);
    let started = Instant::now();
    let err = down.get_model("sales").expect_err("nothing listens");
    eprintln!("down: {err} ({:?})", started.elapsed());
    assert!(matches!(err, RegistryError::Unreachable { .. }), "{err:?}");
    assert!(err.is_connection());
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());

    // (b) Answering 500 with a text body: retried twice (3 requests), then Server 500.
    let (url, count) = fake_server("500 Internal Server Error", "database is on fire");
    let failing = quick_client(&url, MlflowConfig::DEFAULT_TIMEOUT);
    let started = Instant::now();
    let err = failing.list_models().expect_err("500");
    eprintln!("failing: {err} ({:?})", started.elapsed());
    match &err {
        RegistryError::Server {
            status: 500,
            message,
            what,
            ..
        } => {
            assert!(message.contains("database is on fire"), "{message}");
            assert_eq!(what, "GET registered-models/search");
        }
        other => panic!("expected Server 500, got {other:?}"),
    }
    assert!(err.is_connection());
    assert_eq!(count.load(Ordering::SeqCst), 3, "one request and two retries");
    assert!(
        started.elapsed() < MlflowConfig::DEFAULT_TIMEOUT,
        "{:?}",
        started.elapsed()
    );

    // 4xx is never retried.
    let (url, count) = fake_server("400 Bad Request", "no");
    let err = quick_client(&url, MlflowConfig::DEFAULT_TIMEOUT)
        .list_models()
        .expect_err("400");
    assert!(matches!(err, RegistryError::Server { status: 400, .. }), "{err:?}");
    assert!(!err.is_connection());
    assert_eq!(count.load(Ordering::SeqCst), 1);

    // (c) Accepting and never answering: Timeout, within the configured 1 s (+ 1.5 s margin).
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        let mut held = Vec::new(); // keep every connection open, silent
        for stream in listener.incoming() {
            held.push(stream);
        }
    });
    let silent = quick_client(&url, Duration::from_secs(1));
    for call in [
        Box::new(|| silent.get_model("sales").map(|_| ())) as Box<dyn Fn() -> horizon_registry::Result<()>>,
        Box::new(|| {
            silent
                .create_version("sales", b"bytes", None, &BTreeMap::new())
                .map(|_| ())
        }),
    ] {
        let started = Instant::now();
        let err = call().expect_err("no answer");
        let took = started.elapsed();
        eprintln!("silent: {err} ({took:?})");
        assert!(matches!(err, RegistryError::Timeout { .. }), "{err:?}");
        assert!(err.is_connection());
        assert!(took >= Duration::from_millis(900), "gave up too early: {took:?}");
        assert!(took < Duration::from_millis(2500), "took {took:?} with a 1 s timeout");
    }
}

/// A server that answers its n-th request 200 with the JSON `body(n)`.
fn scripted_server(body: impl Fn(usize) -> String + Send + 'static) -> (String, Arc<AtomicUsize>) {
    serve(move |n| ("200 OK", "application/json", body(n)))
}

/// Searches whose pages never end — a token given again, or a new one every time — stop with
/// an error after a bounded number of requests instead of running forever.
#[test]
fn a_server_whose_pages_never_end_is_left() {
    let page = |token: String| format!(r#"{{"registered_models":[],"next_page_token":"{token}"}}"#);
    let (url, count) = scripted_server(move |n| page(if n % 2 == 0 { "a".into() } else { "b".into() }));
    let err = quick_client(&url, Duration::from_secs(20))
        .list_models()
        .expect_err("circles");
    assert!(err.to_string().contains("page token again"), "{err}");
    assert_eq!(count.load(Ordering::SeqCst), 3);

    let (url, count) = scripted_server(move |n| page(format!("t{n}")));
    let err = quick_client(&url, Duration::from_secs(20))
        .list_models()
        .expect_err("endless");
    assert!(err.to_string().contains("more than 1000 pages"), "{err}");
    assert_eq!(count.load(Ordering::SeqCst), 1000);

    // The versions of a model are searched the same way.
    let (url, _) = scripted_server(move |n| {
        if n == 0 {
            r#"{"registered_model":{"name":"sales","creation_timestamp":0}}"#.to_string()
        } else {
            r#"{"model_versions":[],"next_page_token":"same"}"#.to_string()
        }
    });
    let err = quick_client(&url, Duration::from_secs(20))
        .get_model("sales")
        .expect_err("circles");
    assert!(err.to_string().contains("page token again"), "{err}");
}

/// Credentials a server echoes are masked before its answer is shortened for the message, so
/// none of a token that straddles the cut shows; a two-letter password is masked too.
#[test]
fn echoed_credentials_are_masked_before_the_answer_is_shortened() {
    use base64::Engine as _;
    for (user, password) in [("alice", "correct-horse-battery"), ("bob", "pw")] {
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        for cut in [280, 290, 295] {
            let body: &'static str = Box::leak(
                format!(
                    "{}Basic {token} and password={password} again {password}",
                    "x".repeat(cut)
                )
                .into_boxed_str(),
            );
            let (url, _) = fake_server("500 Internal Server Error", body);
            let client = MlflowRegistry::new(MlflowConfig {
                username: Some(user.into()),
                password: Some(password.into()),
                timeout: Duration::from_secs(20),
                retries: 0,
                ..MlflowConfig::new(url)
            })
            .expect("client");
            let shown = client.list_models().expect_err("500").to_string();
            assert!(!shown.contains(password), "{shown}");
            assert!(!shown.contains(&token[..6]), "part of the token shows: {shown}");
        }
    }
}
