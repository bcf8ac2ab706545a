//! What-if plans: a plan CSV read with row-named errors, and the GBM's uplift of a promotion on
//! generated sales whose true promotion effect is known (the generator multiplies demand by
//! 1 + 2.5 × discount on promotion days).

use horizon_core::data::generate::{RetailParams, retail};
use horizon_core::data::plan::{plan_csv, read_plan};
use horizon_core::forecast::{ForecastOptions, ModelSource, forecast};
use horizon_core::{ModelSpec, Panel};
use std::sync::Arc;

fn sample() -> Panel {
    retail(&RetailParams {
        stores: 2,
        products: 3,
        days: 730,
        ..RetailParams::default()
    })
}

#[test]
fn a_plan_is_read_and_every_mistake_is_named_with_its_row() {
    let p = sample();
    let first = p.series[0].future_dates(28)[0];
    let ok = format!("store_id,product_id,date,promotion,discount\nS01,P001,{first},1,0.2\nS02,P003,{first},1,\n");
    let plan = read_plan(ok.as_bytes(), "plan.csv", &p, 28).unwrap();
    assert_eq!(plan.columns, ["promotion", "discount"]);
    // The same plan saved with ';' reads the same.
    let semicolons = ok.replace(',', ";").replace("0.2", "0,2");
    assert_eq!(read_plan(semicolons.as_bytes(), "plan.csv", &p, 28).unwrap(), plan);
    // `1,250` there is 1.25 or 1250: refused with both, unless the column settles it.
    let second = p.series[0].future_dates(28)[1];
    let price =
        |a: &str, b: &str| format!("store_id;product_id;date;price\nS01;P001;{first};{a}\nS01;P001;{second};{b}\n");
    let e = read_plan(price("1,250", "1,300").as_bytes(), "plan.csv", &p, 28).unwrap_err();
    assert!(
        e.to_string().contains("row 2, column price: '1,250' could be 1.25") && e.to_string().contains("or 1250"),
        "{e}"
    );
    let e = read_plan(price("9,5", "1.250").as_bytes(), "plan.csv", &p, 28).unwrap_err();
    assert!(
        e.to_string().contains("row 3, column price: '1.250' could be 1250"),
        "{e}"
    );
    let settled = read_plan(price("9,5", "1,250").as_bytes(), "plan.csv", &p, 28).unwrap();
    assert_eq!(
        settled.steps[&vec!["S01".to_string(), "P001".to_string()]][&1],
        vec![Some(1.25)]
    );
    let key = vec!["S01".to_string(), "P001".to_string()];
    assert_eq!(plan.steps[&key][&0], vec![Some(1.0), Some(0.2)]);
    // The empty cell leaves the driver at its usual value.
    let usual = vec![
        ("price".to_string(), 9.5),
        ("promotion".to_string(), 0.0),
        ("discount".to_string(), 0.0),
    ];
    let k2 = vec!["S02".to_string(), "P003".to_string()];
    let future = plan.future(&k2, &usual, 3).unwrap().unwrap();
    assert_eq!(
        future,
        vec![vec![9.5, 1.0, 0.0], vec![9.5, 0.0, 0.0], vec![9.5, 0.0, 0.0]]
    );
    assert!(
        plan.future(&["S01".to_string(), "P002".to_string()], &usual, 3)
            .unwrap()
            .is_none()
    );
    // A model without drivers is told why a plan cannot move it.
    let e = plan.future(&key, &[], 3).unwrap_err().to_string();
    assert!(
        e.contains("does not forecast from a plan's drivers") && e.contains("use gbm"),
        "{e}"
    );
    // Drivers are matched by their place among the data's, whatever a model calls them.
    let named_otherwise = vec![
        ("x1".to_string(), 9.5),
        ("x2".to_string(), 0.0),
        ("x3".to_string(), 0.0),
    ];
    assert_eq!(
        plan.future(&k2, &named_otherwise, 1).unwrap().unwrap(),
        vec![vec![9.5, 1.0, 0.0]]
    );
    // Written back and read again: the same plan.
    let again = plan_csv(&p, &plan, |k| p.series[p.find(k).unwrap()].future_dates(28));
    assert_eq!(read_plan(again.as_bytes(), "again.csv", &p, 28).unwrap(), plan);
    let late = p.series[0].future_dates(29)[28];
    let cases = [
        (
            format!("store_id,product_id,date,promotion\nS01,P001,{first},1\nS09,P001,{first},1\n"),
            "plan.csv: row 3: 'S09 / P001' is not a series of the data",
        ),
        (
            format!("store_id,product_id,date,promotion\nS01,P001,{late},1\n"),
            "plan.csv: row 2, column date: 2025-01-28 is not a period of the forecast of 'S01 / P001' (2024-12-31 to 2025-01-27)",
        ),
        (
            format!("store_id,product_id,date,promotion\nS01,P001,{first},yes\n"),
            "plan.csv: row 2, column promotion: 'yes' is not a number",
        ),
        (
            format!("store_id,product_id,date,promotion\nS01,P001,{first},1\nS01,P001,{first},0\n"),
            "plan.csv: row 3: 'S01 / P001' on 2024-12-31 is planned twice",
        ),
        (
            format!("store_id,product_id,date,colour\nS01,P001,{first},1\n"),
            "plan.csv: column colour: 'colour' is not a driver of the data (price, promotion, discount)",
        ),
        (
            format!("store_id,date,promotion\nS01,{first},1\n"),
            "plan.csv: the plan has no 'product_id' column",
        ),
        (
            "store_id,product_id,date,promotion\nS01,P001,31/12/2024,1\n".to_string(),
            "plan.csv: row 2, column date: '31/12/2024' is not a date (write YYYY-MM-DD)",
        ),
        (
            "store_id,product_id,date,promotion\n".to_string(),
            "plan.csv: the plan has no rows: it would change nothing",
        ),
    ];
    for (text, want) in cases {
        let e = read_plan(text.as_bytes(), "plan.csv", &p, 28).unwrap_err().to_string();
        assert!(e.starts_with(want), "{e}\nwanted: {want}");
    }
}

