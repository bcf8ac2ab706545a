//! Generate sample data: the retail generator's parameters (stores, products, days, trend,
//! seasonality, promotions, noise, seed), a preview of the first series, and Generate, which
//! loads the data like a file (generated off the UI thread).

use super::state::{DataEffect, DataState};
use crate::app::settings::Settings;
use eframe::egui;
use egui_plot::{Line, Plot, PlotPoints};
use horizon_core::data::generate::{RetailParams, retail};

/// Largest panel the workbench generates (rows = stores × products × days).
pub const MAX_ROWS: usize = 2_000_000;

/// The section; Generate asks for the data.
pub fn show(state: &mut DataState, settings: &mut Settings, ui: &mut egui::Ui) -> Option<DataEffect> {
    let mut generate = None;
    egui::CollapsingHeader::new("Generate sample data").show(ui, |ui| {
        let p = &mut settings.sample;
        egui::Grid::new("sample_params").num_columns(2).show(ui, |ui| {
            let row = |ui: &mut egui::Ui, name: &str, add: &mut dyn FnMut(&mut egui::Ui) -> egui::Response| {
                let l = ui.label(name);
                add(ui).labelled_by(l.id);
                ui.end_row();
            };
            row(ui, "Stores", &mut |ui| {
                ui.add(egui::DragValue::new(&mut p.stores).range(1..=50))
            });
            row(ui, "Products", &mut |ui| {
                ui.add(egui::DragValue::new(&mut p.products).range(1..=100))
            });
            row(ui, "Days", &mut |ui| {
                ui.add(egui::DragValue::new(&mut p.days).range(30..=3650))
            });
            row(ui, "Trend per year", &mut |ui| {
                ui.add(egui::DragValue::new(&mut p.trend).range(-0.5..=1.0).speed(0.01))
            });
            row(ui, "Seasonality", &mut |ui| {
                ui.add(egui::DragValue::new(&mut p.seasonality).range(0.0..=1.0).speed(0.01))
            });
            row(ui, "Promotions per month", &mut |ui| {
                ui.add(
                    egui::DragValue::new(&mut p.promo_frequency)
                        .range(0.0..=10.0)
                        .speed(0.05),
                )
            });
            row(ui, "Noise", &mut |ui| {
                ui.add(egui::DragValue::new(&mut p.noise).range(0.0..=1.0).speed(0.01))
            });
            row(ui, "Seed", &mut |ui| ui.add(egui::DragValue::new(&mut p.seed)));
        });
        let rows = p.stores * p.products * p.days;
        ui.label(format!(
            "{} series × {} days = {rows} rows, from {}",
            p.stores * p.products,
            p.days,
            p.start
        ));
        let p = p.clone();
        preview(ui, &p, &mut state.sample_preview);
        let ok = rows <= MAX_ROWS;
        if !ok {
            ui.colored_label(
                ui.visuals().error_fg_color,
                format!("At most {MAX_ROWS} rows: fewer stores, products or days."),
            );
        }
        if ui.add_enabled(ok, egui::Button::new("Generate")).clicked() {
            generate = Some(DataEffect::Generate(p));
        }
    });
    generate
}

/// The first series with these settings (one store, one product), generated again only when
/// the settings change, not every frame.
fn preview(ui: &mut egui::Ui, p: &RetailParams, cache: &mut Option<(RetailParams, Vec<f64>)>) {
    if cache.as_ref().is_none_or(|(q, _)| q != p) {
        let one = RetailParams {
            stores: 1,
            products: 1,
            ..p.clone()
        };
        let values = retail(&one)
            .series
            .first()
            .map(|s| s.values.clone())
            .unwrap_or_default();
        *cache = Some((p.clone(), values));
    }
    let Some((_, values)) = cache.as_ref() else { return };
    let points: PlotPoints = values.iter().enumerate().map(|(i, v)| [i as f64, *v]).collect();
    Plot::new("sample_preview")
        .height(80.0)
        .show_axes([false, true])
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .show(ui, |plot| plot.line(Line::new("first series", points)));
}
