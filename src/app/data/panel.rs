//! Data panel: open a file (dialog, drag and drop, sample), see how it was read, correct the
//! column guesses, read the validation report, pick a series.

use super::state::{DataEffect, DataState};
use crate::app::settings::Settings;
use eframe::egui;

/// The panel; what the user asked for, for the workbench to do.
pub fn show(state: &mut DataState, settings: &mut Settings, ui: &mut egui::Ui) -> Vec<DataEffect> {
    let mut effects = Vec::new();
    ui.heading("Data");
    ui.horizontal(|ui| {
        let formats = if cfg!(target_arch = "wasm32") {
            "CSV"
        } else {
            "CSV or Parquet"
        };
        if ui
            .button("Open file…")
            .on_hover_text(format!("{formats} (Ctrl+O)"))
            .clicked()
        {
            effects.push(DataEffect::OpenDialog);
        }
        if ui.button("Load sample data").clicked() {
            effects.push(DataEffect::LoadSample);
        }
    });
    ui.small(if cfg!(target_arch = "wasm32") {
        "…or drop a CSV file on the window."
    } else {
        "…or drop a CSV or Parquet file on the window. Parquet and raw transactions (one row per order or trip) are aggregated per day, week or month."
    });
    #[cfg(not(target_arch = "wasm32"))]
    effects.extend(recent(settings, ui));
    effects.extend(super::sample::show(state, settings, ui));
    let Some(data) = &state.loaded else { return effects };
    ui.label(egui::RichText::new(&data.name).strong());
    if let Some(note) = &data.note {
        ui.label(egui::RichText::new(note).small());
    }
    #[cfg(not(target_arch = "wasm32"))]
    if ui
        .button("Aggregate transactions…")
        .on_hover_text("Read this file as one row per order or trip and sum (or count) them per day, week or month")
        .clicked()
    {
        effects.push(DataEffect::OpenTransactions(data.name.clone(), data.bytes.clone()));
        return effects;
    }
    if super::columns::show(state, settings, ui) {
        effects.push(DataEffect::Reload);
    }
    report(state, ui);
    effects.extend(series_picker(state, settings, ui));
    effects
}

/// The validation report: one line per issue, errors first; a line that names a row shows that
/// row in the data preview when clicked.
fn report(state: &mut DataState, ui: &mut egui::Ui) {
    let Some(data) = &state.loaded else { return };
    let r = &data.ingested.report;
    let title = format!(
        "Validation: {} error(s), {} warning(s)",
        r.error_count(),
        r.warning_count()
    );
    let issues = r.sorted_issues();
    let mut jump = None;
    egui::CollapsingHeader::new(title)
        .id_salt(("report", &data.name, r.error_count(), r.warning_count()))
        .default_open(r.has_errors() || r.warning_count() > 0)
        .show(ui, |ui| {
            if r.issues.is_empty() {
                ui.label("No problems found.");
            }
            egui::ScrollArea::vertical()
                .id_salt("report_scroll")
                .max_height(180.0)
                .show(ui, |ui| {
                    let colour = |ui: &egui::Ui, error: bool| {
                        if error {
                            ui.visuals().error_fg_color
                        } else {
                            ui.visuals().warn_fg_color
                        }
                    };
                    for issue in &issues {
                        let error = issue.severity == horizon_core::data::Severity::Error;
                        let text = egui::RichText::new(r.format_issue(issue))
                            .color(colour(ui, error))
                            .small();
                        match issue.row {
                            Some(row) => {
                                let link = ui
                                    .add(egui::Label::new(text.underline()).sense(egui::Sense::click()))
                                    .on_hover_text(format!("Show row {row} in the data preview"));
                                if link.clicked() {
                                    jump = Some(row);
                                }
                            }
                            None => {
                                ui.label(text);
                            }
                        }
                    }
                    // The counts of issues not listed one by one.
                    for line in r.more_lines() {
                        let error = line.ends_with("[error]");
                        ui.label(egui::RichText::new(&line).color(colour(ui, error)).small());
                    }
                });
        });
    if let Some(row) = jump {
        state.show_row(row);
    }
}

