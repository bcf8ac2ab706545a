//! The forecast plot: history, point forecast and one shaded band per interval level, forecasts
//! kept from earlier runs next to it, dates on the x axis, a tooltip with date, value, every
//! forecast and its bounds under the pointer. Long series are decimated to the pixels shown
//! (`decimate`); a click on a legend entry hides or shows it.

use super::decimate;
use super::view::ResultView;
use chrono::NaiveDate;
use eframe::egui;
use egui_plot::{FilledArea, Legend, Line, Plot, PlotPoints};
use horizon_core::export::SeriesForecast;

/// Colours of the backtest forecasts, one per model.
const BACKTEST_COLOURS: [(u8, u8, u8); 4] = [(200, 40, 60), (90, 90, 90), (0, 120, 200), (170, 130, 0)];

/// Colours of the kept forecasts, in the order they were kept.
const KEPT_COLOURS: [(u8, u8, u8); 4] = [(40, 150, 80), (140, 70, 170), (20, 150, 160), (150, 100, 40)];

/// Days since 1970-01-01: the plot's x coordinate.
pub fn to_x(d: NaiveDate) -> f64 {
    (d - NaiveDate::default()).num_days() as f64
}

pub fn from_x(x: f64) -> Option<NaiveDate> {
    if !x.is_finite() {
        return None;
    }
    chrono::TimeDelta::try_days(x.round() as i64).and_then(|d| NaiveDate::default().checked_add_signed(d))
}

/// The text of the hover tooltip at x: the date and every value known there (the history's
/// value, then each forecast with its bounds).
pub fn tooltip(r: &ResultView, kept: &[SeriesForecast], x: f64) -> Option<String> {
    let date = from_x(x)?;
    if let Some(i) = r.history.dates.iter().position(|d| *d == date) {
        return Some(format!("{date}\nvalue: {}", fmt(r.history.values[i])));
    }
    let mut s = date.to_string();
    let mut any = false;
    for f in std::iter::once(&r.forecast).chain(kept) {
        let Some(j) = f.dates.iter().position(|d| *d == date) else {
            continue;
        };
        any = true;
        let label = if kept.is_empty() {
            "forecast".to_string()
        } else {
            format!("forecast ({})", f.model)
        };
        s.push_str(&format!("\n{label}: {}", fmt(f.forecast.point[j])));
        for iv in f.forecast.intervals.iter().rev() {
            s.push_str(&format!(
                "\n  {}%: {} – {}",
                iv.level,
                fmt(iv.lower[j]),
                fmt(iv.upper[j])
            ));
        }
    }
    any.then_some(s)
}

fn fmt(v: f64) -> String {
    if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

/// Draw the plot of `r` with the forecasts `kept` from earlier runs; the rectangle it took
/// (for the PNG export).
/// What the plot shows besides the current forecast.
pub struct Overlays<'a> {
    /// Forecasts kept from earlier runs.
    pub kept: &'a [SeriesForecast],
    /// Backtest forecasts (one per model and origin), drawn dashed over the history.
    pub backtests: &'a [SeriesForecast],
}

pub fn show(
    ui: &mut egui::Ui,
    r: &ResultView,
    overlays: Overlays<'_>,
    (whole_history, decimate): (bool, bool),
    height: f32,
) -> egui::Rect {
    let (kept, backtests) = (overlays.kept, overlays.backtests);
    let hx: Vec<f64> = r.history.dates.iter().map(|d| to_x(*d)).collect();
    let fx: Vec<f64> = r.forecast.dates.iter().map(|d| to_x(*d)).collect();
    let (view, kept_view) = (r.clone(), kept.to_vec());
    // Start on the recent past and the forecast: the last max(6·h, 60) periods of history
    // (or all of it).
    let h = fx.len().max(1);
    let recent = if whole_history {
        0
    } else {
        hx.len().saturating_sub((6 * h).max(60))
    };
    let x_min = hx.get(recent).or(hx.first()).copied().unwrap_or(0.0);
    let x_max = fx.last().or(hx.last()).copied().unwrap_or(1.0);
    let x_max = if x_max > x_min { x_max } else { x_min + 1.0 };
    ui.small("Drag to pan, Ctrl + scroll to zoom, double-click to reset the view; click a legend entry to hide it.");
    // The scope's rectangle holds the plot with its axes (what the PNG export cuts out).
    ui.scope(|ui| {
        Plot::new(("forecast_plot", r.history.label(), &r.forecast.model, whole_history))
            .default_x_bounds(x_min, x_max + 0.02 * (x_max - x_min))
            .legend(Legend::default())
            .x_axis_formatter(|mark, _| {
                from_x(mark.value)
                    .map(|d| d.format("%-d %b %Y").to_string())
                    .unwrap_or_default()
            })
            .label_formatter(move |pos| {
                let x = match pos {
                    egui_plot::HoverPosition::NearDataPoint { position, .. } => position.x,
                    egui_plot::HoverPosition::Elsewhere { position } => position.x,
                };
                tooltip(&view, &kept_view, x)
            })
            .allow_scroll(false)
            // Room for the plot even when the sections around it are open (the panel scrolls).
            .height(height.max(300.0))
            .show(ui, |p| {
                let bounds = p.plot_bounds();
                let (x0, x1) = (bounds.min()[0], bounds.max()[0]);
                let columns = if decimate {
                    p.transform().frame().width().max(50.0) as usize
                } else {
                    usize::MAX / 4
                };
                for (k, f) in kept.iter().enumerate() {
                    let (cr, cg, cb) = KEPT_COLOURS[k % KEPT_COLOURS.len()];
                    forecast_items(p, &hx, &r.history.values, f, (x0, x1, columns), (cr, cg, cb), 1.5);
                }
                forecast_items(
                    p,
                    &hx,
                    &r.history.values,
                    &r.forecast,
                    (x0, x1, columns),
                    (230, 120, 30),
                    2.0,
                );
                let mut models: Vec<&str> = Vec::new();
                for f in backtests {
                    if !models.contains(&f.model.as_str()) {
                        models.push(&f.model);
                    }
                    let k = models.iter().position(|m| *m == f.model).unwrap_or(0);
                    let (cr, cg, cb) = BACKTEST_COLOURS[k % BACKTEST_COLOURS.len()];
                    let fx: Vec<f64> = f.dates.iter().map(|d| to_x(*d)).collect();
                    p.line(
                        Line::new(
                            format!("backtest ({})", f.model),
                            PlotPoints::from(decimate::line(&fx, &f.forecast.point, x0, x1, columns)),
                        )
                        .color(egui::Color32::from_rgb(cr, cg, cb))
                        .style(egui_plot::LineStyle::dashed_loose()),
                    );
                }
                let history = decimate::line(&hx, &r.history.values, x0, x1, columns);
                p.line(Line::new("history", PlotPoints::from(history)).color(egui::Color32::from_rgb(60, 110, 200)));
            });
    })
    .response
    .rect
}

