//! The totals of the loaded series for the series list: the levels of its id columns (total,
//! per store, per product, per store × product) and every level's series.

use horizon_core::Panel;
use horizon_core::reconcile::Hierarchy;
use std::sync::Arc;

/// The hierarchy of every id column and its nodes as one panel (total first, the loaded
/// series last).
pub struct TotalsData {
    pub hierarchy: Hierarchy,
    pub nodes: Arc<Panel>,
}

impl TotalsData {
    /// The totals of `panel` over all its id columns, in their order.
    pub fn of(panel: &Panel) -> Result<TotalsData, String> {
        let hierarchy = Hierarchy::new(panel, &panel.id_columns).map_err(|e| format!("No totals: {e}"))?;
        let nodes = Arc::new(hierarchy.panel(panel));
        Ok(TotalsData { hierarchy, nodes })
    }

    /// The name of node `i` in the list ("Total", "S01 (all product_id)", "S01 / P001").
    pub fn label(&self, i: usize) -> String {
        self.hierarchy.label(i, &self.nodes.id_columns)
    }

    /// The loaded series of node `i`, if it is one (not a total).
    pub fn series_of(&self, i: usize) -> Option<usize> {
        i.checked_sub(self.hierarchy.first_bottom())
    }
}
