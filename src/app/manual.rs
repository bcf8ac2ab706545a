//! Manual entry: a grid of dates and sales (seven days to start with), validated live by the
//! same ingestion as files, and forecast like a file.

use super::state::Workbench;
use eframe::egui;
use horizon_core::data::{IngestOptions, Report, ingest_csv};
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq)]
pub struct ManualRow {
    pub date: String,
    pub value: String,
}

#[derive(Debug, Clone)]
pub struct ManualGrid {
    pub rows: Vec<ManualRow>,
    /// Report of the last validation of the grid.
    pub report: Report,
}

pub const MANUAL_SOURCE: &str = "manual entry";

impl Default for ManualGrid {
    fn default() -> Self {
        let today = chrono::Local::now().date_naive();
        ManualGrid::starting(today - chrono::Duration::days(7), 7)
    }
}

impl ManualGrid {
    /// `days` consecutive dates from `start`, values empty.
    pub fn starting(start: chrono::NaiveDate, days: usize) -> Self {
        let rows = (0..days)
            .map(|k| ManualRow {
                date: horizon_core::Frequency::Daily.advance(start, k as i64).to_string(),
                value: String::new(),
            })
            .collect();
        let mut g = ManualGrid {
            rows,
            report: Report::new(MANUAL_SOURCE),
        };
        g.validate();
        g
    }

    /// The grid as a CSV file, as ingestion reads it.
    pub fn to_csv(&self) -> String {
        let mut s = String::from("date,sales\n");
        for r in &self.rows {
            s.push_str(&format!(
                "{},{}\n",
                r.date.trim().replace(',', " "),
                r.value.trim().replace(',', ".")
            ));
        }
        s
    }

    /// How the grid is read, for the live check and for the forecast alike: one daily series.
    pub fn options() -> IngestOptions {
        IngestOptions {
            id_columns: Some(vec![]),
            date_column: Some("date".into()),
            value_column: Some("sales".into()),
            season: Some(7),
            ..Default::default()
        }
    }

    pub fn validate(&mut self) {
        self.report = ingest_csv(self.to_csv().as_bytes(), MANUAL_SOURCE, &Self::options()).report;
    }

    /// Add a row dated one day after the last.
    pub fn add_row(&mut self) {
        let next = self
            .rows
            .last()
            .and_then(|r| chrono::NaiveDate::parse_from_str(r.date.trim(), "%Y-%m-%d").ok())
            .and_then(|d| d.succ_opt())
            .map(|d| d.to_string())
            .unwrap_or_default();
        self.rows.push(ManualRow {
            date: next,
            value: String::new(),
        });
        self.validate();
    }
}

pub fn show(wb: &mut Workbench, ui: &mut egui::Ui) {
    let header = egui::CollapsingHeader::new("Enter sales by hand")
        .id_salt("manual")
        .default_open(wb.show_manual);
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
                for (i, row) in wb.manual.rows.iter_mut().enumerate() {
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
            wb.manual.rows.remove(i);
            changed = true;
        }
        if changed {
            wb.manual.validate();
        }
        ui.horizontal(|ui| {
            if ui.button("Add row").clicked() {
                wb.manual.add_row();
            }
            let usable = !wb.manual.report.has_errors();
            if ui
                .add_enabled(usable, egui::Button::new("Forecast these values"))
                .clicked()
            {
                wb.settings.options = ManualGrid::options();
                let csv = wb.manual.to_csv();
                wb.load_bytes(MANUAL_SOURCE.into(), Arc::new(csv.into_bytes()));
            }
        });
        let r = &wb.manual.report;
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
}
