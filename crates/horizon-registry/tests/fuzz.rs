//! The MLflow client over damaged answers (a fuzzing harness without a fuzzer's toolchain):
//! valid answers of the endpoints `registry list` and `registry show` call, corrupted byte by
//! byte and served through the replay driver (the browser's path). Every operation ends —
//! with its result or an error — after a bounded number of requests, and never panics.
//!
//! `HORIZON_FUZZ_CASES` sets the number of cases (see docs/testing.md for a long run).

#[path = "common/rng.rs"]
mod rng;

use horizon_registry::Registry;
use horizon_registry::mlflow::replay::replay;
use horizon_registry::mlflow::{MlflowConfig, MlflowRegistry};
use rng::Rng;

const MODELS: &str = r#"{"registered_models":[{"name":"sales","creation_timestamp":1700000000000,"last_updated_timestamp":1700000000000,"aliases":[{"alias":"champion","version":"2"}],"tags":[{"key":"horizon.alias_history.champion","value":"1,2"}]}],"next_page_token":""}"#;
const MODEL: &str = r#"{"registered_model":{"name":"sales","creation_timestamp":1700000000000,"aliases":[{"alias":"champion","version":"2"}],"tags":[]}}"#;
const VERSIONS: &str = r#"{"model_versions":[{"name":"sales","version":"1","creation_timestamp":1700000000000,"run_id":"abc","source":"mlflow-artifacts:/1/abc/artifacts/model","tags":[{"key":"horizon.model","value":"ets"}]},{"name":"sales","version":"2","creation_timestamp":1700000001000,"run_id":"def","tags":[]}],"next_page_token":""}"#;

fn damage(rng: &mut Rng, body: &str) -> Vec<u8> {
    let mut b = body.as_bytes().to_vec();
    for _ in 0..1 + rng.next(4) {
        if b.is_empty() {
            break;
        }
        let i = rng.next(b.len());
        match rng.next(5) {
            0 => b[i] = rng.next(256) as u8,
            1 => b.insert(i, b"{}[]\",:0-9e\\"[rng.next(12)]),
            2 => {
                b.remove(i);
            }
            3 => b.truncate(i),
            _ => b[i] = b"0123456789"[rng.next(10)],
        }
    }
    b
}

#[test]
fn damaged_answers_end_every_operation_without_a_panic() {
    let cases = std::env::var("HORIZON_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let client = MlflowRegistry::new(MlflowConfig::new("http://127.0.0.1:5000")).expect("client");
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let (mut answered, mut refused) = (0, 0);
    for case in 0..cases {
        let mut requests = 0;
        let serve = |request: ehttp::Request| -> Result<ehttp::Response, String> {
            requests += 1;
            let body = if request.url.contains("registered-models/search") {
                MODELS
            } else if request.url.contains("registered-models/get") {
                MODEL
            } else {
                VERSIONS
            };
            let status = [200, 200, 200, 404, 500][rng.next(5)];
            Ok(ehttp::Response {
                url: request.url,
                ok: status == 200,
                status,
                status_text: String::new(),
                headers: ehttp::Headers::new(&[("content-type", "application/json")]),
                bytes: damage(&mut rng, body),
            })
        };
        let outcome = match case % 3 {
            0 => replay(|| client.list_models().map(|_| ()), serve),
            1 => replay(|| client.get_model("sales").map(|_| ()), serve),
            _ => replay(|| client.get_by_alias("sales", "champion").map(|_| ()), serve),
        };
        // Far below the replay driver's own cap (500 requests): each operation stops by itself.
        assert!(requests <= 10, "case {case}: {requests} requests");
        match outcome {
            Ok(()) => answered += 1,
            Err(e) => {
                assert!(!e.to_string().is_empty());
                refused += 1;
            }
        }
    }
    assert!(answered > 0 && refused > 0, "answered {answered}, refused {refused}");
}
