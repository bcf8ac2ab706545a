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
}

impl ResultView {
    /// The forecast in plain words, at the widest level shown.
    pub fn headline(&self) -> Option<horizon_core::headline::Headline> {
        let level = self.forecast.forecast.intervals.last().map_or(95.0, |i| i.level);
        horizon_core::headline::Headline::new(&self.history, &self.forecast, level, self.backtest_mae)
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
    /// The window's pixels, for the PNG export.
    Screenshot(Arc<egui::ColorImage>),
    /// The plot as PNG bytes, to save under this name.
    Picture(String, Result<Vec<u8>, String>),
}
