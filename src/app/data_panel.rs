//! Data panel: open a file (dialog, drag and drop, sample), see how it was read, correct the
//! column guesses, read the validation report, pick a series.

use super::state::Workbench;
use eframe::egui;
use horizon_core::data::dates::DateFormat;
use horizon_core::data::sniff::delimiter_name;
use horizon_core::data::{DuplicatePolicy, Frequency, GapPolicy};

pub fn show(wb: &mut Workbench, ui: &mut egui::Ui) {
    ui.heading("Data");
    ui.horizontal(|ui| {
        if ui.button("Open CSV…").clicked() {
            wb.open_dialog();
        }
        if ui.button("Load sample data").clicked() {
            wb.load_sample();
        }
    });
    ui.small("…or drop a CSV file on the window.");
    let Some(data) = &wb.data else { return };
    ui.label(egui::RichText::new(&data.name).strong());
    if let Some(m) = data.ingested.mapping.clone() {
        mapping_controls(wb, ui, &m);
    }
    report(wb, ui);
    series_picker(wb, ui);
}

fn mapping_controls(wb: &mut Workbench, ui: &mut egui::Ui, m: &horizon_core::data::Mapping) {
    let mut changed = false;
    let opts = &mut wb.settings.options;
    egui::CollapsingHeader::new("Columns")
        .default_open(true)
        .show(ui, |ui| {
            ui.label(format!("Delimiter: {}", delimiter_name(m.delimiter)));
            egui::Grid::new("mapping").num_columns(2).show(ui, |ui| {
                let l = ui.label("Date column");
                let mut date = m.date_column.clone();
                egui::ComboBox::from_id_salt("date_col")
                    .selected_text(&date)
                    .show_ui(ui, |ui| {
                        for c in &m.columns {
                            changed |= ui.selectable_value(&mut date, c.clone(), c).clicked();
                        }
                    })
                    .response
                    .labelled_by(l.id);
                if date != m.date_column {
                    opts.date_column = Some(date);
                }
                ui.end_row();

                let l = ui.label("Date format");
                let mut fmt = m.date_format;
                egui::ComboBox::from_id_salt("date_fmt")
                    .selected_text(fmt.pattern())
                    .show_ui(ui, |ui| {
                        for f in DateFormat::ALL {
                            changed |= ui.selectable_value(&mut fmt, f, f.pattern()).clicked();
                        }
                    })
                    .response
                    .labelled_by(l.id);
                if fmt != m.date_format {
                    opts.date_format = Some(fmt);
                }
                ui.end_row();

                let l = ui.label("Value column");
                let mut value = m.value_column.clone();
                egui::ComboBox::from_id_salt("value_col")
                    .selected_text(&value)
                    .show_ui(ui, |ui| {
                        for c in &m.columns {
                            changed |= ui.selectable_value(&mut value, c.clone(), c).clicked();
                        }
                    })
                    .response
                    .labelled_by(l.id);
                if value != m.value_column {
                    opts.value_column = Some(value);
                }
                ui.end_row();

                let l = ui.label("Frequency");
                let mut freq = m.freq;
                egui::ComboBox::from_id_salt("freq")
                    .selected_text(freq.map_or("?", |f| f.name()))
                    .show_ui(ui, |ui| {
                        for f in Frequency::ALL {
                            changed |= ui.selectable_value(&mut freq, Some(f), f.name()).clicked();
                        }
                    })
                    .response
                    .labelled_by(l.id);
                if freq != m.freq {
                    opts.freq = freq;
                }
                ui.end_row();

                let l = ui.label("Duplicates");
                egui::ComboBox::from_id_salt("dups")
                    .selected_text(format!("{:?}", opts.duplicates).to_lowercase())
                    .show_ui(ui, |ui| {
                        changed |= ui
                            .selectable_value(&mut opts.duplicates, DuplicatePolicy::Sum, "sum")
                            .clicked();
                        changed |= ui
                            .selectable_value(&mut opts.duplicates, DuplicatePolicy::Mean, "mean")
                            .clicked();
                    })
                    .response
                    .labelled_by(l.id);
                ui.end_row();

                let l = ui.label("Gaps");
                egui::ComboBox::from_id_salt("gaps")
                    .selected_text(format!("{:?}", opts.gaps).to_lowercase())
                    .show_ui(ui, |ui| {
                        changed |= ui.selectable_value(&mut opts.gaps, GapPolicy::Zero, "zero").clicked();
                        changed |= ui
                            .selectable_value(&mut opts.gaps, GapPolicy::Linear, "linear")
                            .clicked();
                    })
                    .response
                    .labelled_by(l.id);
                ui.end_row();
            });
            ui.label("Id columns:");
            ui.horizontal_wrapped(|ui| {
                let mut ids = m.id_columns.clone();
                for c in m
                    .columns
                    .iter()
                    .filter(|c| **c != m.date_column && **c != m.value_column)
                {
                    let mut on = ids.contains(c);
                    if ui.checkbox(&mut on, c).changed() {
                        changed = true;
                        if on {
                            ids.push(c.clone())
                        } else {
                            ids.retain(|x| x != c)
                        }
                    }
                }
                if changed && ids != m.id_columns {
                    // Keep the file's column order.
                    let ordered: Vec<String> = m.columns.iter().filter(|c| ids.contains(c)).cloned().collect();
                    opts.id_columns = Some(ordered);
                }
            });
            if !m.exog_columns.is_empty() {
                ui.label(format!("Exogenous: {}", m.exog_columns.join(", ")));
            }
        });
    if changed {
        wb.reload();
    }
}

