//! What the core's integration tests share.
#![allow(dead_code)] // each test binary uses its own part

use rand::RngExt;

/// Series on which a model must give a forecast or a clear error, never a panic or NaN.
pub fn degenerate_cases() -> Vec<(&'static str, Vec<f64>)> {
    vec![
        ("constant", vec![5.0; 40]),
        ("zeros", vec![0.0; 40]),
        ("spike", (0..40).map(|t| if t == 20 { 100.0 } else { 0.0 }).collect()),
        ("three points", vec![1.0, 2.0, 3.0]),
        ("short for the season", (0..10).map(f64::from).collect()),
    ]
}

/// Cases per property test: `HORIZON_FUZZ_CASES` when set (a long run, see docs/testing.md),
/// else `default` (the bounded run of the test command).
pub fn fuzz_cases(default: usize) -> usize {
    std::env::var("HORIZON_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A few random corruptions of `base`: bytes flipped, inserted (delimiters, quotes, line
/// breaks, invalid UTF-8), deleted; the end cut; lines duplicated or swapped; digits changed.
pub fn mutate(rng: &mut rand_chacha::ChaCha8Rng, base: &[u8]) -> Vec<u8> {
    let mut b = base.to_vec();
    for _ in 0..rng.random_range(1..6) {
        if b.is_empty() {
            break;
        }
        let i = rng.random_range(0..b.len());
        match rng.random_range(0..7) {
            0 => b[i] = rng.random(),
            1 => b.insert(
                i,
                [b',', b';', b'\t', b'"', b'\n', b'-', b'/', 0xFF][rng.random_range(0..8)],
            ),
            2 => {
                b.remove(i);
            }
            3 => b.truncate(i),
            4 => {
                // Duplicate a line.
                let text = String::from_utf8_lossy(&b).into_owned();
                let lines: Vec<&str> = text.lines().collect();
                let k = rng.random_range(0..lines.len().max(1));
                let mut out: Vec<&str> = lines.clone();
                if let Some(l) = lines.get(k) {
                    out.insert(k, l);
                }
                b = out.join("\n").into_bytes();
            }
            5 => {
                // Swap two lines.
                let text = String::from_utf8_lossy(&b).into_owned();
                let mut lines: Vec<&str> = text.lines().collect();
                if lines.len() > 2 {
                    let (x, y) = (rng.random_range(1..lines.len()), rng.random_range(1..lines.len()));
                    lines.swap(x, y);
                }
                b = lines.join("\n").into_bytes();
            }
            _ => {
                let digit = b"0123456789"[rng.random_range(0..10)];
                b[i] = digit;
            }
        }
    }
    b
}
