//! The levels of a panel's id columns and the series of every node: the bottom series (the
//! panel's own) and their sums at each aggregate level.

use super::ReconcileError;
use crate::data::{Panel, Series};
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// What a key holds in an id column that a node adds up over.
pub const ALL: &str = "(all)";

/// The most series (every level's) a hierarchy may have: reconciliation works on dense
/// matrices of that size (MinT inverts one), a few seconds at this size.
pub const MAX_NODES: usize = 2_500;

/// One level of the hierarchy: the id columns it keeps (the others are added up).
#[derive(Debug, Clone, PartialEq)]
pub struct Level {
    /// "total", or the kept columns joined by "/" (e.g. "store_id", "store_id/product_id").
    pub name: String,
    /// Indices into the panel's id columns.
    pub columns: Vec<usize>,
}

/// One series of the hierarchy.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Index into [`Hierarchy::levels`].
    pub level: usize,
    /// The key, as long as the panel's keys, with [`ALL`] in the columns added up.
    pub key: Vec<String>,
    /// The panel's series (bottom nodes) this node adds up, ascending.
    pub bottoms: Vec<usize>,
}

/// Levels from the total down to the panel's series, and their nodes (the bottom nodes last,
/// in the panel's order).
#[derive(Debug, Clone, PartialEq)]
pub struct Hierarchy {
    pub levels: Vec<Level>,
    pub nodes: Vec<Node>,
    /// Number of bottom nodes (= the panel's series).
    pub n_bottom: usize,
}

impl Hierarchy {
    /// The levels named by `columns` (id columns, outermost first, as `store_id/product_id`):
    /// the total, each column alone, each longer prefix of the list, and the panel's series at
    /// the bottom. With `store_id/product_id`: total, per store, per product, per store × product.
    pub fn new(panel: &Panel, columns: &[String]) -> Result<Hierarchy, ReconcileError> {
        if panel.id_columns.is_empty() {
            return Err(ReconcileError::Invalid(
                "the data has no id column, so there is nothing to add up: a hierarchy needs series \
                 named by columns such as store_id and product_id"
                    .into(),
            ));
        }
        if panel.series.len() < 2 {
            return Err(ReconcileError::Invalid("a hierarchy needs at least two series".into()));
        }
        let mut idx = Vec::new();
        for c in columns {
            let Some(i) = panel.id_columns.iter().position(|p| p == c) else {
                return Err(ReconcileError::Invalid(format!(
                    "'{c}' is not an id column of the data (id columns: {})",
                    panel.id_columns.join(", ")
                )));
            };
            if idx.contains(&i) {
                return Err(ReconcileError::Invalid(format!("'{c}' is named twice")));
            }
            idx.push(i);
        }
        if idx.is_empty() {
            return Err(ReconcileError::Invalid("name at least one id column".into()));
        }
        check_aligned(panel)?;
        let mut wanted: Vec<Vec<usize>> = vec![Vec::new()];
        wanted.extend(idx.iter().map(|&i| vec![i]));
        wanted.extend((2..=idx.len()).map(|k| idx[..k].to_vec()));
        let all: Vec<usize> = (0..panel.id_columns.len()).collect();
        let mut levels = Vec::new();
        for cols in wanted {
            let mut sorted = cols.clone();
            sorted.sort_unstable();
            if sorted == all || levels.iter().any(|l: &Level| l.columns == cols) {
                continue;
            }
            levels.push(Level {
                name: level_name(panel, &cols),
                columns: cols,
            });
        }
        // The bottom: the listed columns first, then any other id column.
        let mut bottom = idx.clone();
        bottom.extend(all.iter().copied().filter(|i| !idx.contains(i)));
        levels.push(Level {
            name: level_name(panel, &bottom),
            columns: all.clone(),
        });
        let mut nodes = Vec::new();
        for (li, level) in levels.iter().enumerate().take(levels.len() - 1) {
            let mut groups: BTreeMap<Vec<String>, Vec<usize>> = BTreeMap::new();
            for (si, s) in panel.series.iter().enumerate() {
                let key = (0..s.key.len())
                    .map(|c| {
                        if level.columns.contains(&c) {
                            s.key[c].clone()
                        } else {
                            ALL.to_string()
                        }
                    })
                    .collect();
                groups.entry(key).or_default().push(si);
            }
            nodes.extend(groups.into_iter().map(|(key, bottoms)| Node {
                level: li,
                key,
                bottoms,
            }));
        }
        if nodes.len() + panel.series.len() > MAX_NODES {
            return Err(ReconcileError::Invalid(format!(
                "the totals would have {} series over {} levels; Horizon reconciles up to {MAX_NODES}: name fewer \
                 id columns or forecast a subset of the data",
                nodes.len() + panel.series.len(),
                levels.len()
            )));
        }
        let bottom = levels.len() - 1;
        nodes.extend(panel.series.iter().enumerate().map(|(si, s)| Node {
            level: bottom,
            key: s.key.clone(),
            bottoms: vec![si],
        }));
        Ok(Hierarchy {
            levels,
            nodes,
            n_bottom: panel.series.len(),
        })
    }

