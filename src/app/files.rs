//! Names of the files the workbench hands out: `<what>_<series>_<YYYYMMDD-HHMMSS>.<ext>`.

/// `forecast_<series>_<YYYYMMDD-HHMMSS>.csv`, the series label made safe for a file name.
pub fn export_file_name(series: &str, at: chrono::NaiveDateTime) -> String {
    timestamped_file_name("forecast", series, "csv", at)
}

/// `<what>_<series>_<YYYYMMDD-HHMMSS>.<ext>`, the series label made safe for a file name.
pub fn timestamped_file_name(what: &str, series: &str, ext: &str, at: chrono::NaiveDateTime) -> String {
    let safe: String = series
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect::<String>()
        .split('_')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("_");
    format!(
        "{what}_{}_{}.{ext}",
        if safe.is_empty() { "series" } else { &safe },
        at.format("%Y%m%d-%H%M%S")
    )
}
