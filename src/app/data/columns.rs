//! The Columns section of the data panel: every guess of the ingestion (delimiter, date column
//! and format, value column, frequency, id and exogenous columns) and the duplicate and gap
//! policies, each correctable. A change re-reads the file with the new options.
//!
//! When the guesses failed (no delimiter, no date column), the delimiter and the date and value
//! columns can still be picked, so a user can always recover from a bad guess.

use super::state::DataState;
use crate::app::settings::Settings;
use eframe::egui;
use horizon_core::data::dates::DateFormat;
use horizon_core::data::sniff::delimiter_name;
use horizon_core::data::{DuplicatePolicy, Frequency, GapPolicy, IngestOptions, Mapping};

/// A labelled combo box over `choices`; true when the user picked one.
fn combo<T: Clone + PartialEq>(
    ui: &mut egui::Ui,
    label: &str,
    current: &mut T,
    choices: impl IntoIterator<Item = (T, String)>,
    shown: &str,
) -> bool {
    let l = ui.label(label);
    let mut picked = false;
    egui::ComboBox::from_id_salt(("columns", label))
        .selected_text(shown)
        .show_ui(ui, |ui| {
            for (value, text) in choices {
                picked |= ui.selectable_value(current, value, text).clicked();
            }
        })
        .response
        .labelled_by(l.id);
    ui.end_row();
    picked
}

const DELIMITERS: [u8; 3] = [b',', b';', b'\t'];

/// Show the Columns section for the current file; true when an option changed (the file is
/// then read again).
pub fn show(state: &DataState, settings: &mut Settings, ui: &mut egui::Ui) -> bool {
    let Some(data) = &state.loaded else { return false };
    let mapping = data.ingested.mapping.clone();
    let columns = data.ingested.columns.clone();
    let opts = &mut settings.options;
    let mut changed = false;
    egui::CollapsingHeader::new("Columns")
        .default_open(true)
        .show(ui, |ui| {
            egui::Grid::new("mapping").num_columns(2).show(ui, |ui| {
                changed |= file_layout(ui, opts, mapping.as_ref(), &columns);
                if let Some(m) = &mapping {
                    changed |= readings(ui, opts, m);
                }
            });
            if let Some(m) = &mapping {
                changed |= roles(ui, opts, m);
            } else {
                ui.small("Pick the delimiter, date and value columns the file uses; the report says what is missing.");
            }
        });
    changed
}

/// Delimiter, date column and value column: available even when the guesses failed.
fn file_layout(ui: &mut egui::Ui, opts: &mut IngestOptions, m: Option<&Mapping>, columns: &[String]) -> bool {
    let mut changed = false;
    let mut delim = opts.delimiter.or(m.map(|m| m.delimiter));
    let shown = delim.map_or("?".to_string(), |d| delimiter_name(d).to_string());
    let choices = DELIMITERS.map(|d| (Some(d), delimiter_name(d).to_string()));
    if combo(ui, "Delimiter", &mut delim, choices, &shown) {
        changed = true;
        // Another delimiter means other columns: guess them again.
        *opts = IngestOptions {
            delimiter: delim,
            ..opts.for_new_file()
        };
        return changed;
    }
    if columns.is_empty() {
        return changed;
    }
    let column_choices = || columns.iter().map(|c| (Some(c.clone()), c.clone())).collect::<Vec<_>>();
    let mut date = opts.date_column.clone().or(m.map(|m| m.date_column.clone()));
    let shown = date.clone().unwrap_or_else(|| "(none found)".into());
    if combo(ui, "Date column", &mut date, column_choices(), &shown) {
        untick_driver(opts, date.as_deref());
        opts.date_column = date;
        changed = true;
    }
    let mut value = opts.value_column.clone().or(m.map(|m| m.value_column.clone()));
    let shown = value.clone().unwrap_or_else(|| "(none found)".into());
    if combo(ui, "Value column", &mut value, column_choices(), &shown) {
        untick_driver(opts, value.as_deref());
        opts.value_column = value;
        changed = true;
    }
    changed
}

/// A column picked as the date or the value is no longer a driver (the reading refuses a driver
/// that is also the value, and the driver boxes are not shown while the file is unread).
fn untick_driver(opts: &mut IngestOptions, picked: Option<&str>) {
    if let (Some(drivers), Some(picked)) = (&mut opts.exog_columns, picked) {
        drivers.retain(|d| d != picked);
    }
}

