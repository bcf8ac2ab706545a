//! The "Enter sales by hand" section: the grid of dates and sales, paste from a spreadsheet,
//! the values' check, and "Forecast these values".

use super::manual::{MANUAL_SOURCE, ManualGrid};
use super::state::{DataEffect, DataState};
use crate::app::settings::Settings;
use eframe::egui;
use std::sync::Arc;

/// "Add to": the typed days alone, or added to a series of the data (its history, its weekly
/// pattern, and for a global model every other series).
fn target(state: &mut DataState, ui: &mut egui::Ui) {
    let Some(panel) = state
        .panel()
        .cloned()
        .filter(|p| p.series.len() > 1 || !p.id_columns.is_empty())
    else {
        state.manual_target = None;
        return;
    };
    let shown = state.manual_target.as_ref().map_or_else(
        || "a new series (on their own)".to_string(),
        |k| horizon_core::data::key_label(k),
    );
    ui.horizontal(|ui| {
        let l = ui.label("Add to");
        egui::ComboBox::from_id_salt("manual_target")
            .selected_text(shown)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut state.manual_target, None, "a new series (on their own)");
                for s in panel.series.iter().take(500) {
                    ui.selectable_value(&mut state.manual_target, Some(s.key.clone()), s.label());
                }
            })
            .response
            .labelled_by(l.id)
            .on_hover_text("Add the typed days to a series of the data: they are forecast with its history");
    });
}

/// The data with the typed days added to series `key`, to load; or why not (the grid stays).
fn extend(state: &mut DataState, settings: &mut Settings, key: &[String]) -> DataEffect {
    let Some(loaded) = &state.loaded else {
        return DataEffect::Status("Load data first to add the typed days to one of its series.".into());
    };
    let Some(panel) = loaded.panel.clone() else {
        return DataEffect::Status("The data has errors: fix them before adding days to it.".into());
    };
    let typed = horizon_core::data::ingest_csv(state.manual.to_csv().as_bytes(), MANUAL_SOURCE, &ManualGrid::options());
    let Some(days) = typed.panel.as_ref().and_then(|p| p.series.first()) else {
        return DataEffect::Status("The typed days could not be read: see the check under the grid.".into());
    };
    match horizon_core::data::extend::extend_series(&panel, key, &days.dates, &days.values) {
        Ok(extended) => {
            let label = horizon_core::data::key_label(key);
            let name = format!("{} + {} typed day(s) of {label}", loaded.name, days.len());
            state.pending_select = Some(key.to_vec());
            // Read back with the data's own columns, not guessed afresh.
            settings.options = horizon_core::data::IngestOptions {
                date_column: Some(extended.date_column.clone()),
                value_column: Some(extended.value_column.clone()),
                id_columns: Some(extended.id_columns.clone()),
                exog_columns: Some(extended.exog_columns.clone()),
                freq: Some(extended.freq),
                ..settings.options.for_new_file()
            };
            // Writing the whole data out is not work for the UI thread.
            DataEffect::Encode(
                name,
                Box::new(extended),
                format!("The days typed by hand follow {label}'s history."),
            )
        }
        Err(e) => DataEffect::Status(format!("Cannot add the typed days: {e}")),
    }
}

/// The section; "Forecast these values" asks for them to be read as a file.
pub fn show(state: &mut DataState, settings: &mut Settings, ui: &mut egui::Ui) -> Option<DataEffect> {
    let mut load = None;
    let header = egui::CollapsingHeader::new("Enter sales by hand")
        .id_salt("manual")
        .default_open(state.show_manual);
    header.show(ui, |ui| {
        let mut changed = false;
        let mut remove = None;
        egui::Grid::new("manual_grid")
            .num_columns(3)
            .striped(true)
            .show(ui, |ui| {
                ui.label("Date");
                ui.label("Sales");
                ui.end_row();
                for (i, row) in state.manual.rows.iter_mut().enumerate() {
                    changed |= ui
                        .add(egui::TextEdit::singleline(&mut row.date).desired_width(95.0))
                        .on_hover_text("YYYY-MM-DD")
                        .labelled_by(ui.label(format!("Date {}", i + 1)).id)
                        .changed();
                    changed |= ui
                        .add(egui::TextEdit::singleline(&mut row.value).desired_width(70.0))
                        .labelled_by(ui.label(format!("Sales {}", i + 1)).id)
                        .changed();
                    if ui.small_button("x").on_hover_text("Remove this row").clicked() {
                        remove = Some(i);
                    }
                    ui.end_row();
                }
            });
        if let Some(i) = remove {
            state.manual.rows.remove(i);
            changed = true;
        }
        if changed {
            state.manual.validate();
        }
        target(state, ui);
        ui.horizontal(|ui| {
            if ui.button("Add row").clicked() {
                state.manual.add_row();
            }
            let usable = !state.manual.report.has_errors();
            if ui
                .add_enabled(usable, egui::Button::new("Forecast these values"))
                .clicked()
            {
                load = Some(match state.manual_target.clone() {
                    Some(key) => extend(state, settings, &key),
                    None => {
                        settings.options = ManualGrid::options();
                        let csv = state.manual.to_csv();
                        DataEffect::Load {
                            name: MANUAL_SOURCE.into(),
                            bytes: Arc::new(csv.into_bytes()),
                            note: None,
                        }
                    }
                });
            }
        });
        egui::CollapsingHeader::new("Paste from a spreadsheet")
            .id_salt("manual_paste")
            .show(ui, |ui| {
                ui.small("Copy two columns (date and sales) or one (sales) and paste them here.");
                let l = ui.label("Pasted rows");
                ui.add(
                    egui::TextEdit::multiline(&mut state.manual.pasted)
                        .desired_rows(4)
                        .desired_width(200.0),
                )
                .labelled_by(l.id);
                if ui.button("Fill the grid").clicked() {
                    let text = std::mem::take(&mut state.manual.pasted);
                    if state.manual.paste(&text) == 0 {
                        state.manual.pasted = text;
                    }
                }
            });
        let r = &state.manual.report;
        if r.issues.is_empty() {
            ui.small("The values look fine.");
        }
        for line in r.lines() {
            let color = if line.contains(": error:") {
                ui.visuals().error_fg_color
            } else {
                ui.visuals().warn_fg_color
            };
            ui.label(egui::RichText::new(line).small().color(color));
        }
    });
    load
}
