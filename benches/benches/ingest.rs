//! In-process timing of CSV ingestion + validation (`horizon_core::data::ingest_csv`) on the
//! 1,000,000-row generated retail file, and of the whole report of `horizon validate` (ingestion
//! and the season check of each series). Run: `cargo bench -p horizon-benches --bench ingest`.
//! The comparison with pandas, run back to back, is `benches/ingest_vs_pandas.sh`.

use horizon_core::data::{IngestOptions, Ingested, ingest_csv};

fn main() {
    divan::main();
}

fn ingest(csv: &str) -> Ingested {
    let ing = ingest_csv(
        divan::black_box(csv.as_bytes()),
        "retail_1m.csv",
        &IngestOptions::default(),
    );
    assert_eq!(ing.stats.rows, 1_000_000);
    ing
}

#[divan::bench(sample_count = 10)]
fn ingest_1m_rows(bencher: divan::Bencher) {
    let csv = horizon_benches::million_row_csv();
    bencher
        .counter(divan::counter::BytesCount::new(csv.len()))
        .bench(|| ingest(&csv));
}

#[divan::bench(sample_count = 10)]
fn validate_report_1m_rows(bencher: divan::Bencher) {
    let csv = horizon_benches::million_row_csv();
    bencher.counter(divan::counter::BytesCount::new(csv.len())).bench(|| {
        let panel = ingest(&csv).panel.expect("a usable file");
        horizon_core::models::season::panel_seasons(&panel)
    });
}
