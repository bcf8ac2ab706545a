//! The Aggregate transactions dialog (desktop): the file's first rows with each column's type,
//! the aggregation's choices spelled out, and Aggregate and load.

use super::state::{DataEffect, DataState};
use super::transactions::Dialog;
use eframe::egui;
use horizon_core::data::dates::DateFormat;
use horizon_tabular::{ColumnInfo, ColumnKind, How, Period};

/// The dialog window, when one is open.
pub fn show(state: &mut DataState, ctx: &egui::Context) -> Option<DataEffect> {
    let d = state.transactions.as_mut()?;
    let mut open = true;
    let (mut run, mut cancel) = (false, false);
    egui::Window::new("Aggregate transactions")
        .open(&mut open)
        .collapsible(false)
        .default_width(560.0)
        .show(ctx, |ui| {
            ui.label(format!(
                "{}: {} rows, {} columns ({}).",
                d.table.name,
                d.table.rows(),
                d.columns.len(),
                d.table.format.name()
            ));
            head(ui, d);
            ui.separator();
            choices(ui, d);
            ui.separator();
            ui.label(egui::RichText::new(d.agg.describe()).strong());
            if let Some(e) = &d.error {
                ui.colored_label(ui.visuals().error_fg_color, e);
            }
            ui.horizontal(|ui| {
                let ready = !d.agg.date.is_empty() && (d.agg.how == How::Count || d.agg.value.is_some());
                run = ui.add_enabled(ready, egui::Button::new("Aggregate and load")).clicked();
                cancel = ui.button("Cancel").clicked();
            });
        });
    if !open || cancel {
        state.transactions = None;
        Some(DataEffect::Status("Aggregation cancelled.".into()))
    } else if run {
        Some(DataEffect::Aggregate)
    } else {
        None
    }
}

/// The first rows of the file, as polars read them, with each column's type.
fn head(ui: &mut egui::Ui, d: &Dialog) {
    egui::ScrollArea::horizontal().id_salt("tx_head").show(ui, |ui| {
        egui::Grid::new("tx_head_grid").striped(true).show(ui, |ui| {
            for c in &d.columns {
                ui.label(egui::RichText::new(&c.name).strong())
                    .on_hover_text(format!("{} · {} distinct · {} missing", c.dtype, c.distinct, c.nulls));
            }
            ui.end_row();
            for c in &d.columns {
                ui.small(&c.dtype);
            }
            ui.end_row();
            for row in &d.head {
                for cell in row {
                    ui.label(cell);
                }
                ui.end_row();
            }
        });
    });
}

/// Date, layout, aggregate, value, period, ids and the empty-period rule.
fn choices(ui: &mut egui::Ui, d: &mut Dialog) {
    let agg = &mut d.agg;
    let dates: Vec<&ColumnInfo> = d.columns.iter().filter(|c| c.kind == ColumnKind::Date).collect();
    egui::Grid::new("tx_choices").num_columns(2).show(ui, |ui| {
        let l = ui.label("Date column");
        egui::ComboBox::from_id_salt("tx_date")
            .selected_text(if agg.date.is_empty() { "(none found)" } else { &agg.date })
            .show_ui(ui, |ui| {
                for c in &dates {
                    ui.selectable_value(&mut agg.date, c.name.clone(), &c.name);
                }
            })
            .response
            .labelled_by(l.id);
        ui.end_row();
        let layouts = dates
            .iter()
            .find(|c| c.name == agg.date)
            .map(|c| c.date_formats.clone())
            .unwrap_or_default();
        if layouts.len() > 1 {
            let l = ui.label("Date layout");
            egui::ComboBox::from_id_salt("tx_layout")
                .selected_text(agg.date_format.unwrap_or(layouts[0]).pattern())
                .show_ui(ui, |ui| {
                    for f in &layouts {
                        ui.selectable_value(&mut agg.date_format, Some(*f), f.pattern());
                    }
                })
                .response
                .labelled_by(l.id);
            ui.end_row();
        } else if agg.date_format.is_some_and(|f| !layouts.contains(&f)) {
            agg.date_format = None::<DateFormat>;
        }

        let l = ui.label("Aggregate");
        egui::ComboBox::from_id_salt("tx_how")
            .selected_text(agg.how.name())
            .show_ui(ui, |ui| {
                for how in How::ALL {
                    ui.selectable_value(&mut agg.how, how, how.name());
                }
            })
            .response
            .labelled_by(l.id);
        ui.end_row();

        if agg.how != How::Count {
            let l = ui.label("Value column");
            egui::ComboBox::from_id_salt("tx_value")
                .selected_text(agg.value.as_deref().unwrap_or("(choose)"))
                .show_ui(ui, |ui| {
                    for c in d.columns.iter().filter(|c| c.kind == ColumnKind::Number) {
                        ui.selectable_value(&mut agg.value, Some(c.name.clone()), &c.name);
                    }
                })
                .response
                .labelled_by(l.id);
            ui.end_row();
        }

        ui.label("Period");
        ui.horizontal(|ui| {
            for p in Period::ALL {
                let name = match p {
                    Period::Day => "Day",
                    Period::Week => "Week",
                    Period::Month => "Month",
                };
                ui.radio_value(&mut agg.period, p, name);
            }
        });
        ui.end_row();

        ui.label("One series per");
        ui.vertical(|ui| {
            for c in d
                .columns
                .iter()
                .filter(|c| c.name != agg.date && c.kind != ColumnKind::Date)
            {
                let mut on = agg.ids.contains(&c.name);
                let text = format!("{} ({} values)", c.name, c.distinct);
                if ui.checkbox(&mut on, text).changed() {
                    if on {
                        agg.ids.push(c.name.clone());
                    } else {
                        agg.ids.retain(|i| *i != c.name);
                    }
                }
            }
        });
        ui.end_row();
    });
    if agg.how != How::Mean {
        ui.checkbox(&mut agg.empty_periods_are_zero, "Periods without rows are 0 sales");
        if agg.period != Period::Day {
            ui.checkbox(
                &mut agg.keep_partial_ends,
                "Keep a first or last period the data covers only in part",
            );
        }
    }
    // A value column that is also an id cannot be summed: the id wins.
    if agg.value.as_ref().is_some_and(|v| agg.ids.contains(v)) {
        agg.value = None;
    }
}
