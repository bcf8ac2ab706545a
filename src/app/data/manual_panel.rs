//! The "Enter sales by hand" section: the grid of dates and sales, paste from a spreadsheet,
//! the values' check, and "Forecast these values".

use super::manual::{MANUAL_SOURCE, ManualGrid};
use super::state::{DataEffect, DataState};
use crate::app::settings::Settings;
use eframe::egui;
use std::sync::Arc;

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
        ui.horizontal(|ui| {
            if ui.button("Add row").clicked() {
                state.manual.add_row();
            }
            let usable = !state.manual.report.has_errors();
            if ui
                .add_enabled(usable, egui::Button::new("Forecast these values"))
                .clicked()
            {
                settings.options = ManualGrid::options();
                let csv = state.manual.to_csv();
                load = Some(DataEffect::Load {
                    name: MANUAL_SOURCE.into(),
                    bytes: Arc::new(csv.into_bytes()),
                    note: None,
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
