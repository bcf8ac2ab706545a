//! The "Compare models" section: which models, Run comparison, the table of mean backtest
//! metrics, a bar chart of MASE, the export, and the backtests on the plot.

use super::state::{CompareEffect, CompareState, Comparison, FOLDS};
use crate::app::settings::Settings;
use eframe::egui;
use egui_plot::{Bar, BarChart, Plot};
use horizon_core::ModelSpec;

/// The "Compare models" section: which models, run, table, bar chart, export.
/// `selected`: the label of the series picked; `can_run`: there is data to compare on.
pub fn show(
    state: &mut CompareState,
    settings: &mut Settings,
    selected: Option<&str>,
    can_run: bool,
    ui: &mut egui::Ui,
) -> Option<CompareEffect> {
    let mut effect = None;
    egui::CollapsingHeader::new("Compare models").show(ui, |ui| {
        ui.horizontal_wrapped(|ui| {
            for spec in ModelSpec::all() {
                let mut on = settings.compare.contains(&spec);
                if ui.checkbox(&mut on, format!("Compare {}", spec.name())).changed() {
                    if on {
                        settings.compare.push(spec);
                    } else {
                        settings.compare.retain(|s| s != &spec);
                    }
                }
            }
        });
        ui.horizontal(|ui| {
            let can_run = can_run && !settings.compare.is_empty();
            if ui
                .add_enabled(can_run, egui::Button::new("Run comparison"))
                .on_hover_text(format!(
                    "Backtest each ticked model on the selected series: {FOLDS} rolling origins of the horizon"
                ))
                .clicked()
            {
                effect = Some(CompareEffect::Run);
            }
            if ui
                .add_enabled(
                    state.current(selected).is_some(),
                    egui::Button::new("Export comparison CSV"),
                )
                .clicked()
            {
                effect = Some(CompareEffect::Export);
            }
        });
        // A comparison of another series (the selection changed since) is not shown.
        if let Some(c) = state.current(selected) {
            table(ui, c);
            ui.checkbox(&mut state.show_backtests, "Show backtest forecasts on the plot")
                .on_hover_text("Each compared model's forecasts from the backtest origins, dashed, over the history");
        }
    });
    effect
}

fn table(ui: &mut egui::Ui, c: &Comparison) {
    ui.label(format!(
        "{}: {FOLDS} folds of {} steps. Best by MASE: {}",
        c.series,
        c.horizon,
        c.best.as_deref().unwrap_or("none")
    ));
    egui::Grid::new("comparison").striped(true).show(ui, |ui| {
        for head in ["model", "folds", "MASE", "sMAPE", "RMSE", "MAPE", "coverage"] {
            ui.strong(head);
        }
        ui.end_row();
        for r in &c.rows {
            ui.label(&r.model);
            ui.label(format!("{}/{}", r.n_ok, r.n));
            for v in [r.mase, r.smape, r.rmse, r.mape] {
                ui.label(if v.is_finite() { format!("{v:.3}") } else { "—".into() });
            }
            ui.label(if r.coverage.is_finite() {
                format!("{:.0}%", 100.0 * r.coverage)
            } else {
                "—".into()
            });
            ui.end_row();
        }
    });
    let bars: Vec<Bar> = c
        .rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.mase.is_finite())
        .map(|(i, r)| Bar::new(i as f64, r.mase).name(&r.model).width(0.6))
        .collect();
    let names: Vec<String> = c.rows.iter().map(|r| r.model.clone()).collect();
    Plot::new("comparison_bars")
        .height(110.0)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .y_axis_label("MASE")
        .x_axis_formatter(move |mark, _| {
            let i = mark.value.round();
            if (mark.value - i).abs() < 1e-6 && i >= 0.0 {
                names.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .show(ui, |plot| plot.bar_chart(BarChart::new("MASE", bars)));
}
