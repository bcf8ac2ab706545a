//! What the core's integration tests share.
#![allow(dead_code)] // each test binary uses its own part

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
