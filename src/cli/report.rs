//! `horizon report FILE --model NAME --horizon H --out report.html`: the forecast of every
//! series (at most [`MAX_SECTIONS`]) as one self-contained HTML file to hand over — headline,
//! plot, how it was made with the backtest accuracy, the table with bounds. Takes the flags of
//! `horizon forecast`, `--registered` included.

use super::CliError;
use super::forecast::{Computed, ForecastArgs, Made, compute};
use super::output::write_new;
use horizon_core::forecast::chosen_mae;
use horizon_core::models::auto::backtest_score;
use horizon_core::report::{Section, html};

/// Series shown in one report (a file of thousands of series is a table's job, not a page's).
pub const MAX_SECTIONS: usize = 100;

pub fn run(a: ForecastArgs) -> Result<(), CliError> {
    let Computed {
        panel,
        out,
        made,
        totals,
    } = compute(&a)?;
    let by = match &made {
        Made::Spec(spec) => spec.to_string(),
        Made::Registered { name, version, spec } => format!("{name} version {version} ({spec})"),
    };
    let shown = out.forecasts.len().min(MAX_SECTIONS);
    // Each forecast with its own history and backtest error.
    let mut parts = Vec::with_capacity(shown);
    for d in &out.forecasts[..shown] {
        let Some(history) = panel.series.iter().find(|s| s.key == d.forecast.key) else {
            continue;
        };
        // Auto's own backtest; a local model the user named is backtested as Auto would.
        let mae = d.auto_choice().as_ref().and_then(chosen_mae).or_else(|| match &made {
            Made::Spec(spec) if !spec.is_global() => backtest_score(history, spec).and_then(|s| s.mae),
            _ => None,
        });
        parts.push((d, history, mae));
    }
    let sections: Vec<Section<'_>> = parts
        .iter()
        .map(|(d, history, mae)| Section {
            history,
            forecast: &d.forecast,
            description: &d.description,
            backtest_mae: *mae,
            notes: d
                .baseline
                .as_ref()
                .map(|b| {
                    let level = d.forecast.forecast.widest_level();
                    horizon_core::headline::Uplift::new(&d.forecast.forecast, b, level).line()
                })
                .into_iter()
                .collect(),
        })
        .collect();
    let file = a
        .file
        .file_name()
        .map_or_else(|| a.file.display().to_string(), |f| f.to_string_lossy().into_owned());
    let mut made_line = format!(
        "Made on {} from {file} with {by}.",
        chrono::Local::now().format("%-d %b %Y %H:%M")
    );
    if out.forecasts.len() > shown {
        made_line.push_str(&format!(
            " The first {shown} of {} series are shown; `horizon forecast` writes them all.",
            out.forecasts.len()
        ));
    }
    if let Some(t) = &totals {
        made_line.push(' ');
        made_line.push_str(&t.summary());
    }
    if !out.failures.is_empty() {
        made_line.push_str(&format!(" {} series could not be forecast.", out.failures.len()));
    }
    let page = html("Sales forecast", &made_line, &sections);
    write_new(&a.out, page.as_bytes(), a.force, &[&a.file])?;
    super::forecast::log_forecast(&a, &made, &panel, &out.series_forecasts(), "horizon report")?;
    eprintln!(
        "wrote a report of {} series ({} step(s) ahead) with {by} to {}",
        sections.len(),
        out.forecasts.first().map_or(0, |d| d.forecast.dates.len()),
        a.out.display()
    );
    Ok(())
}
