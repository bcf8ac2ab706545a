//! No input makes ingestion panic, and whatever it accepts is a well-formed panel: thousands of
//! deterministic random corruptions of valid files (bytes flipped, inserted, deleted; lines
//! duplicated, swapped, cut), each checked for the panel's invariants.

use horizon_core::data::generate::{BooksParams, RetailParams, books, retail};
use horizon_core::data::{IngestOptions, Panel, ingest_csv};
use horizon_core::export::panel_csv;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn check_panel(p: &Panel, name: &str) {
    for s in &p.series {
        assert_eq!(s.dates.len(), s.values.len(), "{name}");
        assert!(
            s.values.iter().all(|v| v.is_finite()),
            "{name}: non-finite value in {}",
            s.label()
        );
        for w in s.dates.windows(2) {
            assert_eq!(
                p.freq.advance(w[0], 1),
                w[1],
                "{name}: {} not on the {} grid",
                w[1],
                p.freq
            );
        }
        assert_eq!(s.exog.len(), p.exog_columns.len(), "{name}");
        for c in &s.exog {
            assert_eq!(c.len(), s.len(), "{name}");
            assert!(c.iter().all(|v| v.is_finite()), "{name}");
        }
        assert_eq!(s.key.len(), p.id_columns.len(), "{name}");
    }
}

fn mutate(rng: &mut ChaCha8Rng, base: &[u8]) -> Vec<u8> {
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

#[test]
fn random_corruptions_never_panic_and_accepted_panels_are_well_formed() {
    let retail = panel_csv(&retail(&RetailParams {
        stores: 2,
        products: 2,
        days: 60,
        ..Default::default()
    }));
    let books = panel_csv(&books(&BooksParams {
        titles: 2,
        weeks: 30,
        ..Default::default()
    }));
    let monthly = "month;sales\n".to_string()
        + &(0..30)
            .map(|k| format!("01/{:02}/{};{},5\n", k % 12 + 1, 2020 + k / 12, k))
            .collect::<String>();
    let mut rng = ChaCha8Rng::seed_from_u64(2024);
    let (mut accepted, mut rejected) = (0, 0);
    for (name, base) in [
        ("retail", retail.as_bytes()),
        ("books", books.as_bytes()),
        ("monthly", monthly.as_bytes()),
    ] {
        for k in 0..1500 {
            let bytes = mutate(&mut rng, base);
            let label = format!("{name}#{k}");
            let ing = ingest_csv(&bytes, &label, &IngestOptions::default());
            assert_eq!(ing.panel.is_some(), !ing.report.has_errors(), "{label}");
            match &ing.panel {
                Some(p) => {
                    check_panel(p, &label);
                    accepted += 1;
                }
                None => rejected += 1,
            }
        }
    }
    // The corruptions exercise both paths.
    assert!(
        accepted > 500 && rejected > 500,
        "accepted {accepted}, rejected {rejected}"
    );
}
