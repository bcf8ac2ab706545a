//! No input makes ingestion panic, and whatever it accepts is a well-formed panel: thousands of
//! deterministic random corruptions of valid files (bytes flipped, inserted, deleted; lines
//! duplicated, swapped, cut), each checked for the panel's invariants.

mod common;

use common::mutate;
use horizon_core::data::generate::{BooksParams, RetailParams, books, retail};
use horizon_core::data::{IngestOptions, Panel, ingest_csv};
use horizon_core::export::panel_csv;
use rand::SeedableRng;
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
        for k in 0..common::fuzz_cases(1500) {
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
