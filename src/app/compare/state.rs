//! The Compare feature's state: the last comparison, its messages and its task (one model's
//! backtest per step).

use crate::app::files::timestamped_file_name;
use crate::app::jobs::{Step, Task};
use crate::app::settings::Settings;
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

/// What the Compare feature's work hands back: a comparison; the number is the request it
/// answers (older ones are dropped).
pub enum CompareMsg {
    Compared(u64, Result<Box<Comparison>, String>),
}

/// What the Compare panel asks of the workbench.
pub enum CompareEffect {
    Run,
    Export,
}

/// A comparison to run: what the status line says, and the task.
pub type Started = (String, Box<dyn Task<CompareMsg>>);

/// The Compare feature's state.
#[derive(Default)]
pub struct CompareState {
    /// The last model comparison.
    pub comparison: Option<Comparison>,
    /// Draw the comparison's backtest forecasts on the plot.
    pub show_backtests: bool,
    /// Comparison requests so far: a result is applied only if it answers the latest.
    compare_gen: u64,
}

impl CompareState {
    /// Backtest every model to compare on series `index` of `panel`: the status line and the
    /// task, or why not.
    pub fn start(&mut self, panel: &Panel, index: usize, settings: &Settings) -> Result<Started, Option<String>> {
        let series = panel.series.get(index).cloned().ok_or(None)?;
        let models = settings.compare.clone();
        if models.is_empty() {
            return Err(Some("Tick at least one model to compare.".into()));
        }
        // Only the selected series: the rest of the panel (possibly millions of rows) is not copied.
        let one = Panel {
            id_columns: panel.id_columns.clone(),
            date_column: panel.date_column.clone(),
            value_column: panel.value_column.clone(),
            exog_columns: panel.exog_columns.clone(),
            freq: panel.freq,
            series: vec![series.clone()],
        };
        let status = format!("Comparing {} model(s) on {}…", models.len(), series.label());
        self.compare_gen += 1;
        let task = CompareTask {
            generation: self.compare_gen,
            one,
            series: series.label(),
            cfg: BacktestConfig {
                horizon: settings.horizon,
                folds: FOLDS,
                ..BacktestConfig::default()
            },
            models,
            result: None,
        };
        Ok((status, Box::new(task)))
    }

    /// The last comparison, if it is of the series labelled `selected`.
    pub fn current(&self, selected: Option<&str>) -> Option<&Comparison> {
        let selected = selected?;
        self.comparison.as_ref().filter(|c| c.series == selected)
    }

    /// The comparison table of series `selected` as `comparison_<series>_<time>.csv`.
    pub fn export(&self, selected: Option<&str>) -> Option<(String, Vec<u8>)> {
        let c = self.current(selected)?;
        let name = timestamped_file_name("comparison", &c.series, "csv", chrono::Local::now().naive_local());
        Some((name, comparison_csv(&c.series, &c.rows).into_bytes()))
    }

    /// A comparison of other data (or one still running) is dropped.
    pub fn clear(&mut self) {
        self.comparison = None;
        self.compare_gen += 1;
    }

    /// Apply a finished comparison: the status line to show, if any.
    pub fn apply(&mut self, msg: CompareMsg) -> Option<String> {
        match msg {
            CompareMsg::Compared(generation, _) if generation != self.compare_gen => None,
            CompareMsg::Compared(_, Ok(c)) => {
                let status = format!("Comparison on {} ready.", c.series);
                self.comparison = Some(*c);
                Some(status)
            }
            CompareMsg::Compared(_, Err(e)) => Some(format!("Cannot compare: {e}")),
        }
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

impl Task<CompareMsg> for CompareTask {
    fn step(&mut self) -> Step<CompareMsg> {
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
            Err(e) => return Step::Done(CompareMsg::Compared(self.generation, Err(e.to_string()))),
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
    fn finish(&mut self) -> CompareMsg {
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
        CompareMsg::Compared(self.generation, result)
    }
}
