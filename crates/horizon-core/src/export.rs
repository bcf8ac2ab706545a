//! Tables written out by the CLI and the workbench, as CSV text (the caller decides where it
//! goes: a file, a browser download).

use crate::data::Panel;
use crate::eval::{FoldResult, ModelSummary};
use crate::models::Forecast;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The forecast of one series by one model, with its dates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeriesForecast {
    pub key: Vec<String>,
    pub model: String,
    pub dates: Vec<NaiveDate>,
    pub forecast: Forecast,
}

/// Format a level for a column name: 95 -> "95", 97.5 -> "97.5".
pub fn level_label(level: f64) -> String {
    format!("{level}")
}

fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new().from_writer(Vec::new())
}

fn finish(w: csv::Writer<Vec<u8>>) -> String {
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

/// `<id columns>,date,model,forecast,lo_<L>,hi_<L>` — one row per series and step; levels in
/// increasing order, as [`Forecast::intervals`].
pub fn forecast_csv(id_columns: &[String], forecasts: &[SeriesForecast]) -> String {
    forecasts_csv(id_columns, forecasts, None, None)
}

/// [`forecast_csv`] of a what-if plan: `forecast` is with the plan, and a `baseline` column
/// after it holds the forecast without it (`baselines[i]` of `forecasts[i]`; `None`: the plan
/// leaves that series alone, so both are the same).
pub fn planned_csv(id_columns: &[String], forecasts: &[SeriesForecast], baselines: &[Option<&Forecast>]) -> String {
    forecasts_csv(id_columns, forecasts, None, Some(baselines))
}

/// [`forecast_csv`] of every level of a hierarchy, with a first column `level` ("total",
/// "store_id", …; `levels[i]` is the level of `forecasts[i]`) and "(all)" in the id columns a
/// level adds up over.
pub fn hierarchy_csv(id_columns: &[String], levels: &[String], forecasts: &[SeriesForecast]) -> String {
    forecasts_csv(id_columns, forecasts, Some(levels), None)
}

fn forecasts_csv(
    id_columns: &[String],
    forecasts: &[SeriesForecast],
    level_of: Option<&[String]>,
    baselines: Option<&[Option<&Forecast>]>,
) -> String {
    let mut w = writer();
    let levels: Vec<f64> = forecasts
        .first()
        .map(|f| f.forecast.intervals.iter().map(|i| i.level).collect())
        .unwrap_or_default();
    let mut header: Vec<String> = level_of.map(|_| vec!["level".to_string()]).unwrap_or_default();
    header.extend(id_columns.iter().cloned());
    header.extend(["date".to_string(), "model".to_string(), "forecast".to_string()]);
    if baselines.is_some() {
        header.push("baseline".to_string());
    }
    for l in &levels {
        header.push(format!("lo_{}", level_label(*l)));
        header.push(format!("hi_{}", level_label(*l)));
    }
    let _ = w.write_record(&header);
    for (i, sf) in forecasts.iter().enumerate() {
        for (j, date) in sf.dates.iter().enumerate() {
            let mut rec: Vec<String> = level_of
                .map(|l| vec![l.get(i).cloned().unwrap_or_default()])
                .unwrap_or_default();
            rec.extend(sf.key.iter().cloned());
            rec.push(date.to_string());
            rec.push(sf.model.clone());
            rec.push(sf.forecast.point[j].to_string());
            if let Some(b) = baselines {
                let base = b.get(i).copied().flatten().unwrap_or(&sf.forecast);
                rec.push(base.point.get(j).map(f64::to_string).unwrap_or_default());
            }
            for iv in &sf.forecast.intervals {
                rec.push(iv.lower[j].to_string());
                rec.push(iv.upper[j].to_string());
            }
            let _ = w.write_record(&rec);
        }
    }
    finish(w)
}

/// Per-series, per-fold backtest metrics: `series,model,fold,origin,mase,…,msis,error`; a fold
/// the model could not forecast has empty metrics and the reason in `error`.
pub fn backtest_csv(folds: &[FoldResult]) -> String {
    let mut w = writer();
    let _ = w.write_record([
        "series", "model", "fold", "origin", "mase", "smape", "rmse", "mape", "mae", "r2", "coverage", "msis", "rmsse",
        "error",
    ]);
    for f in folds {
        let mut rec = vec![
            f.series.clone(),
            f.model.clone(),
            f.fold.to_string(),
            f.origin.to_string(),
        ];
        match &f.metrics {
            Ok(m) => {
                rec.extend(
                    [
                        m.mase, m.smape, m.rmse, m.mape, m.mae, m.r2, m.coverage, m.msis, m.rmsse,
                    ]
                    .map(|x| x.to_string()),
                );
                rec.push(String::new());
            }
            Err(e) => {
                rec.extend(std::iter::repeat_n(String::new(), 9));
                rec.push(e.clone());
            }
        }
        let _ = w.write_record(&rec);
    }
    finish(w)
}

/// A model comparison (the backtest's mean metrics per model), one row per model.
pub fn comparison_csv(series: &str, rows: &[ModelSummary]) -> String {
    let mut w = writer();
    let _ = w.write_record([
        "series", "model", "folds_ok", "folds", "mase", "smape", "rmse", "mape", "mae", "coverage", "msis", "rmsse",
    ]);
    for r in rows {
        let mut rec = vec![series.to_string(), r.model.clone(), r.n_ok.to_string(), r.n.to_string()];
        rec.extend([r.mase, r.smape, r.rmse, r.mape, r.mae, r.coverage, r.msis, r.rmsse].map(|x| x.to_string()));
        let _ = w.write_record(&rec);
    }
    finish(w)
}

/// The panel in long format, as ingestion reads it back: ids, date, value, exogenous columns.
pub fn panel_csv(panel: &Panel) -> String {
    let mut w = writer();
    let mut header = panel.id_columns.clone();
    header.push(panel.date_column.clone());
    header.push(panel.value_column.clone());
    header.extend(panel.exog_columns.iter().cloned());
    let _ = w.write_record(&header);
    for s in &panel.series {
        for (t, date) in s.dates.iter().enumerate() {
            let mut rec = s.key.clone();
            rec.push(date.to_string());
            rec.push(s.values[t].to_string());
            rec.extend(s.exog.iter().map(|c| c[t].to_string()));
            let _ = w.write_record(&rec);
        }
    }
    finish(w)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Frequency, IngestOptions, Series, generate, ingest_csv};
    use crate::eval::{BacktestConfig, backtest_panel};
    use crate::models::{Interval, ModelSpec};

    #[test]
    fn backtest_table_quotes_labels_and_keeps_failures() {
        let mut panel = generate::retail(&generate::RetailParams {
            stores: 1,
            products: 1,
            days: 120,
            ..Default::default()
        });
        panel.series[0].key = vec!["Shop, \"Main\"".into(), "P1".into()];
        let cfg = BacktestConfig {
            horizon: 7,
            folds: 2,
            ..Default::default()
        };
        let result = backtest_panel(&panel, &[ModelSpec::Naive, ModelSpec::Mean], &cfg).unwrap();
        let text = backtest_csv(&result.folds);
        let mut r = csv::Reader::from_reader(text.as_bytes());
        assert_eq!(r.headers().unwrap().len(), 14);
        let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 4);
        for (row, fold) in rows.iter().zip(&result.folds) {
            assert_eq!(&row[0], "Shop, \"Main\" / P1");
            assert_eq!(&row[1], fold.model);
            let mase: f64 = row[4].parse().unwrap();
            assert_eq!(mase, fold.metrics.as_ref().unwrap().mase);
            let rmsse: f64 = row[12].parse().unwrap();
            assert_eq!(rmsse.to_bits(), fold.metrics.as_ref().unwrap().rmsse.to_bits());
            assert_eq!(&row[13], "");
        }
    }

    #[test]
    fn forecast_table_has_one_row_per_step_and_level_columns() {
        let d = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        let fc = Forecast {
            point: vec![1.0, 2.5],
            intervals: vec![
                Interval {
                    level: 80.0,
                    lower: vec![0.5, 1.5],
                    upper: vec![1.5, 3.5],
                },
                Interval {
                    level: 95.0,
                    lower: vec![0.0, 1.0],
                    upper: vec![2.0, 4.0],
                },
            ],
        };
        let csv = forecast_csv(
            &["store".into()],
            &[SeriesForecast {
                key: vec!["A, east".into()],
                model: "naive".into(),
                dates: vec![d, d.succ_opt().unwrap()],
                forecast: fc,
            }],
        );
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "store,date,model,forecast,lo_80,hi_80,lo_95,hi_95");
        assert_eq!(lines[1], "\"A, east\",2024-01-01,naive,1,0.5,1.5,0,2");
        assert_eq!(lines.len(), 3);
    }

    #[test]
    fn generated_panel_round_trips_through_csv() {
        let p = generate::retail(&generate::RetailParams {
            stores: 2,
            products: 2,
            days: 60,
            ..Default::default()
        });
        let back = ingest_csv(panel_csv(&p).as_bytes(), "round.csv", &IngestOptions::default());
        assert!(!back.report.has_errors(), "{}", back.report);
        let q = back.panel.unwrap();
        assert_eq!(q, p);
        let b = generate::books(&generate::BooksParams {
            titles: 2,
            weeks: 110,
            ..Default::default()
        });
        let back = ingest_csv(panel_csv(&b).as_bytes(), "books.csv", &IngestOptions::default());
        assert_eq!(back.panel.unwrap(), b, "{}", back.report);
        let _ = Series::new(vec![], Frequency::Daily, vec![], vec![]);
    }
}
