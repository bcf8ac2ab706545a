//! The Data feature's state: the file read and validated, the series picked, the preview, the
//! manual grid, the sample generator and (desktop) the transactions dialog; its messages, and
//! the effects it asks of the workbench.

use super::manual::ManualGrid;
use crate::app::settings::{RECENT_FILES, Settings, sample_params};
use horizon_core::data::generate::{RetailParams, retail};
use horizon_core::data::preview::RowIndex;
use horizon_core::data::{IngestOptions, Ingested, Panel, ingest_csv};
use horizon_core::export::panel_csv;
#[cfg(not(target_arch = "wasm32"))]
use horizon_tabular::Aggregated;
use std::sync::Arc;

/// A file read and validated.
pub struct Loaded {
    pub name: String,
    pub bytes: Arc<Vec<u8>>,
    pub ingested: Ingested,
    pub panel: Option<Arc<Panel>>,
    /// The file's rows for the data preview (`None` when not even the delimiter is known).
    pub rows: Option<Arc<RowIndex>>,
    /// How the data was made, when it was not read as it is (aggregated transactions).
    pub note: Option<String>,
}

/// What the Data feature's work hands back.
pub enum DataMsg {
    /// A file picked (name and bytes), or none.
    Picked(Option<(String, Vec<u8>)>),
    /// A file read; the number is the load request it answers (older ones are dropped).
    Loaded(u64, Box<Loaded>),
    /// A recent file could not be read again (path, why): it leaves the list.
    RecentGone(String, String),
    /// Data written out as a sales file to read (name, bytes, how it was made): the data with
    /// typed days added to a series.
    Encoded(String, Vec<u8>, String),
    /// A Parquet or transactions file read by polars, for the aggregation dialog.
    #[cfg(not(target_arch = "wasm32"))]
    TableRead(Result<Box<super::transactions::Dialog>, String>),
    /// The aggregated sales of the file named.
    #[cfg(not(target_arch = "wasm32"))]
    Aggregated(String, Result<Box<horizon_tabular::Aggregated>, String>),
}

/// What the Data feature asks of the workbench (its panels' clicks, its messages' outcomes).
pub enum DataEffect {
    OpenDialog,
    LoadSample,
    Generate(RetailParams),
    OpenRecent(String),
    /// Read these bytes as a sales file (manual entry, aggregated transactions).
    Load {
        name: String,
        bytes: Arc<Vec<u8>>,
        note: Option<String>,
    },
    /// Write this panel out as a sales file off the UI thread, then read it (name, note).
    Encode(String, Box<Panel>, String),
    /// Read the current file again with the changed column options.
    Reload,
    #[cfg(not(target_arch = "wasm32"))]
    OpenTransactions(String, Arc<Vec<u8>>),
    /// Run the transactions dialog's aggregation.
    #[cfg(not(target_arch = "wasm32"))]
    Aggregate,
    /// New data replaced the old: what was computed on the old data goes.
    NewData,
    /// Forecast the selected series.
    Forecast,
    Status(String),
}

/// The Data feature's state.
#[derive(Default)]
pub struct DataState {
    pub loaded: Option<Loaded>,
    /// The series picked (an index into the panel).
    pub selected: usize,
    pub filter: String,
    /// Per id column: show only series with this value (`None` = all).
    pub id_filters: Vec<Option<String>>,
    /// The record marked in the data preview (0-based), and a scroll to it pending.
    pub preview_row: Option<usize>,
    pub preview_jump: Option<usize>,
    pub manual: ManualGrid,
    pub show_manual: bool,
    /// The sample generator's preview series and the settings it was made with.
    pub sample_preview: Option<(RetailParams, Vec<f64>)>,
    /// The aggregation dialog of a Parquet or transactions file (desktop).
    #[cfg(not(target_arch = "wasm32"))]
    pub transactions: Option<Box<super::transactions::Dialog>>,
    /// Load requests so far: a file read is applied only if it answers the latest.
    load_gen: u64,
    /// "Show totals": the levels of the id columns in the series list, forecast so that they
    /// add up; `selected_node` is the node picked (an index into its nodes).
    pub totals: Option<Arc<super::totals::TotalsData>>,
    pub selected_node: usize,
    /// The series of the data the days typed by hand are added to (`None`: forecast alone).
    pub manual_target: Option<Vec<String>>,
    /// The series to pick when the data being loaded arrives.
    pub pending_select: Option<Vec<String>>,
}

impl DataState {
    pub fn panel(&self) -> Option<&Arc<Panel>> {
        self.loaded.as_ref().and_then(|d| d.panel.as_ref())
    }