    /// Index of the first bottom node.
    pub fn first_bottom(&self) -> usize {
        self.nodes.len() - self.n_bottom
    }

    /// How a node is named to people: "Total", "S01 (all product_id)", "S01 / P001".
    pub fn label(&self, node: usize, id_columns: &[String]) -> String {
        let n = &self.nodes[node];
        let kept: Vec<&str> = n.key.iter().filter(|k| *k != ALL).map(String::as_str).collect();
        if kept.is_empty() {
            return "Total".to_string();
        }
        let summed: Vec<&str> = (0..n.key.len())
            .filter(|c| !self.levels[n.level].columns.contains(c))
            .filter_map(|c| id_columns.get(c).map(String::as_str))
            .collect();
        if summed.is_empty() {
            kept.join(" / ")
        } else {
            format!("{} (all {})", kept.join(" / "), summed.join(", "))
        }
    }

    /// Every node as a series of one panel (the panel's own series last): an aggregate adds up
    /// its series' values (a series that starts later counts 0 before its start) and averages
    /// their drivers.
    pub fn panel(&self, panel: &Panel) -> Panel {
        let mut series: Vec<Series> = self.nodes[..self.first_bottom()]
            .iter()
            .map(|n| aggregate(panel, n))
            .collect();
        series.extend(panel.series.iter().cloned());
        Panel {
            series,
            ..panel.clone()
        }
    }
}

fn level_name(panel: &Panel, cols: &[usize]) -> String {
    if cols.is_empty() {
        "total".to_string()
    } else {
        cols.iter()
            .map(|&c| panel.id_columns[c].as_str())
            .collect::<Vec<_>>()
            .join("/")
    }
}

/// Every series must end on the same date: the forecasts of all nodes then cover the same steps.
fn check_aligned(panel: &Panel) -> Result<NaiveDate, ReconcileError> {
    let mut last: Option<(NaiveDate, &Series)> = None;
    for s in &panel.series {
        let Some(&end) = s.dates.last() else {
            return Err(ReconcileError::Invalid(format!("series '{}' is empty", s.label())));
        };
        match last {
            None => last = Some((end, s)),
            Some((d, first)) if d != end => {
                return Err(ReconcileError::Invalid(format!(
                    "series '{}' ends on {end} but '{}' on {d}: totals need every series to end on the same \
                     date (fill the missing periods or leave the series out)",
                    s.label(),
                    first.label()
                )));
            }
            Some(_) => {}
        }
    }
    last.map(|(d, _)| d)
        .ok_or_else(|| ReconcileError::Invalid("no series".into()))
}

fn aggregate(panel: &Panel, node: &Node) -> Series {
    let parts: Vec<&Series> = node.bottoms.iter().map(|&i| &panel.series[i]).collect();
    let n = parts.iter().map(|s| s.len()).max().unwrap_or(0);
    let longest = parts
        .iter()
        .max_by_key(|s| s.len())
        .map(|s| s.dates.clone())
        .unwrap_or_default();
    let n_exog = parts.iter().map(|s| s.exog.len()).min().unwrap_or(0);
    let mut values = vec![0.0; n];
    let mut exog = vec![vec![0.0; n]; n_exog];
    let mut present = vec![0usize; n];
    for s in &parts {
        // Aligned at the end: the series' t-th value is the panel's (n - len + t)-th.
        let off = n - s.len();
        for (t, v) in s.values.iter().enumerate() {
            values[off + t] += v;
            present[off + t] += 1;
            for (c, col) in exog.iter_mut().enumerate() {
                col[off + t] += s.exog[c][t];
            }
        }
    }
    for col in &mut exog {
        for (x, &k) in col.iter_mut().zip(&present) {
            *x /= k.max(1) as f64;
        }
    }
    Series {
        key: node.key.clone(),
        freq: panel.freq,
        dates: longest,
        values,
        exog,
    }
}
