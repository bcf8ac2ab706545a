//! Data preview: the file's rows as a spreadsheet shows them (row numbers included), drawn a
//! screenful at a time; a click on a validation issue scrolls here and marks its row.

use super::state::DataState;
use eframe::egui;
use egui_extras::{Column, TableBuilder};

pub fn show(state: &mut DataState, ui: &mut egui::Ui) {
    let Some(rows) = state.loaded.as_ref().and_then(|d| d.rows.clone()) else {
        return;
    };
    let jump = state.preview_jump.take();
    let title = format!("Data preview ({} rows)", rows.len());
    let mut header = egui::CollapsingHeader::new(title).id_salt("data_preview");
    if jump.is_some() {
        header = header.open(Some(true));
    }
    header.show(ui, |ui| {
        if let Some(i) = state.preview_row.and_then(|i| rows.row_number(i)) {
            ui.small(format!("Row {i} is marked."));
        }
        let n_cols = rows.header().len().max(1);
        let mut table = TableBuilder::new(ui)
            .id_salt("data_preview_table")
            .striped(true)
            .resizable(true)
            .sense(egui::Sense::click())
            .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
            .column(Column::auto().at_least(40.0))
            .columns(Column::auto().at_least(70.0).clip(true), n_cols)
            .min_scrolled_height(0.0)
            .max_scroll_height(220.0);
        if let Some(i) = jump {
            table = table.scroll_to_row(i, Some(egui::Align::Center));
        }
        let mut clicked = None;
        table
            .header(20.0, |mut h| {
                h.col(|ui| {
                    ui.strong("row");
                });
                for name in rows.header() {
                    h.col(|ui| {
                        ui.strong(name);
                    });
                }
            })
            .body(|body| {
                body.rows(18.0, rows.len(), |mut row| {
                    let i = row.index();
                    row.set_selected(state.preview_row == Some(i));
                    let cells = rows.record(i);
                    row.col(|ui| {
                        ui.label(rows.row_number(i).map_or_else(String::new, |r| r.to_string()));
                    });
                    for c in 0..n_cols {
                        row.col(|ui| {
                            ui.label(cells.get(c).map_or("", String::as_str));
                        });
                    }
                    if row.response().clicked() {
                        clicked = Some(i);
                    }
                });
            });
        if let Some(i) = clicked {
            state.preview_row = Some(i);
        }
    });
}
