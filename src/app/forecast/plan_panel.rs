//! The plan editor: for data with drivers (promotion, price, discount, …), lines that set a
//! driver over days of the forecast for the series on screen or every series; *Apply plan*
//! forecasts with it, drawn over the forecast without it, the uplift in the headline.

use super::plan::PlanLine;
use super::state::ForecastEffect;
use crate::app::settings::Settings;
use eframe::egui;
use horizon_core::Series;

/// The editor, under `Panel`'s drivers, for `series` (the one on screen) and `horizon` periods.
pub fn show(
    settings: &mut Settings,
    drivers: &[String],
    series: Option<&Series>,
    ui: &mut egui::Ui,
) -> Option<ForecastEffect> {
    let series = series?;
    if drivers.is_empty() {
        return None;
    }
    // A total of the hierarchy is not a series a plan can name.
    let is_total = series.key.iter().any(|k| k == horizon_core::reconcile::ALL);
    let days = series.future_dates(settings.horizon);
    let (&first, &last) = (days.first()?, days.last()?);
    let mut effect = None;
    let title = if settings.plan.is_empty() {
        "What-if plan".to_string()
    } else {
        format!("What-if plan ({} line(s))", settings.plan.len())
    };
    egui::CollapsingHeader::new(title)
        .id_salt("plan_editor")
        .default_open(!settings.plan.is_empty())
        .show(ui, |ui| {
            ui.add(
                egui::Label::new(
                    egui::RichText::new(format!(
                        "Set a driver for days of the forecast ({first} to {last}); models that learn from drivers (gbm) \
                         forecast with it."
                    ))
                    .small(),
                )
                .wrap(),
            );
            let mut remove = None;
            // One wrapped row per line: the central panel keeps its width.
            for (n, line) in settings.plan.iter_mut().enumerate() {
                ui.horizontal_wrapped(|ui| {
                    let l = ui.label(format!("Line {}", n + 1));
                    egui::ComboBox::from_id_salt(("plan_driver", n))
                        .selected_text(line.driver.as_str())
                        .show_ui(ui, |ui| {
                            for d in drivers {
                                ui.selectable_value(&mut line.driver, d.clone(), d);
                            }
                        })
                        .response
                        .labelled_by(l.id);
                    let l = ui.label("=");
                    ui.add(egui::DragValue::new(&mut line.value).speed(0.05)).labelled_by(l.id);
                    day_span(ui, n, line, &days);
                    let mine = line.series.as_ref() == Some(&series.key);
                    let mut every = line.series.is_none();
                    if ui.checkbox(&mut every, "every series").changed() {
                        line.series = (!every).then(|| series.key.clone());
                    } else if !every && !mine {
                        ui.weak(format!("for {}", series_label(line)));
                    }
                    if ui.small_button(format!("Remove line {}", n + 1)).clicked() {
                        remove = Some(n);
                    }
                });
            }
            if let Some(n) = remove {
                settings.plan.remove(n);
            }
            ui.horizontal(|ui| {
                if is_total {
                    ui.weak("Plans apply to single series: switch Show totals off to plan.");
                } else if ui.button("Add plan line").clicked() {
                    let driver = drivers
                        .iter()
                        .find(|d| d.to_lowercase().contains("promo"))
                        .unwrap_or(&drivers[0])
                        .clone();
                    settings.plan.push(PlanLine {
                        driver,
                        first: days.get(7).copied().unwrap_or(first),
                        last: days.get(13).copied().unwrap_or(last),
                        value: 1.0,
                        series: Some(series.key.clone()),
                    });
                }
                if ui
                    .add_enabled(!settings.plan.is_empty(), egui::Button::new("Clear plan"))
                    .clicked()
                {
                    settings.plan.clear();
                    effect = Some(ForecastEffect::Run);
                }
                if ui.button("Apply plan").clicked() {
                    effect = Some(ForecastEffect::Run);
                }
            });
        });
    effect
}

/// "from day [8] to day [14]" of the forecast, with the dates they are.
fn day_span(ui: &mut egui::Ui, n: usize, line: &mut PlanLine, days: &[chrono::NaiveDate]) {
    let index = |d: chrono::NaiveDate| days.iter().position(|x| *x == d);
    let shown = (
        index(line.first).map_or(1, |i| i + 1),
        index(line.last).map_or(days.len(), |i| i + 1),
    );
    let (mut from, mut to) = shown;
    let l = ui.label("from day");
    ui.add(egui::DragValue::new(&mut from).range(1..=days.len()))
        .labelled_by(l.id);
    let l = ui.label("to day");
    ui.add(egui::DragValue::new(&mut to).range(1..=days.len()))
        .labelled_by(l.id);
    // Dates outside this forecast (a plan of other data) stay until the days are changed.
    if (from, to) != shown {
        to = to.max(from);
        line.first = days[from - 1];
        line.last = days[to - 1];
    }
    ui.weak(format!(
        "({} – {})",
        line.first.format("%-d %b"),
        line.last.format("%-d %b %Y")
    ))
    .on_hover_text(format!("plan line {}", n + 1));
}

fn series_label(line: &PlanLine) -> String {
    line.series
        .as_ref()
        .map_or_else(|| "every series".into(), |k| horizon_core::data::key_label(k))
}
