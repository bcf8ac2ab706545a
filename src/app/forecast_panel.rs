//! Forecast panel: model, horizon and interval levels; the plot; the model's description;
//! export.

use super::state::Workbench;
use eframe::egui;
use horizon_core::ModelSpec;

pub const LEVEL_CHOICES: [f64; 4] = [80.0, 90.0, 95.0, 99.0];

pub fn show(wb: &mut Workbench, ui: &mut egui::Ui) {
    ui.horizontal_wrapped(|ui| {
        let l = ui.label("Model");
        let current = wb.settings.model.clone();
        egui::ComboBox::from_id_salt("model")
            .selected_text(current.name())
            .show_ui(ui, |ui| {
                for spec in ModelSpec::all() {
                    let text = format!("{} — {}", spec.name(), spec.summary());
                    ui.selectable_value(&mut wb.settings.model, spec, text);
                }
            })
            .response
            .labelled_by(l.id);
        let l = ui.label("Horizon");
        ui.add(egui::DragValue::new(&mut wb.settings.horizon).range(1..=1000))
            .labelled_by(l.id);
        ui.label("Levels:");
        for level in LEVEL_CHOICES {
            let mut on = wb.settings.levels.contains(&level);
            if ui.checkbox(&mut on, format!("{level}%")).changed() {
                if on {
                    wb.settings.levels.push(level);
                    wb.settings.levels.sort_by(f64::total_cmp);
                } else if wb.settings.levels.len() > 1 {
                    wb.settings.levels.retain(|l| *l != level);
                }
            }
        }
        let can_run = wb.panel().is_some();
        if ui.add_enabled(can_run, egui::Button::new("Run forecast")).clicked() {
            wb.run_forecast();
        }
        let can_export = wb.result.is_some();
        if ui.add_enabled(can_export, egui::Button::new("Export CSV")).clicked() {
            wb.export();
        }
    });
    ui.separator();
    match &wb.result {
        Some(r) => {
            ui.label(egui::RichText::new(format!("{} — {}", r.history.label(), r.forecast.model)).strong());
            ui.label(&r.description);
            super::plot::show(ui, r);
        }
        None => {
            ui.label("No forecast yet: load data and press Run forecast.");
        }
    }
}
