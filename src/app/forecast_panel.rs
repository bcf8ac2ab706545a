//! Forecast panel: model, horizon and interval levels; the plot; the model's description;
//! export.

use super::state::Workbench;
use eframe::egui;
use horizon_core::ModelSpec;

pub const LEVEL_CHOICES: [f64; 4] = [80.0, 90.0, 95.0, 99.0];

pub fn show(wb: &mut Workbench, ui: &mut egui::Ui) {
    if let Some(r) = &wb.registered {
        let text = format!("Model: registered {} ({})", r.label, r.artifact.spec);
        ui.horizontal(|ui| {
            ui.label(egui::RichText::new(text).strong());
            if ui.button("Use own model").clicked() {
                wb.use_own_model();
            }
        });
    }
    ui.horizontal_wrapped(|ui| {
        let l = ui.label("Model");
        let mut base = wb.settings.model.uncalibrated().clone();
        let mut calibrated = base != wb.settings.model;
        egui::ComboBox::from_id_salt("model")
            .selected_text(base.name())
            .height(600.0)
            .show_ui(ui, |ui| {
                for spec in ModelSpec::all() {
                    let text = format!("{} — {}", spec.name(), spec.summary());
                    ui.selectable_value(&mut base, spec, text);
                }
            })
            .response
            .labelled_by(l.id);
        ui.checkbox(&mut calibrated, "Calibrate intervals").on_hover_text(
            "Conformal prediction: rescale the bands so they cover the model's own past forecast errors",
        );
        wb.settings.model = if calibrated { base.calibrated() } else { base };
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
        if ui
            .add_enabled(can_run, egui::Button::new("Run forecast"))
            .on_hover_text("Ctrl+Enter")
            .clicked()
        {
            wb.run_forecast();
        }
        let can_export = wb.result.is_some();
        if ui
            .add_enabled(can_export, egui::Button::new("Export CSV"))
            .on_hover_text("Ctrl+E")
            .clicked()
        {
            wb.export();
        }
        if ui
            .add_enabled(can_export, egui::Button::new("Export PNG"))
            .on_hover_text("The plot as a picture for slides (Ctrl+Shift+E)")
            .clicked()
        {
            wb.export_png(ui.ctx());
        }
    });
    super::compare::show(wb, ui);
    ui.separator();
    let (mut keep, mut clear) = (false, false);
    match &wb.result {
        Some(r) => {
            ui.label(egui::RichText::new(format!("{} — {}", r.history.label(), r.forecast.model)).strong());
            ui.label(&r.description);
            candidates(ui, &r.candidates);
            ui.small(format!(
                "{} Fitted and forecast in {:.0} ms.",
                r.season_note, r.elapsed_ms
            ));
            ui.horizontal(|ui| {
                let kept = wb.kept.iter().any(|k| k.model == r.forecast.model);
                if ui
                    .add_enabled(!kept, egui::Button::new("Keep on plot"))
                    .on_hover_text("Keep this forecast on the plot and compare the next model's with it")
                    .clicked()
                {
                    keep = true;
                }
                if ui
                    .add_enabled(!wb.kept.is_empty(), egui::Button::new("Clear kept forecasts"))
                    .clicked()
                {
                    clear = true;
                }
            });
            let shown: Vec<_> = wb
                .kept
                .iter()
                .filter(|k| k.model != r.forecast.model)
                .cloned()
                .collect();
            let rect = super::plot::show(ui, r, &shown);
            wb.plot_rect = Some(rect);
        }
        None => {
            ui.label("No forecast yet: load data and press Run forecast.");
        }
    }
    if keep {
        wb.keep_forecast();
    }
    if clear {
        wb.kept.clear();
    }
}

/// Auto's choice explained: each candidate's backtest MASE, the chosen one first.
fn candidates(ui: &mut egui::Ui, choice: &super::forecast_task::AutoChoice) {
    let Some((chosen, table)) = choice else { return };
    egui::CollapsingHeader::new("Auto: candidates and their backtest MASE")
        .default_open(true)
        .show(ui, |ui| {
            egui::Grid::new("auto_candidates").striped(true).show(ui, |ui| {
                ui.strong("model");
                ui.strong("MASE");
                ui.end_row();
                for c in table {
                    let name = if &c.model == chosen {
                        format!("{} (chosen)", c.model)
                    } else {
                        c.model.clone()
                    };
                    ui.label(name);
                    match (&c.error, c.mase) {
                        (Some(e), _) => ui.label(format!("failed: {e}")),
                        (None, Some(v)) => ui.label(format!("{v:.3}")),
                        (None, None) => ui.label("—"),
                    };
                    ui.end_row();
                }
            });
        });
}
