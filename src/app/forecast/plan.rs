//! The workbench's what-if plan: lines such as "promotion = 1 from 5 to 11 Jan 2025 for
//! S01 / P001", remembered in the settings between runs, turned into the core's plan of the
//! forecast (`horizon_core::data::plan`).

use chrono::NaiveDate;
use horizon_core::Panel;
use horizon_core::data::plan::Plan;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One line of a plan: a driver set to a value over a span of dates, for one series or all.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanLine {
    pub driver: String,
    pub first: NaiveDate,
    pub last: NaiveDate,
    pub value: f64,
    /// The series it is for (its key); `None`: every series.
    pub series: Option<Vec<String>>,
}

impl PlanLine {
    /// "Plan: promotion = 1 from 7 Jan to 13 Jan 2025 for S01 / P001."
    pub fn describe(&self) -> String {
        let whom = self
            .series
            .as_ref()
            .map_or_else(|| "every series".to_string(), |k| horizon_core::data::key_label(k));
        format!(
            "Plan: {} = {} from {} to {} for {whom}.",
            self.driver,
            self.value,
            self.first.format("%-d %b"),
            self.last.format("%-d %b %Y")
        )
    }
}

/// The plan of `lines` for a forecast of `horizon` periods of `panel` (later lines win where
/// they overlap), and a note for each line that sets nothing (a driver the data lacks, dates
/// outside the forecast, a series not in the data).
pub fn to_plan(lines: &[PlanLine], panel: &Panel, horizon: usize) -> (Option<Plan>, Vec<String>) {
    let mut notes = Vec::new();
    let columns: Vec<String> = panel
        .exog_columns
        .iter()
        .filter(|c| lines.iter().any(|l| &l.driver == *c))
        .cloned()
        .collect();
    let mut steps: BTreeMap<Vec<String>, BTreeMap<usize, Vec<Option<f64>>>> = BTreeMap::new();
    for (n, line) in lines.iter().enumerate() {
        let Some(col) = columns.iter().position(|c| *c == line.driver) else {
            notes.push(format!(
                "Plan line {}: the data has no '{}' column.",
                n + 1,
                line.driver
            ));
            continue;
        };
        let mut set = 0usize;
        for s in panel
            .series
            .iter()
            .filter(|s| line.series.as_ref().is_none_or(|k| *k == s.key))
        {
            for (step, d) in s.future_dates(horizon).iter().enumerate() {
                if (line.first..=line.last).contains(d) {
                    let row = steps
                        .entry(s.key.clone())
                        .or_default()
                        .entry(step)
                        .or_insert_with(|| vec![None; columns.len()]);
                    row[col] = Some(line.value);
                    set += 1;
                }
            }
        }
        if set == 0 {
            notes.push(format!(
                "Plan line {}: no period of the forecast falls between {} and {}{}.",
                n + 1,
                line.first,
                line.last,
                line.series
                    .as_ref()
                    .map(|k| format!(" for {}", horizon_core::data::key_label(k)))
                    .unwrap_or_default()
            ));
        }
    }
    let at = columns
        .iter()
        .map(|c| panel.exog_columns.iter().position(|e| e == c).unwrap_or(0))
        .collect();
    let plan = (!steps.is_empty()).then_some(Plan { columns, at, steps });
    if let Some(plan) = &plan {
        notes.extend(plan.unseen(panel, horizon).into_iter().map(|l| format!("Plan: {l}.")));
    }
    (plan, notes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use horizon_core::data::generate::{RetailParams, retail};

    #[test]
    fn lines_become_the_plan_of_the_forecast_periods_and_misses_are_said() {
        let p = retail(&RetailParams {
            stores: 1,
            products: 2,
            days: 60,
            ..RetailParams::default()
        });
        let days = p.series[0].future_dates(14);
        let key = p.series[1].key.clone();
        let lines = vec![
            PlanLine {
                driver: "promotion".into(),
                first: days[2],
                last: days[4],
                value: 1.0,
                series: None,
            },
            PlanLine {
                driver: "discount".into(),
                first: days[3],
                last: days[13],
                value: 0.2,
                series: Some(key.clone()),
            },
            PlanLine {
                driver: "colour".into(),
                first: days[0],
                last: days[0],
                value: 1.0,
                series: None,
            },
        ];
        let (plan, notes) = to_plan(&lines, &p, 14);
        let plan = plan.expect("a plan");
        assert_eq!(plan.columns, ["promotion", "discount"]);
        assert_eq!(plan.steps[&p.series[0].key].len(), 3);
        assert_eq!(plan.steps[&key][&3], vec![Some(1.0), Some(0.2)]);
        assert_eq!(plan.steps[&key][&13], vec![None, Some(0.2)]);
        assert_eq!(notes, ["Plan line 3: the data has no 'colour' column."]);
        let (none, notes) = to_plan(&lines[..1], &p, 2);
        assert!(none.is_none());
        assert!(notes[0].starts_with("Plan line 1: no period of the forecast falls between"));
        // A value past every one the data shows is said (a model cannot know its effect).
        let five = [PlanLine {
            value: 5.0,
            ..lines[0].clone()
        }];
        let (_, notes) = to_plan(&five, &p, 14);
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(
            notes[0].starts_with("Plan: promotion: the plan sets 5 for S01 / P001 on ")
                && notes[0].contains("outside every promotion in the data (0 to 1)"),
            "{}",
            notes[0]
        );
    }
}
