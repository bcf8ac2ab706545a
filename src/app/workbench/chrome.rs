//! The window's chrome around the panels: keyboard shortcuts, the theme picker, the progress
//! bars with their Cancel buttons, and files dropped on the window.

use super::Workbench;
use crate::app::data::DataMsg;
use crate::app::forecast::ForecastEffect;
use crate::app::msg::Msg;
use crate::app::registry::RegistryEffect;
use eframe::egui;

impl Workbench {
    /// Ctrl+O opens a file, Ctrl+Enter runs the forecast, Ctrl+E exports it (Ctrl+Shift+E the
    /// plot as PNG, Ctrl+Shift+H the report page), Ctrl+Shift+S registers the model,
    /// Ctrl+Shift+K checks the data against a registered version (⌘ on a Mac).
    pub(super) fn shortcuts(&mut self, ctx: &egui::Context) {
        use egui::{Key, KeyboardShortcut};
        let pressed =
            |key| ctx.input_mut(|i| i.consume_shortcut(&KeyboardShortcut::new(egui::Modifiers::COMMAND, key)));
        if pressed(Key::O) {
            self.open_dialog();
        }
        if pressed(Key::Enter) && self.panel().is_some() {
            self.run_forecast();
        }
        let picture = KeyboardShortcut::new(egui::Modifiers::COMMAND | egui::Modifiers::SHIFT, Key::E);
        if ctx.input_mut(|i| i.consume_shortcut(&picture)) && self.forecast.exportable() {
            self.forecast_effect(ForecastEffect::ExportPng, Some(ctx));
        }
        let report = KeyboardShortcut::new(egui::Modifiers::COMMAND | egui::Modifiers::SHIFT, Key::H);
        if ctx.input_mut(|i| i.consume_shortcut(&report))
            && let Some(e) = self.forecast.report()
        {
            self.forecast_effect(e, Some(ctx));
        }
        if pressed(Key::E) && self.forecast.exportable() {
            self.forecast_effect(ForecastEffect::Export, Some(ctx));
        }
        if self.presenting && ctx.input(|i| i.key_pressed(Key::Escape)) {
            self.presenting = false;
        }
        let register = KeyboardShortcut::new(egui::Modifiers::COMMAND | egui::Modifiers::SHIFT, Key::S);
        if ctx.input_mut(|i| i.consume_shortcut(&register)) && self.panel().is_some() {
            self.register_current();
        }
        let monitor = KeyboardShortcut::new(egui::Modifiers::COMMAND | egui::Modifiers::SHIFT, Key::K);
        if ctx.input_mut(|i| i.consume_shortcut(&monitor))
            && let Some((name, version)) = self.registry.monitor_target(&self.settings.register_name)
        {
            self.registry_effect(RegistryEffect::Monitor(name, version));
        }
    }

    /// Light, dark or system theme (remembered with the other settings).
    pub(super) fn theme_picker(&mut self, ui: &mut egui::Ui) {
        use egui::ThemePreference::{Dark, Light, System};
        let name = |t: egui::ThemePreference| match t {
            System => "System",
            Light => "Light",
            Dark => "Dark",
        };
        let l = ui.label("Theme");
        egui::ComboBox::from_id_salt("theme")
            .selected_text(name(self.settings.theme))
            .width(80.0)
            .show_ui(ui, |ui| {
                for t in [System, Light, Dark] {
                    ui.selectable_value(&mut self.settings.theme, t, name(t));
                }
            })
            .response
            .labelled_by(l.id);
    }

    /// A bar and a Cancel button per running task.
    pub(super) fn progress_bars(&mut self, ui: &mut egui::Ui) {
        let mut cancel = None;
        for t in self.tasks.running() {
            ui.horizontal(|ui| {
                let text = format!("{} {}/{}", t.what, t.done, t.total);
                ui.add(egui::ProgressBar::new(t.fraction()).desired_width(240.0).text(text));
                let label = format!("Cancel {}", t.what);
                if ui.add_enabled(!t.is_cancelled(), egui::Button::new(label)).clicked() {
                    cancel = Some(t.id);
                }
            });
        }
        if let Some(id) = cancel {
            self.cancel(id);
        }
    }

    pub(super) fn handle_dropped_files(&mut self, ctx: &egui::Context) {
        let dropped = ctx.input(|i| i.raw.dropped_files.clone());
        let Some(file) = dropped.into_iter().next() else { return };
        let name = file.path().display().to_string();
        #[cfg(not(target_arch = "wasm32"))]
        self.tasks.spawn("reading", move || match file.bytes() {
            Ok(bytes) => Msg::Data(DataMsg::Picked(Some((name, bytes)))),
            Err(e) => Msg::Status(format!("cannot read {name}: {e}")),
        });
        #[cfg(target_arch = "wasm32")]
        {
            let reply = self.tasks.reply("reading");
            wasm_bindgen_futures::spawn_local(async move {
                let msg = match file.bytes_async().await {
                    Ok(bytes) => Msg::Data(DataMsg::Picked(Some((name, bytes)))),
                    Err(e) => Msg::Status(format!("cannot read {name}: {e}")),
                };
                reply.send(msg);
            });
        }
    }
}
