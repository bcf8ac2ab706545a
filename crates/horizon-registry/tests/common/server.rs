//! A real MLflow server for the tests, in a temporary folder, on a free port of 127.0.0.1.
//!
//! The binary is `HORIZON_MLFLOW_BIN`, else `$HORIZON_CACHE/mlflow-venv/bin/mlflow` (installed
//! by `bash scripts/setup.sh mlflow`). The server runs in its own process group, which is
//! stopped (TERM, then KILL after 10 s) when the [`MlflowServer`] is dropped, also when a test
//! panics.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const STARTUP_LIMIT: Duration = Duration::from_secs(180);

pub struct MlflowServer {
    child: Child,
    url: String,
    admin: Option<(String, String)>,
    startup: Duration,
    log: PathBuf,
    // Dropped after the server is stopped (fields drop after `Drop::drop`).
    _dir: tempfile::TempDir,
}

/// The mlflow binary, or a panic saying how to install it.
fn mlflow_bin() -> PathBuf {
    if let Some(bin) = std::env::var_os("HORIZON_MLFLOW_BIN") {
        return PathBuf::from(bin);
    }
    let cache = std::env::var_os("HORIZON_CACHE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/horizon")))
        .unwrap_or_else(|| PathBuf::from(".cache/horizon"));
    let bin = cache.join("mlflow-venv/bin/mlflow");
    assert!(
        bin.exists(),
        "the MLflow server is not installed ({} is missing): run `bash scripts/setup.sh mlflow` \
         (or set HORIZON_MLFLOW_BIN)",
        bin.display()
    );
    bin
}

/// A hard-to-guess string (std's hasher keys are random per process).
pub fn random_secret(prefix: &str) -> String {
    let mut h = RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    let a = h.finish();
    let b = RandomState::new().build_hasher().finish();
    format!("{prefix}-{a:016x}{b:016x}")
}

/// `(status, body)` of `GET path`, or `None` when nothing answers properly.
fn http_get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_secs(2)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut text = String::new();
    stream.read_to_string(&mut text).ok()?;
    let status = text.split(' ').nth(1)?.parse().ok()?;
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Some((status, body))
}

impl MlflowServer {
    /// Start a server (with `--app-name basic-auth` and an admin user when `auth`) and wait
    /// until `/health` answers.
    pub fn start(auth: bool) -> MlflowServer {
        let bin = mlflow_bin();
        let dir = tempfile::tempdir().expect("a temporary folder for the MLflow server");
        let root = dir.path().to_path_buf();
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let log = root.join("mlflow.log");
        let log_file = std::fs::File::create(&log).expect("the server log");
        let mut cmd = Command::new(&bin);
        cmd.args(["server", "--host", "127.0.0.1", "--port", &port.to_string()])
            .arg("--backend-store-uri")
            .arg(format!("sqlite:///{}", root.join("mlflow.db").display()))
            .arg("--artifacts-destination")
            .arg(root.join("mlartifacts"))
            .args(["--workers", "1"])
            .env("MLFLOW_SERVER_ENABLE_JOB_EXECUTION", "false")
            .env_remove("MLFLOW_TRACKING_URI")
            .current_dir(&root)
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().expect("the server log"))
            .stderr(log_file)
            .process_group(0);
        let admin = auth.then(|| ("admin".to_string(), random_secret("Admin")));
        if let Some((user, password)) = &admin {
            let ini = root.join("auth.ini");
            let text = format!(
                "[mlflow]\ndefault_permission = READ\ndatabase_uri = sqlite:///{}\nadmin_username = {user}\n\
                 authorization_function = mlflow.server.auth:authenticate_request_basic_auth\n\
                 grant_default_workspace_access = false\n",
                root.join("basic_auth.db").display()
            );
            std::fs::write(&ini, text).expect("auth.ini");
            cmd.args(["--app-name", "basic-auth"])
                .env("MLFLOW_AUTH_CONFIG_PATH", &ini)
                .env("MLFLOW_AUTH_ADMIN_PASSWORD", password)
                .env("MLFLOW_FLASK_SERVER_SECRET_KEY", random_secret("flask"));
        }
        let started = Instant::now();
        let child = cmd.spawn().unwrap_or_else(|e| {
            panic!(
                "cannot start {}: {e}; run `bash scripts/setup.sh mlflow`",
                bin.display()
            )
        });
        let mut server = MlflowServer {
            child,
            url: format!("http://127.0.0.1:{port}"),
            admin,
            startup: Duration::ZERO,
            log,
            _dir: dir,
        };
        // A panic below drops `server`, which stops the process group.
        loop {
            if let Some((200, body)) = http_get(port, "/health")
                && body.trim() == "OK"
            {
                break;
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!(
                    "the MLflow server exited ({status}) before it was ready:\n{}",
                    server.log_tail()
                );
            }
            if started.elapsed() > STARTUP_LIMIT {
                panic!(
                    "the MLflow server was not ready within {STARTUP_LIMIT:?}:\n{}",
                    server.log_tail()
                );
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        server.startup = started.elapsed();
        eprintln!(
            "MLflow server{} ready at {} in {:.1} s",
            if auth { " (basic-auth)" } else { "" },
            server.url,
            server.startup.as_secs_f64()
        );
        server
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// `(user, password)` of the admin of a server started with `auth`.
    pub fn admin_credentials(&self) -> (String, String) {
        self.admin.clone().expect("the server was started without auth")
    }

    /// How long the server took until `/health` answered.
    pub fn startup(&self) -> Duration {
        self.startup
    }

    /// The last 40 lines of the server's log.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    /// Send `signal` to the server's process group; false when no process of it is left.
    fn signal_group(&self, signal: &str) -> bool {
        Command::new("kill")
            .args([signal, "--", &format!("-{}", self.child.id())])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }
}

impl Drop for MlflowServer {
    fn drop(&mut self) {
        self.signal_group("-TERM");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let _ = self.child.try_wait(); // reap the leader so the group check sees it gone
            if !self.signal_group("-0") {
                break;
            }
            if Instant::now() > deadline {
                self.signal_group("-KILL");
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
