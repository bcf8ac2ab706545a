//! Compare models on the selected series: a rolling-origin backtest of each chosen model (the
//! core's `backtest_panel`, run off the UI thread), shown as a table of mean metrics and a bar
//! chart of MASE, and exported as CSV under a timestamped name.

use super::jobs::{Step, Task};
use super::state::{Msg, Workbench, timestamped_file_name};
use eframe::egui;
use egui_plot::{Bar, BarChart, Plot};
use horizon_core::ModelSpec;
use horizon_core::data::Panel;
use horizon_core::eval::{BacktestConfig, BacktestResult, ModelSummary, backtest_panel};
use horizon_core::export::{SeriesForecast, comparison_csv};

/// Backtest folds of a comparison.
pub const FOLDS: usize = 3;

/// The result of a comparison, for one series.
#[derive(Debug, Clone)]
pub struct Comparison {
    pub series: String,
    pub horizon: usize,
    pub rows: Vec<ModelSummary>,
    pub best: Option<String>,
    /// Every model's forecast at every backtest origin, to show on the plot on demand.
    pub backtests: Vec<SeriesForecast>,
}

impl Workbench {
    /// Backtest every model to compare on the selected series, off the UI thread.
    pub fn run_comparison(&mut self) {
        let Some(panel) = self.panel().cloned() else {
            self.status = "Load a file without errors first.".into();
            return;
        };
        let Some(series) = panel.series.get(self.selected).cloned() else {
            return;
        };
        let models = self.settings.compare.clone();
        if models.is_empty() {
            self.status = "Tick at least one model to compare.".into();
            return;
        }
        let horizon = self.settings.horizon;
        // Only the selected series: the rest of the panel (possibly millions of rows) is not copied.
        let one = Panel {
            id_columns: panel.id_columns.clone(),
            date_column: panel.date_column.clone(),
            value_column: panel.value_column.clone(),
            exog_columns: panel.exog_columns.clone(),
            freq: panel.freq,
            series: vec![series.clone()],
        };
        self.status = format!("Comparing {} model(s) on {}…", models.len(), series.label());
        self.compare_gen += 1;
        let task = CompareTask {
            generation: self.compare_gen,
            one,
            series: series.label(),
            cfg: BacktestConfig {
                horizon,
                folds: FOLDS,
                ..BacktestConfig::default()
            },
            models,
            result: None,
        };
        self.start("comparison", Box::new(task));
    }

    /// The last comparison, if it is of the series selected now.
    pub fn current_comparison(&self) -> Option<&Comparison> {
        let selected = self.panel()?.series.get(self.selected)?.label();
        self.comparison.as_ref().filter(|c| c.series == selected)
    }

    /// Hand the comparison table to the platform as `comparison_<series>_<time>.csv`.
    pub fn export_comparison(&mut self) {
        let Some(c) = self.current_comparison() else { return };
        let name = timestamped_file_name("comparison", &c.series, "csv", chrono::Local::now().naive_local());
        let csv = comparison_csv(&c.series, &c.rows);
        self.save(name, csv.into_bytes());
    }
}

/// A comparison in steps: one model's backtest per step, so the browser draws (and the user
/// can cancel) between models.
struct CompareTask {
    generation: u64,
    one: Panel,
    series: String,
    cfg: BacktestConfig,
    models: Vec<ModelSpec>,
    /// The backtests of the models done so far.
    result: Option<BacktestResult>,
}

impl Task for CompareTask {
    fn step(&mut self) -> Step {
        let done = self.result.as_ref().map_or(0, |r| r.summary.len());
        let Some(spec) = self.models.get(done) else {
            return Step::Done(self.finish());
        };
        match backtest_panel(&self.one, std::slice::from_ref(spec), &self.cfg) {
            Ok(r) => match &mut self.result {
                None => self.result = Some(r),
                Some(all) => {
                    all.folds.extend(r.folds);
                    all.summary.extend(r.summary);
                }
            },
            Err(e) => return Step::Done(Msg::Compared(self.generation, Err(e.to_string()))),
        }
        if done + 1 == self.models.len() {
            Step::Done(self.finish())
        } else {
            Step::More {
                done: done + 1,
                total: self.models.len(),
            }
        }
    }
}

impl CompareTask {
    fn finish(&mut self) -> Msg {
        let result = self
            .result
            .take()
            .map(|r| {
                let backtests = self.one.series.first().map_or_else(Vec::new, |s| {
                    r.folds
                        .iter()
                        .filter_map(|f| {
                            let forecast = f.forecast.clone()?;
                            let start = s.dates.iter().position(|d| *d == f.origin)?;
                            let dates = s.dates.get(start..start + forecast.point.len())?.to_vec();
                            Some(SeriesForecast {
                                key: s.key.clone(),
                                model: f.model.clone(),
                                dates,
                                forecast,
                            })
                        })
                        .collect()
                });
                Box::new(Comparison {
                    series: self.series.clone(),
                    horizon: self.cfg.horizon,
                    best: r.best().map(|b| b.model.clone()),
                    rows: r.summary,
                    backtests,
                })
            })
            .ok_or_else(|| "no model to compare".to_string());
        Msg::Compared(self.generation, result)
    }
}

/// The "Compare models" section: which models, run, table, bar chart, export.
pub fn show(wb: &mut Workbench, ui: &mut egui::Ui) {
    egui::CollapsingHeader::new("Compare models").show(ui, |ui| {
        ui.horizontal_wrapped(|ui| {
            for spec in ModelSpec::all() {
                let mut on = wb.settings.compare.contains(&spec);
                if ui.checkbox(&mut on, format!("Compare {}", spec.name())).changed() {
                    if on {
                        wb.settings.compare.push(spec);
                    } else {
                        wb.settings.compare.retain(|s| s != &spec);
                    }
                }
            }
        });
        ui.horizontal(|ui| {
            let can_run = wb.panel().is_some() && !wb.settings.compare.is_empty();
            if ui
                .add_enabled(can_run, egui::Button::new("Run comparison"))
                .on_hover_text(format!(
                    "Backtest each ticked model on the selected series: {FOLDS} rolling origins of the horizon"
                ))
                .clicked()
            {
                wb.run_comparison();
            }
            if ui
                .add_enabled(
                    wb.current_comparison().is_some(),
                    egui::Button::new("Export comparison CSV"),
                )
                .clicked()
            {
                wb.export_comparison();
            }
        });
        // A comparison of another series (the selection changed since) is not shown.
        if let Some(c) = wb.current_comparison() {
            table(ui, c);
            ui.checkbox(&mut wb.show_backtests, "Show backtest forecasts on the plot")
                .on_hover_text("Each compared model's forecasts from the backtest origins, dashed, over the history");
        }
    });
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
