//! Forecast panel: model, horizon and interval levels; the plot; the model's description;
//! export.

use super::state::{ForecastEffect, ForecastState};
use crate::app::settings::Settings;
use eframe::egui;
use horizon_core::ModelSpec;
use horizon_core::data::Panel;
use horizon_core::export::SeriesForecast;
use horizon_core::models::arima::Arima;
use horizon_core::models::gbm::{GbmSpec, Tuning};

pub const LEVEL_CHOICES: [f64; 4] = [80.0, 90.0, 95.0, 99.0];

/// The model, horizon and levels, Run and the exports; `panel` is the data (if any).
pub fn controls(
    state: &ForecastState,
    settings: &mut Settings,
    panel: Option<&Panel>,
    ui: &mut egui::Ui,
) -> Vec<ForecastEffect> {
    let mut effects = Vec::new();
    if let Some(r) = &state.registered {
        let text = format!("Model: registered {} ({})", r.label, r.artifact.spec);
        ui.horizontal(|ui| {
            ui.label(egui::RichText::new(text).strong());
            if ui.button("Use own model").clicked() {
                effects.push(ForecastEffect::UseOwnModel);
            }
        });
    }
    ui.horizontal_wrapped(|ui| {
        let l = ui.label("Model");
        let mut base = settings.model.uncalibrated().clone();
        let mut calibrated = base != settings.model;
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
        arima_orders(ui, &mut base);
        if calibrated {
            // Calibration refits the model many times: no search inside it.
            if let ModelSpec::Gbm(g) = &mut base {
                g.tune = None;
            }
        } else {
            gbm_tuning(ui, &mut base);
        }
        settings.model = if calibrated { base.calibrated() } else { base };
        season(ui, settings, panel);
        let l = ui.label("Horizon");
        ui.add(egui::DragValue::new(&mut settings.horizon).range(1..=1000))
            .labelled_by(l.id);
        ui.label("Levels:");
        for level in LEVEL_CHOICES {
            let mut on = settings.levels.contains(&level);
            if ui.checkbox(&mut on, format!("{level}%")).changed() {
                if on {
                    settings.levels.push(level);
                    settings.levels.sort_by(f64::total_cmp);
                } else if settings.levels.len() > 1 {
                    settings.levels.retain(|l| *l != level);
                }
            }
        }
        let can_run = panel.is_some();
        if ui
            .add_enabled(can_run, egui::Button::new("Run forecast"))
            .on_hover_text("Ctrl+Enter")
            .clicked()
        {
            effects.push(ForecastEffect::Run);
        }
        // Not the quick forecast shown while Auto still compares models.
        let can_export = state.exportable();
        if ui
            .add_enabled(can_export, egui::Button::new("Export CSV"))
            .on_hover_text("Ctrl+E")
            .clicked()
        {
            effects.push(ForecastEffect::Export);
        }
        if ui
            .add_enabled(can_export, egui::Button::new("Export PNG"))
            .on_hover_text("The plot as a picture for slides (Ctrl+Shift+E)")
            .clicked()
        {
            effects.push(ForecastEffect::ExportPng);
        }
        if ui
            .add_enabled(can_export, egui::Button::new("Export report"))
            .on_hover_text(
                "One HTML file to hand over: the headline, the plot, how the forecast was made, the table (Ctrl+Shift+H)",
            )
            .clicked()
            && let Some(e) = state.report()
        {
            effects.push(e);
        }
    });
    effects
}

/// The forecast on screen, plot first: the headline in plain words and which model is on
/// screen, the plot with the kept forecasts and the `backtests` to overlay, Keep and Clear,
/// and the model's internals in a collapsed *Model details*. `presenting`: larger text and
/// the plot alone, for a projector.
pub fn result(
    state: &mut ForecastState,
    settings: &mut Settings,
    backtests: &[SeriesForecast],
    presenting: bool,
    ui: &mut egui::Ui,
) {
    let (mut keep, mut clear) = (false, false);
    let mut whole = settings.whole_history;
    match &state.result {
        Some(r) => {
            headline(ui, r, presenting);
            let mut shown: Vec<_> = state
                .kept
                .iter()
                // The current forecast is drawn as such, not again as a kept one.
                .filter(|k| !(k.dates == r.forecast.dates && k.forecast == r.forecast.forecast))
                .cloned()
                .collect();
            // A plan's forecast is drawn over the one without it.
            shown.extend(r.baseline_forecast());
            // Below the plot: the Keep row and the Model details header (when not presenting).
            let below = if presenting { 8.0 } else { 64.0 };
            let rect = super::plot::show(
                ui,
                r,
                super::plot::Overlays {
                    kept: &shown,
                    backtests,
                },
                (whole, state.decimate),
                ui.available_height() - below,
            );
            state.plot_rect = Some(rect);
            if !presenting {
                ui.horizontal(|ui| {
                    let kept = state.is_kept(&r.forecast);
                    if ui
                        .add_enabled(!kept, egui::Button::new("Keep on plot"))
                        .on_hover_text("Keep this forecast on the plot and compare the next model's with it")
                        .clicked()
                    {
                        keep = true;
                    }
                    if ui
                        .add_enabled(!state.kept.is_empty(), egui::Button::new("Clear kept forecasts"))
                        .clicked()
                    {
                        clear = true;
                    }
                    ui.checkbox(&mut whole, "Whole history")
                        .on_hover_text("Start the plot on the whole history instead of the recent past");
                });
                egui::CollapsingHeader::new("Model details")
                    .id_salt("model_details")
                    .default_open(false)
                    .show(ui, |ui| {
                        ui.label(&r.description);
                        candidates(ui, &r.candidates);
                        ui.small(format!(
                            "{} Fitted and forecast in {:.0} ms.",
                            r.season_note, r.elapsed_ms
                        ));
                    });
            }
        }
        None => {
            ui.label("No forecast yet: load data and press Run forecast.");
        }
    }
    settings.whole_history = whole;
    if keep {
        state.keep();
    }
    if clear {
        state.kept.clear();
    }
}