/// Date format, frequency and the duplicate and gap policies.
fn readings(ui: &mut egui::Ui, opts: &mut IngestOptions, m: &Mapping) -> bool {
    let mut changed = false;
    let mut fmt = m.date_format;
    let choices = DateFormat::ALL.map(|f| (f, f.pattern().to_string()));
    let shown = fmt.pattern();
    if combo(ui, "Date format", &mut fmt, choices, shown) {
        opts.date_format = Some(fmt);
        changed = true;
    }
    let mut freq = m.freq;
    let choices = Frequency::ALL.map(|f| (Some(f), f.name().to_string()));
    let shown = freq.map_or("?", |f| f.name());
    if combo(ui, "Frequency", &mut freq, choices, shown) {
        opts.freq = freq;
        changed = true;
    }
    let shown = format!("{:?}", opts.duplicates).to_lowercase();
    let choices = [
        (DuplicatePolicy::Sum, "sum".into()),
        (DuplicatePolicy::Mean, "mean".into()),
    ];
    changed |= combo(ui, "Duplicates", &mut opts.duplicates, choices, &shown);
    let shown = format!("{:?}", opts.gaps).to_lowercase();
    let choices = [(GapPolicy::Zero, "zero".into()), (GapPolicy::Linear, "linear".into())];
    changed |= combo(ui, "Gaps", &mut opts.gaps, choices, &shown);
    changed
}

/// Which other columns are ids and which are exogenous drivers: one checkbox each.
fn roles(ui: &mut egui::Ui, opts: &mut IngestOptions, m: &Mapping) -> bool {
    let others: Vec<&String> = m
        .columns
        .iter()
        .filter(|c| **c != m.date_column && **c != m.value_column)
        .collect();
    let mut changed = false;
    ui.label("Id columns:");
    if let Some(ids) = checkboxes(ui, "id", &others, &m.id_columns, &m.columns) {
        opts.exog_columns = Some(m.exog_columns.iter().filter(|c| !ids.contains(c)).cloned().collect());
        opts.id_columns = Some(ids);
        changed = true;
    }
    ui.label("Exogenous columns (price, promotion, …):");
    let candidates: Vec<&String> = others.into_iter().filter(|c| !m.id_columns.contains(c)).collect();
    if let Some(exog) = checkboxes(ui, "exog", &candidates, &m.exog_columns, &m.columns) {
        opts.exog_columns = Some(exog);
        opts.id_columns = Some(m.id_columns.clone());
        changed = true;
    }
    changed
}

/// A wrapped row of checkboxes; the new selection, in the file's column order, if it changed.
fn checkboxes(
    ui: &mut egui::Ui,
    salt: &str,
    candidates: &[&String],
    selected: &[String],
    order: &[String],
) -> Option<Vec<String>> {
    let mut now: Vec<String> = selected.to_vec();
    let mut changed = false;
    ui.push_id(salt, |ui| {
        ui.horizontal_wrapped(|ui| {
            for &c in candidates {
                let mut on = now.contains(c);
                if ui.checkbox(&mut on, c.as_str()).changed() {
                    changed = true;
                    if on {
                        now.push(c.clone());
                    } else {
                        now.retain(|x| x != c);
                    }
                }
            }
        });
    });
    changed.then(|| order.iter().filter(|c| now.contains(c)).cloned().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Picking a driver as the value unticks it: left ticked, the reading refuses the file and
    /// the driver boxes, shown only for a file read, could not untick it.
    #[test]
    fn a_column_picked_as_the_value_or_the_date_is_no_longer_a_driver() {
        let mut opts = IngestOptions {
            exog_columns: Some(vec!["price".into(), "promotion".into()]),
            ..IngestOptions::default()
        };
        untick_driver(&mut opts, Some("price"));
        assert_eq!(opts.exog_columns, Some(vec!["promotion".to_string()]));
        untick_driver(&mut opts, Some("sales"));
        assert_eq!(opts.exog_columns, Some(vec!["promotion".to_string()]));
        let mut guessed = IngestOptions::default();
        untick_driver(&mut guessed, Some("price"));
        assert_eq!(guessed.exog_columns, None);
    }
}
