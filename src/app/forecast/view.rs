//! What a forecast hands back: the view of the selected series' forecast, and the Forecast
//! feature's messages.

use eframe::egui;
use horizon_core::data::Series;
use horizon_core::export::SeriesForecast;
use horizon_core::models::auto::CandidateScore;
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
    pub totals: Option<super::totals::TotalsView>,
    /// With a what-if plan: the forecast without it (`forecast` is the one with it).
    pub baseline: Option<horizon_core::Forecast>,
    /// What of the plan could not be applied, in words.
    pub plan_notes: Vec<String>,
}

impl ResultView {
    /// The forecast in plain words, at the widest level shown.
    pub fn headline(&self) -> Option<horizon_core::headline::Headline> {
        let level = self.forecast.forecast.intervals.last().map_or(95.0, |i| i.level);
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
        let level = self.forecast.forecast.intervals.last().map_or(95.0, |i| i.level);
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
        super::totals::TotalsKey,
        Result<Arc<horizon_core::reconcile::Reconciled>, String>,
        f64,
    ),
    /// The window's pixels, for the PNG export.
    Screenshot(Arc<egui::ColorImage>),
    /// The plot as PNG bytes, to save under this name.
    Picture(String, Result<Vec<u8>, String>),
}