    /// Read `bytes` named `name` with `opts`: the work to run off the UI thread (a newer load
    /// supersedes it).
    pub fn load(
        &mut self,
        name: String,
        bytes: Arc<Vec<u8>>,
        opts: IngestOptions,
        note: Option<String>,
    ) -> impl FnOnce() -> DataMsg + Send + 'static {
        self.load_gen += 1;
        let generation = self.load_gen;
        move || {
            let ingested = ingest_csv(&bytes, &name, &opts);
            let panel = ingested.panel.clone().map(Arc::new);
            let delimiter = opts
                .delimiter
                .or(ingested.mapping.as_ref().map(|m| m.delimiter))
                .or_else(|| {
                    horizon_core::data::sniff::sniff_delimiter(&String::from_utf8_lossy(
                        &bytes[..bytes.len().min(64 * 1024)],
                    ))
                });
            let rows = delimiter.map(|d| Arc::new(RowIndex::build(&bytes, d)));
            DataMsg::Loaded(
                generation,
                Box::new(Loaded {
                    name,
                    bytes,
                    ingested,
                    panel,
                    rows,
                    note,
                }),
            )
        }
    }

    /// Mark spreadsheet row `row` of the file in the data preview and scroll to it.
    pub fn show_row(&mut self, row: usize) {
        let index = self
            .loaded
            .as_ref()
            .and_then(|d| d.rows.as_ref())
            .and_then(|r| r.index_of_row(row));
        if let Some(i) = index {
            self.preview_row = Some(i);
            self.preview_jump = Some(i);
        }
    }

    /// Apply what the feature's work handed back.
    pub fn apply(&mut self, msg: DataMsg, settings: &mut Settings) -> Vec<DataEffect> {
        match msg {
            DataMsg::Picked(None) => vec![DataEffect::Status("No file chosen.".into())],
            DataMsg::Encoded(name, bytes, note) => vec![DataEffect::Load {
                name,
                bytes: Arc::new(bytes),
                note: Some(note),
            }],
            DataMsg::Picked(Some((name, bytes))) => {
                remember_recent(settings, &name);
                settings.options = settings.options.for_new_file();
                // A season given for one file is not another file's.
                settings.season = None;
                vec![open_picked(name, bytes)]
            }
            #[cfg(not(target_arch = "wasm32"))]
            DataMsg::TableRead(Ok(dialog)) => {
                let status = format!(
                    "{}: {} rows read; choose how to aggregate them.",
                    dialog.table.name,
                    dialog.table.rows()
                );
                self.transactions = Some(dialog);
                vec![DataEffect::Status(status)]
            }
            #[cfg(not(target_arch = "wasm32"))]
            DataMsg::TableRead(Err(e)) => vec![DataEffect::Status(e)],
            #[cfg(not(target_arch = "wasm32"))]
            DataMsg::Aggregated(name, out) => self.aggregated(name, out, settings),
            // A newer request superseded it: drop it, the newer answer follows.
            DataMsg::Loaded(generation, _) if generation != self.load_gen => Vec::new(),
            DataMsg::Loaded(_, loaded) => self.loaded(*loaded),
            DataMsg::RecentGone(path, why) => {
                settings.recent.retain(|r| *r != path);
                vec![DataEffect::Status(why)]
            }
        }
    }

    fn loaded(&mut self, loaded: Loaded) -> Vec<DataEffect> {
        let r = &loaded.ingested.report;
        let mut status = match &loaded.panel {
            Some(p) => format!(
                "{}: {} series, {} rows, {} warning(s).",
                loaded.name,
                p.series.len(),
                loaded.ingested.stats.rows,
                r.warning_count()
            ),
            None => format!("{}: {} error(s) — fix them to forecast.", loaded.name, r.error_count()),
        };
        if let Some(note) = &loaded.note {
            status = format!("{status} {note}");
        }
        let keep_selection = self.loaded.as_ref().is_some_and(|d| d.name == loaded.name);
        if !keep_selection {
            self.selected = 0;
            self.selected_node = 0;
            self.id_filters.clear();
            self.filter.clear();
        }
        // A series asked for by the load that brings it (typed days added to it), this load only.
        let pending = self.pending_select.take();
        if let Some(p) = &loaded.panel {
            self.selected = self.selected.min(p.series.len().saturating_sub(1));
            if let Some(i) = pending.and_then(|k| p.find(&k)) {
                self.selected = i;
            }
        }
        self.preview_row = None;
        // Totals stay on for the new data, if it has them.
        if self.totals.is_some() {
            self.totals = None;
            match loaded.panel.as_deref().map(super::totals::TotalsData::of) {
                Some(Ok(t)) => {
                    self.selected_node = self.selected_node.min(t.nodes.series.len().saturating_sub(1));
                    self.totals = Some(Arc::new(t));
                }
                Some(Err(e)) => status = format!("{status} {e}"),
                None => {}
            }
        }
        self.loaded = Some(loaded);
        let mut effects = vec![DataEffect::Status(status), DataEffect::NewData];
        if self.panel().is_some() {
            effects.push(DataEffect::Forecast);
        }
        effects
    }
}

