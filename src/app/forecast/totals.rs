//! Totals that add up: every level of the data forecast at once and reconciled (one task), the
//! result kept so that picking another level shows its forecast at once, and the view of one
//! level with its parts.

use super::view::{ForecastMsg, Part, ResultView, TotalsKey, TotalsView};
use crate::app::data::totals::TotalsData;
use crate::app::jobs::{Step, Task};
use crate::app::registry::RegisteredArtifact;
use horizon_core::ModelSpec;
use horizon_core::Panel;
use horizon_core::forecast::{ForecastOptions, ModelSource};
use horizon_core::reconcile::{Choice, Reconciled, forecast_hierarchy};
use std::sync::Arc;

/// Forecast every level of `panel` and reconcile: one step (every level's fit depends on the
/// others' through the reconciliation).
pub struct TotalsTask {
    pub generation: u64,
    pub key: TotalsKey,
    pub panel: Arc<Panel>,
    pub spec: ModelSpec,
    pub registered: Option<RegisteredArtifact>,
    pub horizon: usize,
    pub levels: Vec<f64>,
    pub choice: Choice,
}

impl Task<ForecastMsg> for TotalsTask {
    fn step(&mut self) -> Step<ForecastMsg> {
        let started = web_time::Instant::now();
        let source = match &self.registered {
            Some(r) => ModelSource::Artifact(&r.artifact),
            None => ModelSource::spec(&self.spec),
        };
        let options = ForecastOptions::new(self.horizon, &self.levels);
        let out = forecast_hierarchy(&self.panel, &self.panel.id_columns, source, &options, self.choice)
            .map(Arc::new)
            .map_err(|e| e.to_string());
        let ms = started.elapsed().as_secs_f64() * 1e3;
        Step::Done(ForecastMsg::Totals(self.generation, self.key.clone(), out, ms))
    }
}

/// The view of node `node` of a reconciled set (`totals` names the nodes).
pub fn view(r: &Reconciled, totals: &TotalsData, node: usize, elapsed_ms: f64) -> Option<ResultView> {
    let base = r.base.get(node)?;
    let forecast = r.forecasts.get(node)?.clone();
    let history = r.panel.series.get(node)?.clone();
    let h = &r.hierarchy;
    let sum = |i: usize| r.forecasts[i].forecast.point.iter().sum::<f64>();
    let parts = children(h, node)
        .into_iter()
        .map(|i| Part {
            label: totals.label(i),
            expected: sum(i),
        })
        .collect();
    let how = match r.method {
        horizon_core::reconcile::Method::None => format!("Totals do not add up: {}.", r.note),
        m => format!("Totals add up: {} ({m}).", r.note),
    };
    Some(ResultView {
        description: format!("{} {how}", base.description),
        candidates: base.auto_choice(),
        // The backtest measured the base forecast, not the reconciled one on screen.
        backtest_mae: None,
        season_note: horizon_core::models::season::detect_seasons(&history.values, history.freq).describe(),
        history,
        forecast,
        id_columns: r.panel.id_columns.clone(),
        elapsed_ms,
        quick: false,
        totals: Some(TotalsView {
            title: totals.label(node),
            how,
            parts,
        }),
        baseline: None,
        plan_notes: Vec::new(),
    })
}

/// The nodes one level down that make up `node`: those of the first finer level (keeping the
/// node's columns) whose series lie inside it.
fn children(h: &horizon_core::reconcile::Hierarchy, node: usize) -> Vec<usize> {
    let n = &h.nodes[node];
    let mine = &h.levels[n.level].columns;
    let finer = (n.level + 1..h.levels.len()).find(|&l| mine.iter().all(|c| h.levels[l].columns.contains(c)));
    let Some(level) = finer else {
        return Vec::new();
    };
    (0..h.nodes.len())
        .filter(|&i| h.nodes[i].level == level && h.nodes[i].bottoms.iter().all(|b| n.bottoms.contains(b)))
        .collect()
}
