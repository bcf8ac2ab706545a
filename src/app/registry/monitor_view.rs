//! The last check of the data on screen against a registered version: the verdict, its reasons
//! and every series that needs attention (the report `horizon monitor` prints).

use eframe::egui;
use horizon_core::monitor::{MonitorReport, Verdict};

/// Series listed at most.
const ROWS: usize = 40;

pub fn show(r: &MonitorReport, ui: &mut egui::Ui) {
    ui.separator();
    let colour = match r.verdict {
        Verdict::Ok => ui.visuals().text_color(),
        Verdict::Watch => ui.visuals().warn_fg_color,
        Verdict::Retrain => ui.visuals().error_fg_color,
    };
    ui.label(
        egui::RichText::new(format!(
            "Check against {} v{}: {} — {} ok, {} to watch, {} to retrain",
            r.model,
            r.version,
            r.verdict.word(),
            r.counts.ok,
            r.counts.watch,
            r.counts.retrain
        ))
        .strong()
        .color(colour),
    );
    for reason in &r.reasons {
        ui.label(reason);
    }
    let attention: Vec<_> = r.series.iter().filter(|c| c.verdict > Verdict::Ok).collect();
    if attention.is_empty() {
        return;
    }
    egui::Grid::new("monitor_series")
        .striped(true)
        .num_columns(3)
        .show(ui, |ui| {
            for c in attention.iter().take(ROWS) {
                ui.label(&c.label);
                ui.label(c.verdict.word());
                ui.label(c.reasons.first().map(String::as_str).unwrap_or(""))
                    .on_hover_text(c.reasons.join("\n"));
                ui.end_row();
            }
        });
    if attention.len() > ROWS {
        ui.label(format!("… and {} more.", attention.len() - ROWS));
    }
    for n in &r.notes {
        ui.small(n);
    }
}