fn report(wb: &Workbench, ui: &mut egui::Ui) {
    let Some(data) = &wb.data else { return };
    let r = &data.ingested.report;
    let title = format!(
        "Validation: {} error(s), {} warning(s)",
        r.error_count(),
        r.warning_count()
    );
    egui::CollapsingHeader::new(title)
        .id_salt(("report", &data.name, r.error_count(), r.warning_count()))
        .default_open(r.has_errors() || r.warning_count() > 0)
        .show(ui, |ui| {
            if r.issues.is_empty() {
                ui.label("No problems found.");
            }
            egui::ScrollArea::vertical()
                .id_salt("report_scroll")
                .max_height(180.0)
                .show(ui, |ui| {
                    for line in r.lines() {
                        let color = if line.contains(": error:") || line.ends_with("[error]") {
                            ui.visuals().error_fg_color
                        } else {
                            ui.visuals().warn_fg_color
                        };
                        ui.label(egui::RichText::new(line).color(color).small());
                    }
                });
        });
}

fn series_picker(wb: &mut Workbench, ui: &mut egui::Ui) {
    let Some(panel) = wb.panel().cloned() else { return };
    ui.separator();
    ui.label(format!("Series ({})", panel.series.len()));
    // One filter per id column (store, product, …), then a free-text search.
    wb.id_filters.resize(panel.id_columns.len(), None);
    if panel.id_columns.len() > 1 {
        egui::Grid::new("id_filters").num_columns(2).show(ui, |ui| {
            for (c, name) in panel.id_columns.iter().enumerate() {
                let l = ui.label(name);
                let mut values: Vec<&str> = panel.series.iter().map(|s| s.key[c].as_str()).collect();
                values.sort_unstable();
                values.dedup();
                let current = wb.id_filters[c].clone();
                egui::ComboBox::from_id_salt(("id_filter", c))
                    .selected_text(current.as_deref().unwrap_or("(all)"))
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut wb.id_filters[c], None, "(all)");
                        for v in values {
                            ui.selectable_value(&mut wb.id_filters[c], Some(v.to_string()), v);
                        }
                    })
                    .response
                    .labelled_by(l.id);
                ui.end_row();
            }
        });
    }
    let l = ui.label("Search series");
    ui.text_edit_singleline(&mut wb.filter).labelled_by(l.id);
    let needle = wb.filter.to_lowercase();
    let filters = wb.id_filters.clone();
    let matches = |s: &horizon_core::Series| {
        filters
            .iter()
            .zip(&s.key)
            .all(|(f, k)| f.as_ref().is_none_or(|f| f == k))
            && s.label().to_lowercase().contains(&needle)
    };
    let mut clicked = None;
    egui::ScrollArea::vertical()
        .id_salt("series_list")
        .max_height(200.0)
        .show(ui, |ui| {
            for (i, s) in panel.series.iter().enumerate().filter(|(_, s)| matches(s)).take(500) {
                if ui.selectable_label(i == wb.selected, s.label()).clicked() {
                    clicked = Some(i);
                }
            }
        });
    if let Some(i) = clicked {
        wb.selected = i;
        wb.run_forecast();
    }
}
