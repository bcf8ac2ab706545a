//! Read and validate one CSV file exactly as `horizon validate` does (same core call, without
//! the GUI in the binary), and print a one-line summary. Used for the process-level time and
//! peak-memory comparison with pandas.

fn main() -> std::process::ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: ingest_file FILE.csv");
        return std::process::ExitCode::from(2);
    };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("cannot read {path}: {e}");
            return std::process::ExitCode::from(1);
        }
    };
    let ing = horizon_core::data::ingest_csv(&bytes, &path, &Default::default());
    let series = ing.panel.as_ref().map_or(0, |p| p.series.len());
    println!(
        "rows={} series={} errors={} warnings={} duplicates={} gaps={}",
        ing.stats.rows,
        series,
        ing.report.error_count(),
        ing.report.warning_count(),
        ing.stats.duplicates_merged,
        ing.stats.gaps_filled
    );
    std::process::ExitCode::SUCCESS
}