/// Which forecast and model are on screen, then the headline's sentences.
fn headline(ui: &mut egui::Ui, r: &super::view::ResultView, presenting: bool) {
    let (title, body) = if presenting { (28.0, 22.0) } else { (18.0, 15.0) };
    let name = r.totals.as_ref().map_or_else(|| r.history.label(), |t| t.title.clone());
    ui.label(
        egui::RichText::new(format!("{name} — sales forecast"))
            .size(title)
            .strong(),
    );
    if let Some(h) = r.headline() {
        for line in h.lines() {
            ui.label(egui::RichText::new(line).size(body));
        }
    }
    for note in r.notes() {
        ui.label(egui::RichText::new(note).size(body - 1.0));
    }
    let model = match &r.candidates {
        _ if r.quick => format!(
            "On screen: a quick {} forecast — Auto is still comparing models and will replace it.",
            r.forecast.model
        ),
        Some((chosen, table)) if table.is_empty() => {
            format!("Model: {chosen} (the series is too short for Auto to compare models on it).")
        }
        Some((chosen, table)) => format!(
            "Model: {chosen}, chosen by Auto among {} candidates by their backtest error.",
            table.len()
        ),
        None => format!("Model: {}.", r.forecast.model),
    };
    ui.label(egui::RichText::new(model).size(body - 2.0).weak());
}

/// Auto's choice explained: each candidate's backtest MASE, the chosen one first.
fn candidates(ui: &mut egui::Ui, choice: &super::view::AutoChoice) {
    let Some((chosen, table)) = choice else { return };
    egui::CollapsingHeader::new("Auto: candidates and their backtest MASE")
        .default_open(true)
        .id_salt("auto_candidates_section")
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

/// The season the models use: the data's calendar season ("auto") or one the user gives.
fn season(ui: &mut egui::Ui, settings: &mut Settings, panel: Option<&Panel>) {
    let l = ui.label("Season");
    let mut auto = settings.season.is_none();
    ui.checkbox(&mut auto, "auto").on_hover_text(
        "The calendar's season: 7 for daily data, 52 weekly, 12 monthly, 4 quarterly; untick to give another",
    );
    if auto {
        settings.season = None;
    } else {
        let usual = panel.map_or(7, |p| p.freq.default_season());
        let mut m = settings.season.unwrap_or(usual);
        ui.add(egui::DragValue::new(&mut m).range(1..=400)).labelled_by(l.id);
        settings.season = Some(m);
    }
}

/// ARIMA's orders, chosen by the stepwise search unless the user pins them.
fn arima_orders(ui: &mut egui::Ui, spec: &mut ModelSpec) {
    let ModelSpec::Arima(Arima {
        order, seasonal_order, ..
    }) = spec
    else {
        return;
    };
    let mut pin = order.is_some();
    ui.checkbox(&mut pin, "Pin orders")
        .on_hover_text("Give (p,d,q)(P,D,Q) instead of the automatic search, e.g. (1,1,1)(0,1,1) on weekly sales");
    if !pin {
        *order = None;
        *seasonal_order = None;
        return;
    }
    let o = order.get_or_insert([1, 1, 1]);
    for (k, name) in ["p", "d", "q"].into_iter().enumerate() {
        let l = ui.label(name);
        ui.add(egui::DragValue::new(&mut o[k]).range(0..=5)).labelled_by(l.id);
    }
    let so = seasonal_order.get_or_insert([0, 1, 1]);
    for (k, name) in ["P", "D", "Q"].into_iter().enumerate() {
        let l = ui.label(name);
        ui.add(egui::DragValue::new(&mut so[k]).range(0..=2)).labelled_by(l.id);
    }
}

/// The GBM's parameter search: off, or a number of trials and a time limit.
fn gbm_tuning(ui: &mut egui::Ui, spec: &mut ModelSpec) {
    let ModelSpec::Gbm(GbmSpec { tune, .. }) = spec else {
        return;
    };
    let mut on = tune.is_some();
    ui.checkbox(&mut on, "Tune parameters").on_hover_text(
        "Search the trees' settings (learning rate, leaves, leaf size, L2, feature and row sampling) \
         with a TPE sampler and median pruning before fitting; the defaults are the first trial",
    );
    if !on {
        *tune = None;
        return;
    }
    let t = tune.get_or_insert(Tuning {
        trials: 20,
        seconds: Some(120),
    });
    let l = ui.label("Trials");
    ui.add(egui::DragValue::new(&mut t.trials).range(2..=500))
        .labelled_by(l.id);
    let l = ui.label("Time limit (s)");
    let mut secs = t.seconds.unwrap_or(120);
    ui.add(egui::DragValue::new(&mut secs).range(5..=3600))
        .labelled_by(l.id);
    t.seconds = Some(secs);
}
