//! The forecast plot: history, point forecast and one shaded band per interval level, dates
//! on the x axis, a tooltip with date, value, forecast and bounds under the pointer.

use super::state::ResultView;
use chrono::NaiveDate;
use eframe::egui;
use egui_plot::{FilledArea, Legend, Line, Plot, PlotPoints};

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

/// The text of the hover tooltip at x: the date and every value known there.
pub fn tooltip(r: &ResultView, x: f64) -> Option<String> {
    let date = from_x(x)?;
    if let Some(i) = r.history.dates.iter().position(|d| *d == date) {
        return Some(format!("{date}\nvalue: {}", fmt(r.history.values[i])));
    }
    let j = r.forecast.dates.iter().position(|d| *d == date)?;
    let mut s = format!("{date}\nforecast: {}", fmt(r.forecast.forecast.point[j]));
    for iv in r.forecast.forecast.intervals.iter().rev() {
        s.push_str(&format!("\n{}%: {} – {}", iv.level, fmt(iv.lower[j]), fmt(iv.upper[j])));
    }
    Some(s)
}

fn fmt(v: f64) -> String {
    if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

/// Draw the plot of `r`; the rectangle it took (for the PNG export).
pub fn show(ui: &mut egui::Ui, r: &ResultView) -> egui::Rect {
    let hx: Vec<f64> = r.history.dates.iter().map(|d| to_x(*d)).collect();
    let fx: Vec<f64> = r.forecast.dates.iter().map(|d| to_x(*d)).collect();
    let history: PlotPoints = hx.iter().zip(&r.history.values).map(|(x, y)| [*x, *y]).collect();
    // Join the forecast to the last observation so the line is continuous.
    let mut fpts: Vec<[f64; 2]> = hx
        .last()
        .zip(r.history.values.last())
        .map(|(x, y)| vec![[*x, *y]])
        .unwrap_or_default();
    fpts.extend(fx.iter().zip(&r.forecast.forecast.point).map(|(x, y)| [*x, *y]));
    let view = r.clone();
    // Start on the recent past and the forecast: the last max(6·h, 60) periods of history.
    let h = fx.len().max(1);
    let recent = hx.len().saturating_sub((6 * h).max(60));
    let x_min = hx.get(recent).or(hx.first()).copied().unwrap_or(0.0);
    let x_max = fx.last().or(hx.last()).copied().unwrap_or(1.0);
    let x_max = if x_max > x_min { x_max } else { x_min + 1.0 };
    ui.small("Drag to pan, Ctrl + scroll to zoom, double-click to reset the view.");
    // The scope's rectangle holds the plot with its axes (what the PNG export cuts out).
    ui.scope(|ui| {
        Plot::new(("forecast_plot", r.history.label(), &r.forecast.model))
            .default_x_bounds(x_min, x_max + 0.02 * (x_max - x_min))
            .legend(Legend::default())
            .x_axis_formatter(|mark, _| {
                from_x(mark.value)
                    .map(|d| d.format("%Y-%m-%d").to_string())
                    .unwrap_or_default()
            })
            .label_formatter(move |pos| {
                let x = match pos {
                    egui_plot::HoverPosition::NearDataPoint { position, .. } => position.x,
                    egui_plot::HoverPosition::Elsewhere { position } => position.x,
                };
                tooltip(&view, x)
            })
            .allow_scroll(false)
            .show(ui, |p| {
                let accent = egui::Color32::from_rgb(230, 120, 30);
                for (k, iv) in r.forecast.forecast.intervals.iter().rev().enumerate() {
                    let alpha = 50 + 40 * k as u8;
                    p.add(
                        FilledArea::new(format!("{}% interval", iv.level), &fx, &iv.lower, &iv.upper)
                            .fill_color(egui::Color32::from_rgba_unmultiplied(230, 120, 30, alpha)),
                    );
                }
                p.line(Line::new("history", history).color(egui::Color32::from_rgb(60, 110, 200)));
                p.line(
                    Line::new(format!("forecast ({})", r.forecast.model), PlotPoints::from(fpts))
                        .color(accent)
                        .width(2.0),
                );
            });
    })
    .response
    .rect
}
