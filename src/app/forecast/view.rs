//! What a forecast hands back: the view of the selected series' forecast (with a level of the
//! totals, what it is made of), and the Forecast feature's messages.

use eframe::egui;
use horizon_core::Panel;
use horizon_core::data::Series;
use horizon_core::export::SeriesForecast;
use horizon_core::models::auto::CandidateScore;
use horizon_core::reconcile::Choice;
use std::sync::Arc;

/// Auto's chosen model and every candidate's backtest score (`None` for other models).
pub type AutoChoice = Option<(String, Vec<CandidateScore>)>;

/// A forecast of the selected series, ready to plot and export.
#[derive(Debug, Clone)]
pub struct ResultView {
    pub history: Series,
    pub forecast: SeriesForecast,
    pub description: String,
    /// Auto's chosen model and its candidates with their backtest scores, best first.
    pub candidates: AutoChoice,
    /// Which calendar seasons the series has (detected, not assumed).
    pub season_note: String,
    pub id_columns: Vec<String>,
    /// How long fitting and forecasting took (wall clock, milliseconds).
    pub elapsed_ms: f64,
    /// A quick first forecast (ETS) shown while Auto still compares its candidates.
    pub quick: bool,
    /// The model's mean absolute error per period in its backtest (Auto's, or one run for the
    /// model picked); `None` until measured or when it cannot be.
    pub backtest_mae: Option<f64>,
    /// A level of the totals: how they add up and this level's parts.
    pub totals: Option<TotalsView>,
    /// With a what-if plan: the forecast without it (`forecast` is the one with it).
    pub baseline: Option<horizon_core::Forecast>,
    /// What of the plan could not be applied, in words.
    pub plan_notes: Vec<String>,
}

impl ResultView {
    /// The forecast in plain words, at the widest level shown.
    pub fn headline(&self) -> Option<horizon_core::headline::Headline> {
        let level = self.forecast.forecast.widest_level();
        horizon_core::headline::Headline::new(&self.history, &self.forecast, level, self.backtest_mae)
    }

    /// The sentences after the headline: what a total is made of, the plan's uplift, the plan.
    pub fn notes(&self) -> Vec<String> {
        let mut notes: Vec<String> = self.totals.iter().map(|t| t.sentence(self)).collect();
        notes.extend(self.uplift().map(|u| u.line()));
        notes.extend(self.plan_notes.iter().cloned());
        notes
    }

    /// The plan's uplift over the forecast without it, at the widest level shown.
    pub fn uplift(&self) -> Option<horizon_core::headline::Uplift> {
        let level = self.forecast.forecast.widest_level();
        let base = self.baseline.as_ref()?;
        Some(horizon_core::headline::Uplift::new(
            &self.forecast.forecast,
            base,
            level,
        ))
    }

    /// The forecast without the plan, as a line (no bands) to draw next to the one with it.
    pub fn baseline_forecast(&self) -> Option<horizon_core::export::SeriesForecast> {
        let point = self.baseline.as_ref()?.point.clone();
        Some(horizon_core::export::SeriesForecast {
            model: "without the plan".into(),
            forecast: horizon_core::Forecast {
                point,
                intervals: Vec::new(),
            },
            ..self.forecast.clone()
        })
    }
}

/// What the Forecast feature's work hands back.
pub enum ForecastMsg {
    /// A forecast; the number is the forecast request it answers (older ones are dropped).
    Forecasted(u64, Result<Box<ResultView>, String>),
    /// The quick first forecast of request `u64` could not be made (Auto's will follow).
    QuickFailed(u64),
    /// The backtest error per period of the model of forecast request `u64` (None: it failed).
    Accuracy(u64, Option<f64>),
    /// Every level forecast and reconciled, for the totals request `u64`, and how long it took (ms).
    Totals(
        u64,
        TotalsKey,
        Result<Arc<horizon_core::reconcile::Reconciled>, String>,
        f64,
    ),
    /// The window's pixels, for the PNG export.
    Screenshot(Arc<egui::ColorImage>),
    /// The plot as PNG bytes, to save under this name.
    Picture(String, Result<Vec<u8>, String>),
}

/// What a reconciled set answers: the same data, model, horizon, levels and method give the
/// same forecasts.
#[derive(Debug, Clone, PartialEq)]
pub struct TotalsKey {
    /// The loaded panel (its address: new data is a new panel).
    pub data: usize,
    pub model: String,
    pub horizon: usize,
    pub levels: Vec<u64>,
    pub choice: String,
}

impl TotalsKey {
    pub fn new(panel: &Arc<Panel>, model: String, horizon: usize, levels: &[f64], choice: Choice) -> TotalsKey {
        TotalsKey {
            data: Arc::as_ptr(panel) as usize,
            model,
            horizon,
            levels: levels.iter().map(|l| l.to_bits()).collect(),
            choice: choice.to_string(),
        }
    }
}

/// One level's share of the horizon: its label and its expected sales over the horizon.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    pub label: String,
    pub expected: f64,
}

/// How a total on screen was made and what it is made of.
#[derive(Debug, Clone, PartialEq)]
pub struct TotalsView {
    /// The level's name ("Total", "S01 (all product_id)").
    pub title: String,
    /// How the levels were made to add up, in plain words.
    pub how: String,
    /// The node's parts one level down (none for a lowest-level series).
    pub parts: Vec<Part>,
}

impl TotalsView {
    /// "Made of S01: 410 + S02: 267 (the parts add up to the total)." or how it adds up.
    pub fn sentence(&self, r: &ResultView) -> String {
        if self.parts.is_empty() {
            return self.how.clone();
        }
        let people = horizon_core::headline::people;
        let parts: Vec<String> = self
            .parts
            .iter()
            .map(|p| format!("{} {}", p.label, people(p.expected)))
            .collect();
        let total: f64 = r.forecast.forecast.point.iter().sum();
        format!(
            "Made of {} = {} expected. {}",
            parts.join(" + "),
            people(total),
            self.how
        )
    }
}