/// One forecast's shaded bands (one per level) and its line, joined to the last observation.
fn forecast_items(
    p: &mut egui_plot::PlotUi<'_>,
    hx: &[f64],
    hy: &[f64],
    f: &SeriesForecast,
    (x0, x1, columns): (f64, f64, usize),
    (cr, cg, cb): (u8, u8, u8),
    width: f32,
) {
    let fx: Vec<f64> = f.dates.iter().map(|d| to_x(*d)).collect();
    for (k, iv) in f.forecast.intervals.iter().rev().enumerate() {
        let alpha = 50 + 40 * k as u8;
        let [x, lo, hi] = decimate::band(&fx, &iv.lower, &iv.upper, x0, x1, columns);
        p.add(
            FilledArea::new(format!("{}% interval ({})", iv.level, f.model), &x, &lo, &hi)
                .fill_color(egui::Color32::from_rgba_unmultiplied(cr, cg, cb, alpha)),
        );
    }
    let mut xs: Vec<f64> = hx.last().map(|x| vec![*x]).unwrap_or_default();
    let mut ys: Vec<f64> = hy.last().map(|y| vec![*y]).unwrap_or_default();
    xs.extend(&fx);
    ys.extend(&f.forecast.point);
    let line = decimate::line(&xs, &ys, x0, x1, columns);
    p.line(
        Line::new(format!("forecast ({})", f.model), PlotPoints::from(line))
            .color(egui::Color32::from_rgb(cr, cg, cb))
            .width(width),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use horizon_core::models::{Forecast, Interval};
    use horizon_core::{Frequency, Series};

    fn forecast(model: &str, start: NaiveDate, point: f64) -> SeriesForecast {
        SeriesForecast {
            key: vec!["a".into()],
            model: model.into(),
            dates: (0..3).map(|k| Frequency::Daily.advance(start, k)).collect(),
            forecast: Forecast {
                point: vec![point; 3],
                intervals: vec![Interval {
                    level: 95.0,
                    lower: vec![point - 5.0; 3],
                    upper: vec![point + 5.0; 3],
                }],
            },
        }
    }

    /// Under the pointer: the history's value on a past date; every forecast with its bounds
    /// on a future one; nothing off the data.
    #[test]
    fn the_tooltip_lists_the_value_or_every_forecast() {
        let d0 = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        let history = Series::new(
            vec!["a".into()],
            Frequency::Daily,
            (0..5).map(|k| Frequency::Daily.advance(d0, k)).collect(),
            vec![10.0, 11.0, 12.0, 13.0, 14.0],
        );
        let next = Frequency::Daily.advance(d0, 5);
        let r = ResultView {
            history,
            forecast: forecast("ets", next, 15.0),
            description: String::new(),
            candidates: None,
            season_note: String::new(),
            id_columns: vec![],
            elapsed_ms: 0.0,
            quick: false,
            backtest_mae: None,
            totals: None,
            baseline: None,
            plan_notes: Vec::new(),
        };
        assert_eq!(tooltip(&r, &[], to_x(d0) + 1.0).unwrap(), "2024-01-02\nvalue: 11.00");
        assert_eq!(
            tooltip(&r, &[], to_x(next)).unwrap(),
            "2024-01-06\nforecast: 15.00\n  95%: 10.00 – 20.00"
        );
        let kept = [forecast("drift", next, 18.0)];
        assert_eq!(
            tooltip(&r, &kept, to_x(next)).unwrap(),
            "2024-01-06\nforecast (ets): 15.00\n  95%: 10.00 – 20.00\nforecast (drift): 18.00\n  95%: 13.00 – 23.00"
        );
        assert!(tooltip(&r, &kept, to_x(next) + 30.0).is_none());
    }
}
