//! Every file of `tests/corpus/` is malformed in one way. Each must get the expected error or
//! warning, with its row where one applies — from the core and through `horizon validate` —
//! and never a panic.

use horizon_core::data::{IngestOptions, Severity, ingest_csv};
use std::path::PathBuf;
use std::process::Command;

struct Case {
    file: String,
    severity: Severity,
    kind: String,
    row: Option<usize>,
}

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

fn cases() -> Vec<Case> {
    let text = std::fs::read_to_string(corpus_dir().join("EXPECTED.tsv")).expect("EXPECTED.tsv");
    text.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            Case {
                file: f[0].to_string(),
                severity: if f[1] == "Error" {
                    Severity::Error
                } else {
                    Severity::Warning
                },
                kind: f[2].to_string(),
                row: f.get(3).and_then(|r| r.parse().ok()),
            }
        })
        .collect()
}

#[test]
fn corpus_has_at_least_25_files() {
    assert!(cases().len() >= 25);
}

#[test]
fn each_malformed_file_gets_its_issue() {
    for case in cases() {
        let bytes = std::fs::read(corpus_dir().join(&case.file)).expect("corpus file");
        let ing = ingest_csv(&bytes, &case.file, &IngestOptions::default());
        let r = &ing.report;
        let matching: Vec<_> = r
            .issues
            .iter()
            .filter(|i| i.severity == case.severity && (case.kind.is_empty() || format!("{:?}", i.kind) == case.kind))
            .collect();
        assert!(
            !matching.is_empty(),
            "{}: expected {:?} {}, got:\n{}",
            case.file,
            case.severity,
            case.kind,
            r
        );
        if let Some(row) = case.row {
            assert!(
                matching.iter().any(|i| i.row == Some(row)),
                "{}: expected row {row}, got:\n{}",
                case.file,
                r
            );
        }
        // Errors stop: no panel. Warnings alone leave a usable panel.
        assert_eq!(ing.panel.is_none(), r.has_errors(), "{}", case.file);
        // Every message names the file.
        assert!(r.lines().iter().all(|l| l.starts_with(&case.file)), "{}", case.file);
    }
}

#[test]
fn cli_validate_exits_2_on_errors_and_0_on_warnings_never_panics() {
    for case in cases() {
        let out = Command::new(env!("CARGO_BIN_EXE_horizon"))
            .arg("validate")
            .arg(corpus_dir().join(&case.file))
            .output()
            .expect("run horizon");
        let code = out.status.code();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{}: {stderr}", case.file);
        let want = if case.severity == Severity::Error { 2 } else { 0 };
        assert_eq!(code, Some(want), "{}: {stderr}", case.file);
        if let Some(row) = case.row {
            assert!(stderr.contains(&format!(":row {row}")), "{}: {stderr}", case.file);
        }
    }
}