/// The bundled sample (daily sales, 2 stores × 3 products, 2 years) as a file's name and bytes.
pub fn sample_file() -> (String, Arc<Vec<u8>>) {
    let csv = panel_csv(&retail(&sample_params()));
    ("sample retail data".into(), Arc::new(csv.into_bytes()))
}

/// Generate retail data with `params`, as a picked file.
pub fn generate(params: RetailParams) -> DataMsg {
    let name = format!(
        "generated: {} stores × {} products × {} days, seed {}",
        params.stores, params.products, params.days, params.seed
    );
    DataMsg::Picked(Some((name, panel_csv(&retail(&params)).into_bytes())))
}

/// Read a recent file again; one that is gone leaves the list.
#[cfg(not(target_arch = "wasm32"))]
pub fn read_recent(path: String) -> DataMsg {
    match std::fs::read(&path) {
        Ok(bytes) => DataMsg::Picked(Some((path, bytes))),
        Err(e) => DataMsg::RecentGone(path.clone(), format!("cannot read {path}: {e}")),
    }
}

/// Put a file that was opened from disk at the top of the recent files (at most
/// [`RECENT_FILES`]); generated data and browser uploads are not files to reopen.
fn remember_recent(settings: &mut Settings, name: &str) {
    if cfg!(target_arch = "wasm32") || !std::path::Path::new(name).is_file() {
        return;
    }
    settings.recent.retain(|r| r != name);
    settings.recent.insert(0, name.to_string());
    settings.recent.truncate(RECENT_FILES);
}

/// A picked or dropped file: Parquet goes to the aggregation dialog (desktop), anything else
/// is read as CSV.
fn open_picked(name: String, bytes: Vec<u8>) -> DataEffect {
    #[cfg(not(target_arch = "wasm32"))]
    if super::transactions::is_parquet(&name, &bytes) {
        return DataEffect::OpenTransactions(name, Arc::new(bytes));
    }
    #[cfg(target_arch = "wasm32")]
    if bytes.starts_with(b"PAR1") {
        return DataEffect::Status(format!(
            "{name} is a Parquet file: the desktop app opens Parquet; in the browser, open it as CSV."
        ));
    }
    DataEffect::Load {
        name,
        bytes: Arc::new(bytes),
        note: None,
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl DataState {
    /// The aggregated sales: loaded like a CSV file read with the columns the aggregation
    /// wrote, under the user's gap and duplicate policies.
    fn aggregated(
        &mut self,
        name: String,
        out: Result<Box<Aggregated>, String>,
        settings: &mut Settings,
    ) -> Vec<DataEffect> {
        match out {
            Err(e) => {
                let status = format!("Cannot aggregate: {e}");
                if let Some(d) = &mut self.transactions {
                    d.error = Some(e);
                }
                vec![DataEffect::Status(status)]
            }
            Ok(out) => {
                self.transactions = None;
                let policies = settings.options.for_new_file();
                settings.options = horizon_core::data::IngestOptions {
                    duplicates: policies.duplicates,
                    gaps: policies.gaps,
                    season: policies.season,
                    ..out.options.clone()
                };
                let skipped = if out.skipped_rows > 0 {
                    format!(
                        " {} of {} rows left out (e.g. {}).",
                        out.skipped_rows,
                        out.input_rows,
                        out.skipped_examples.join("; ")
                    )
                } else {
                    String::new()
                };
                let partial = out
                    .partial_note()
                    .map(|n| format!(" {}.", horizon_tabular::capitalise(&n)))
                    .unwrap_or_default();
                let note = format!(
                    "{} rows aggregated into {} series of {} rows ({} empty periods as 0).{skipped}{partial}",
                    out.input_rows, out.series, out.output_rows, out.zero_filled
                );
                vec![DataEffect::Load {
                    name: format!("{name} — {}", out.description),
                    bytes: Arc::new(out.csv),
                    note: Some(note),
                }]
            }
        }
    }
}