/// The series list with its filters; a click forecasts the series picked. With *Show totals*
/// the list holds every level (the total, per store, …) and their forecasts add up.
fn series_picker(state: &mut DataState, settings: &mut Settings, ui: &mut egui::Ui) -> Option<DataEffect> {
    let panel = state.panel().cloned()?;
    ui.separator();
    let mut effect = totals_switch(state, settings, &panel, ui);
    let totals = state.totals.clone();
    let listed = totals.as_ref().map_or_else(|| panel.clone(), |t| t.nodes.clone());
    ui.label(format!("Series ({})", listed.series.len()));
    // One filter per id column (store, product, …), then a free-text search.
    state.id_filters.resize(panel.id_columns.len(), None);
    if panel.id_columns.len() > 1 {
        egui::Grid::new("id_filters").num_columns(2).show(ui, |ui| {
            for (c, name) in panel.id_columns.iter().enumerate() {
                let l = ui.label(name);
                let mut values: Vec<&str> = panel.series.iter().map(|s| s.key[c].as_str()).collect();
                values.sort_unstable();
                values.dedup();
                let current = state.id_filters[c].clone();
                egui::ComboBox::from_id_salt(("id_filter", c))
                    .selected_text(current.as_deref().unwrap_or("(all)"))
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut state.id_filters[c], None, "(all)");
                        for v in values {
                            ui.selectable_value(&mut state.id_filters[c], Some(v.to_string()), v);
                        }
                    })
                    .response
                    .labelled_by(l.id);
                ui.end_row();
            }
        });
    }
    let l = ui.label("Search series");
    ui.text_edit_singleline(&mut state.filter).labelled_by(l.id);
    let needle = state.filter.to_lowercase();
    let filters = state.id_filters.clone();
    let label = |i: usize, s: &horizon_core::Series| totals.as_ref().map_or_else(|| s.label(), |t| t.label(i));
    let matches = |i: usize, s: &horizon_core::Series| {
        filters
            .iter()
            .zip(&s.key)
            .all(|(f, k)| f.as_ref().is_none_or(|f| f == k))
            && label(i, s).to_lowercase().contains(&needle)
    };
    let current = if totals.is_some() {
        state.selected_node
    } else {
        state.selected
    };
    let mut clicked = None;
    egui::ScrollArea::vertical()
        .id_salt("series_list")
        .max_height(200.0)
        .show(ui, |ui| {
            for (i, s) in listed
                .series
                .iter()
                .enumerate()
                .filter(|(i, s)| matches(*i, s))
                .take(500)
            {
                if ui.selectable_label(i == current, label(i, s)).clicked() {
                    clicked = Some(i);
                }
            }
        });
    if let Some(i) = clicked {
        match &totals {
            Some(t) => {
                state.selected_node = i;
                if let Some(s) = t.series_of(i) {
                    state.selected = s;
                }
            }
            None => state.selected = i,
        }
        effect = Some(DataEffect::Forecast);
    }
    effect
}

/// *Show totals* and how they are made to add up; a change forecasts again.
fn totals_switch(
    state: &mut DataState,
    settings: &mut Settings,
    panel: &horizon_core::Panel,
    ui: &mut egui::Ui,
) -> Option<DataEffect> {
    if panel.id_columns.is_empty() || panel.series.len() < 2 {
        return None;
    }
    let mut on = state.totals.is_some();
    let mut effect = None;
    ui.horizontal(|ui| {
        if ui
            .checkbox(&mut on, "Show totals")
            .on_hover_text(format!(
                "The total, per {} and every series, forecast so that the parts add up to the totals",
                panel.id_columns.join(", per ")
            ))
            .changed()
        {
            if on {
                match super::totals::TotalsData::of(panel) {
                    Ok(t) => {
                        state.totals = Some(std::sync::Arc::new(t));
                        state.selected_node = 0;
                        effect = Some(DataEffect::Forecast);
                    }
                    Err(e) => effect = Some(DataEffect::Status(e)),
                }
            } else {
                state.totals = None;
                effect = Some(DataEffect::Forecast);
            }
        }
        if state.totals.is_some() {
            let l = ui.label("add up by");
            let before = settings.reconcile.clone();
            egui::ComboBox::from_id_salt("reconcile")
                .selected_text(settings.reconcile.as_str())
                .show_ui(ui, |ui| {
                    for (name, hint) in RECONCILE_CHOICES {
                        ui.selectable_value(&mut settings.reconcile, name.to_string(), name)
                            .on_hover_text(hint);
                    }
                })
                .response
                .labelled_by(l.id);
            if settings.reconcile != before {
                effect = Some(DataEffect::Forecast);
            }
        }
    });
    effect
}

/// The reconciliation methods the workbench offers, with what each does.
const RECONCILE_CHOICES: [(&str, &str); 5] = [
    (
        "auto",
        "The best of mint-shrink, bottom-up and top-down in a backtest of the last horizon",
    ),
    (
        "mint-shrink",
        "Every level's forecast combined, weighted by how well each did (MinT with shrinkage)",
    ),
    ("bottom-up", "The series' forecasts added up into every total"),
    ("top-down", "The total's forecast split by each series' average share"),
    ("none", "Each level forecast on its own: the parts need not add up"),
];

/// The files opened lately, one click to open again.
#[cfg(not(target_arch = "wasm32"))]
fn recent(settings: &Settings, ui: &mut egui::Ui) -> Option<DataEffect> {
    if settings.recent.is_empty() {
        return None;
    }
    let mut open = None;
    egui::CollapsingHeader::new("Recent files")
        .id_salt("recent")
        .show(ui, |ui| {
            for path in &settings.recent {
                let name = std::path::Path::new(path)
                    .file_name()
                    .map_or_else(|| path.clone(), |n| n.to_string_lossy().into_owned());
                if ui.button(format!("Open {name}")).on_hover_text(path).clicked() {
                    open = Some(path.clone());
                }
            }
        });
    open.map(DataEffect::OpenRecent)
}