#[test]
fn the_gbm_estimates_a_promotions_uplift_within_30_percent_of_the_truth() {
    let p = sample();
    let spec: ModelSpec = "gbm".parse().unwrap();
    // A week of promotion at 20 % off for every series, days 8-14 of the horizon.
    let mut text = String::from("store_id,product_id,date,price,promotion,discount\n");
    for s in &p.series {
        let full_price = s.exog[0].iter().copied().fold(f64::MIN, f64::max);
        for d in &s.future_dates(28)[7..14] {
            text.push_str(&format!(
                "{},{},{d},{:.2},1,0.2\n",
                s.key[0],
                s.key[1],
                full_price * 0.8
            ));
        }
    }
    let plan = read_plan(text.as_bytes(), "plan.csv", &p, 28).unwrap();
    assert_eq!(plan.unseen(&p, 28), Vec::<String>::new(), "the history has such prices");
    let options = ForecastOptions {
        plan: Some(Arc::new(plan)),
        ..ForecastOptions::new(28, &[95.0])
    };
    let out = forecast(&p, ModelSource::spec(&spec), &options).unwrap();
    assert!(out.failures.is_empty());
    let (mut estimated, mut truth) = (0.0, 0.0);
    for d in &out.forecasts {
        let base = d.baseline.as_ref().expect("every series is planned");
        // Outside the plan the forecast is the baseline's... up to the lags the plan's days feed.
        assert_eq!(d.forecast.forecast.point[..7], base.point[..7]);
        let planned: f64 = d.forecast.forecast.point[7..14].iter().sum();
        let baseline: f64 = base.point[7..14].iter().sum();
        estimated += planned - baseline;
        // The generator's promotion multiplies demand by 1 + 2.5 × 0.2 = 1.5.
        truth += 0.5 * baseline;
    }
    assert!(estimated > 0.0, "a promotion sells more: {estimated}");
    let off = (estimated - truth).abs() / truth;
    eprintln!(
        "uplift: estimated {estimated:.1}, true {truth:.1} ({:.1} % off)",
        off * 100.0
    );
    assert!(
        off <= 0.3,
        "estimated uplift {estimated:.1} vs true {truth:.1} ({:.0} % off)",
        off * 100.0
    );
}

#[test]
fn a_plan_beyond_the_history_is_said_since_trees_forecast_it_as_the_nearest_value_seen() {
    let p = retail(&RetailParams {
        stores: 1,
        products: 2,
        days: 400,
        ..RetailParams::default()
    });
    let lowest = p
        .series
        .iter()
        .flat_map(|s| s.exog[0].iter().copied())
        .fold(f64::INFINITY, f64::min);
    let days = p.series[0].future_dates(14);
    let plan_at = |price: f64| {
        let mut text = String::from("store_id,product_id,date,price\n");
        for d in &days[3..6] {
            text.push_str(&format!("S01,P001,{d},{price}\n"));
        }
        read_plan(text.as_bytes(), "plan.csv", &p, 14).unwrap()
    };
    // The range is the series' own: a price other products had is still news for this one.
    let own = p.series[0].exog[0].iter().copied().fold(f64::INFINITY, f64::min);
    assert!(own > lowest, "the sample's products have different prices");
    assert_eq!(plan_at(own).unseen(&p, 14), Vec::<String>::new());
    assert_eq!(plan_at(lowest).unseen(&p, 14).len(), 1);
    let (beyond, edge) = (plan_at(0.01), plan_at(lowest));
    let said = beyond.unseen(&p, 14);
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(
        said[0].starts_with(&format!(
            "price: the plan sets 0.01 for S01 / P001 on {} and 2 more values, outside every price of this series ({own} to ",
            days[3]
        )) && said[0].contains("nearest one seen"),
        "{}",
        said[0]
    );
    // Given twice, or beyond what any data holds: refused.
    let twice = format!("store_id,product_id,date,price,price\nS01,P001,{},1,2\n", days[0]);
    let e = read_plan(twice.as_bytes(), "plan.csv", &p, 14).unwrap_err().to_string();
    assert!(e.contains("column price: 'price' is given twice"), "{e}");
    let huge = format!("store_id,product_id,date,price\nS01,P001,{},1e200\n", days[0]);
    let e = read_plan(huge.as_bytes(), "plan.csv", &p, 14).unwrap_err().to_string();
    assert!(e.contains("row 2, column price: 1e200 is beyond ±1e100"), "{e}");
    // What the warning says: the trees forecast a price below the data's as its lowest.
    let spec: ModelSpec = "gbm".parse().unwrap();
    let run = |plan| {
        let options = ForecastOptions {
            plan: Some(Arc::new(plan)),
            ..ForecastOptions::new(14, &[95.0])
        };
        forecast(&p, ModelSource::spec(&spec), &options).unwrap().forecasts[0]
            .forecast
            .forecast
            .point
            .clone()
    };
    assert_eq!(run(beyond), run(edge));
}
