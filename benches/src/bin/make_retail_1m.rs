//! Write the 1,000,000-row retail CSV used by `benches/ingest_vs_pandas.sh`.

fn main() -> std::process::ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: make_retail_1m OUT.csv");
        return std::process::ExitCode::from(2);
    };
    match std::fs::write(&path, horizon_benches::million_row_csv()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cannot write {path}: {e}");
            std::process::ExitCode::from(1)
        }
    }
}
