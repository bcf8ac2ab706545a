//! Registry panel: the registry's models, versions, aliases, metrics and runs; load a version
//! into the Forecast panel; promote and roll back, each after a confirmation; switch between
//! the local registry and an MLflow server.

use super::state::{Pending, RegistryEffect, RegistryState};
use crate::app::settings::Settings;
use eframe::egui;

/// The panel; `can_register`: there is data to train on.
pub fn show(
    state: &mut RegistryState,
    settings: &mut Settings,
    can_register: bool,
    ui: &mut egui::Ui,
) -> Vec<RegistryEffect> {
    let mut effects = Vec::new();
    ui.heading("Registry");
    ui.horizontal(|ui| {
        let l = ui.label("Registry location");
        ui.add(
            egui::TextEdit::singleline(&mut settings.registry)
                .hint_text(if cfg!(target_arch = "wasm32") {
                    "local, or http://127.0.0.1:5000"
                } else {
                    "local, a folder, or http://mlflow:5000"
                })
                .desired_width(180.0),
        )
        .labelled_by(l.id)
        .on_hover_text("Empty or 'local': your own registry on this computer. An http:// address: an MLflow server (user and password from MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD).")
        .changed()
        .then(|| {
            // What was listed belongs to the old registry: never act on it against the new one.
            *state = RegistryState::default();
        });
    });
    ui.horizontal(|ui| {
        let l = ui.label("Timeout (s)");
        ui.add(egui::DragValue::new(&mut settings.registry_timeout_secs).range(0.5..=120.0))
            .labelled_by(l.id)
            .on_hover_text("How long a call to an MLflow server may take before it is reported as not answering");
    });
    if ui.button("Refresh registry").clicked() {
        effects.push(RegistryEffect::Refresh);
    }
    ui.horizontal(|ui| {
        let l = ui.label("Register as");
        ui.add(egui::TextEdit::singleline(&mut settings.register_name).desired_width(110.0))
            .labelled_by(l.id);
        if ui
            .add_enabled(can_register, egui::Button::new("Register current model"))
            .on_hover_text(
                "Train the model chosen in the Forecast panel on every series, score it on a 3-fold \
                 backtest, and register it as the next version of this name (Ctrl+Shift+S)",
            )
            .clicked()
        {
            effects.push(RegistryEffect::RegisterCurrent);
        }
    });
    if let Some(e) = &state.error {
        ui.colored_label(ui.visuals().error_fg_color, format!("Registry: {e}"));
        ui.label("Forecasting with your own models and files goes on as usual.");
    }
    if let Some(o) = &state.outcome {
        ui.label(o);
    }
    let Some(models) = state.models.clone() else {
        ui.label("Press Refresh registry to list the registered models.");
        return effects;
    };
    if models.is_empty() {
        ui.label(
            "No registered models yet: press Register current model, or train one with \
             `horizon train --config pipeline.toml`.",
        );
    }
    for m in &models {
        egui::CollapsingHeader::new(&m.name).default_open(true).show(ui, |ui| {
            if !m.aliases.is_empty() {
                let aliases: Vec<String> = m.aliases.iter().map(|(a, v)| format!("@{a} = v{v}")).collect();
                ui.label(aliases.join("  "));
            }
            for v in m.versions.iter().rev() {
                let model = v.tags.get("horizon.model").map(String::as_str).unwrap_or("?");
                let mut text = format!("{} v{} · {model}", m.name, v.version);
                if !v.aliases.is_empty() {
                    text.push_str(&format!(" · {}", v.aliases.join(", ")));
                }
                let selected = state.selected == Some((m.name.clone(), v.version));
                if ui.selectable_label(selected, text).clicked() {
                    effects.push(RegistryEffect::Select(m.name.clone(), v.version));
                }
            }
            if m.aliases.contains_key("champion") && ui.button(format!("Roll back {} champion…", m.name)).clicked() {
                state.pending = Some(Pending::Rollback { name: m.name.clone() });
            }
        });
    }
    if let Some(d) = state.details.clone() {
        ui.separator();
        let (name, version) = (d.version.name.clone(), d.version.version);
        ui.label(egui::RichText::new(format!("{name} version {version}")).strong());
        ui.label(&d.model);
        ui.label(format!("Trained {}", d.trained));
        egui::Grid::new("registry_metrics").striped(true).show(ui, |ui| {
            for k in ["rmse", "mase", "smape", "coverage95"] {
                if let Some(v) = d.metrics.get(k) {
                    ui.label(k);
                    ui.label(format!("{v:.3}"));
                    ui.end_row();
                }
            }
        });
        if let Some(run) = &d.run {
            ui.label(format!(
                "Run {} ({} params, {} metrics)",
                run.run_id,
                run.params.len(),
                run.metrics.len()
            ))
            .on_hover_text(
                run.params
                    .iter()
                    .map(|(k, v)| format!("{k} = {v}"))
                    .collect::<Vec<_>>()
                    .join("\n"),
            );
        }
        for (k, v) in d
            .version
            .tags
            .iter()
            .filter(|(k, _)| k.starts_with("horizon.promotion."))
        {
            ui.small(format!("{} = {v}", k.trim_start_matches("horizon.promotion.")));
        }
        ui.horizontal(|ui| {
            if ui.button("Use for forecast").clicked() {
                effects.push(RegistryEffect::Load(name.clone(), version));
            }
            if ui
                .button("Check current data")
                .on_hover_text(
                    "Compare the data on screen with what this version was trained on: level, trend, spread, \
                     weekly pattern, distribution and zeros of every series' days after its training data, \
                     and a verdict per series (ok, watch, retrain) (Ctrl+Shift+K). `horizon monitor` does the \
                     same with the logged forecasts' accuracy",
                )
                .clicked()
            {
                effects.push(RegistryEffect::Monitor(name.clone(), version));
            }
            if ui.button("Promote to champion…").clicked() {
                state.pending = Some(Pending::Promote { name, version });
            }
        });
    }
    if let Some(r) = &state.monitor {
        super::monitor_view::show(r, ui);
    }
    effects.extend(confirm(state, ui));
    effects
}

/// The confirmation of a pending promotion or rollback.
fn confirm(state: &mut RegistryState, ui: &mut egui::Ui) -> Option<RegistryEffect> {
    let p = state.pending.clone()?;
    let text = match &p {
        Pending::Promote { name, version } => format!(
            "Promote {name} version {version} to champion? Both are scored on the hold-out of the loaded data, the \
             way version {version} was scored when trained (same folds, horizon and metric), and it is promoted only \
             if its score is at least 10 % better."
        ),
        Pending::Rollback { name } => {
            format!("Move {name}@champion back to the version it pointed at before?")
        }
    };
    let mut answer = None;
    egui::Window::new("Please confirm")
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
        .show(ui.ctx(), |ui| {
            ui.label(text);
            ui.horizontal(|ui| {
                if ui.button("Confirm").clicked() {
                    answer = Some(true);
                }
                if ui.button("Cancel").clicked() {
                    answer = Some(false);
                }
            });
        });
    match answer {
        Some(true) => {
            state.pending = None;
            Some(RegistryEffect::Run(p))
        }
        Some(false) => {
            state.pending = None;
            None
        }
        None => None,
    }
}
