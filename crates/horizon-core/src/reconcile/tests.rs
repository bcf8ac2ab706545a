//! Reconciliation: MinT-shrink pinned to hierarchicalforecast 1.5.3 (`MinTrace(method=
//! 'mint_shrink')`, run on the numbers below), hand-computed bottom-up and top-down, and
//! coherence of every method on generated sales.

use super::apply::reconcile_forecasts;
use super::methods::{bottom_up, mint, shrunk_covariance, summing, top_down};
use super::*;
use crate::data::generate::{RetailParams, retail};
use crate::data::{Frequency, Panel, Series};
use crate::forecast::{ForecastOptions, ModelSource};
use crate::models::{Forecast, Interval};
use chrono::NaiveDate;
use nalgebra::DMatrix;

const ERRORS: [[f64; 9]; 12] = [
    [
        2.565881576428879,
        -0.6094158311688282,
        1.3895095948571026,
        0.3945684559314451,
        2.5817864906469765,
        0.17640606590575736,
        -0.08930648576905043,
        -0.19642681137720075,
        0.6260730997201982,
    ],
    [
        -8.001666185369686,
        1.3899227296152468,
        0.2918607770102639,
        2.2281342863021116,
        -0.6933600977568588,
        0.20593033025321716,
        0.5910283528562736,
        2.305252410437234,
        1.2777251516511718,
    ],
    [
        -3.0490388483388458,
        -0.3818052336774933,
        -3.771044931860459,
        0.023042936077096954,
        3.376408234733084,
        -0.702462955120545,
        0.11860982387769425,
        -1.8737231243376815,
        -1.2570693137143927,
    ],
    [
        4.797155608420894,
        3.5615835835504193,
        -2.068211701712265,
        0.8871624459488388,
        4.070657889879861,
        -0.5199076370338984,
        1.9977462929070544,
        -2.162560733283918,
        0.15408757320601296,
    ],
    [
        -0.29806491508585964,
        1.7379047895080184,
        0.9816402606665946,
        -2.3322555523804454,
        0.6089537554228741,
        1.0336758320736887,
        1.1314074705230581,
        0.09870735900031136,
        -0.9659216187288102,
    ],
    [
        -2.3067583346807368,
        0.5885879184134915,
        1.1057276822998787,
        -1.3061770054023292,
        1.7998552151971907,
        0.07918131861584143,
        -0.36283979918875353,
        0.4108744082584792,
        -0.013324596913260933,
    ],
    [
        0.755128501403,
        -2.696291616301224,
        0.750586201553773,
        0.048287226019866125,
        -0.3281055914244462,
        -0.03528684866147458,
        2.1285670418221443,
        0.23980044895595398,
        0.6944035277028924,
    ],
    [
        -2.7316410687808172,
        -3.4356660223623976,
        -4.57058820136848,
        -1.3367620465346874,
        -4.4895132529721025,
        1.0544846220491095,
        -0.8466085214811638,
        1.4627284841681174,
        0.32668526000225384,
    ],
    [
        0.2660692805976623,
        3.9705833774527655,
        1.284074827718598,
        0.6797391034263001,
        1.6634463628241605,
        -0.25983910067436256,
        1.7460964753739088,
        -1.647880139635376,
        0.5602310505028996,
    ],
    [
        -2.668990243337312,
        2.3839270979611484,
        0.9110411650941899,
        -2.1042527168538925,
        1.2478871728878147,
        0.8579564771765442,
        -0.7567385026642679,
        0.81433789759528,
        -0.007959099184912333,
    ],
    [
        -5.7540903666246095,
        -1.9407102677202666,
        -1.0577672018557962,
        0.010799121343254114,
        -0.41080789212939806,
        -0.9720667079170422,
        0.8454970328793241,
        0.07678561903751557,
        0.3752668396769572,
    ],
    [
        2.702649004022618,
        5.9772593525234825,
        0.36231133525936343,
        -1.1667647083608266,
        -0.9860265828247137,
        -0.1927459126050728,
        -0.7789910843424597,
        1.189944604804566,
        0.2999217159417995,
    ],
];

const BASE: [[f64; 3]; 9] = [
    [59.60820678638206, 73.81433878520528, 75.1280272496402],
    [22.0908354748127, 21.558999130977497, 28.559106766095347],
    [41.74659864645082, 48.852795329260616, 43.51841435459151],
    [25.447958474393563, 32.130183072059026, 31.117910417001276],
    [35.606404735280826, 39.91869230831889, 40.66723220866366],
    [9.548143626534012, 10.890931451580952, 11.284854607486661],
    [12.57820502241293, 9.265455035252499, 18.984856787065148],
    [17.05927887264625, 24.266056582869837, 18.009815104469567],
    [19.976275560090183, 27.062226123390356, 27.118227259980912],
];

const MINT_SHRINK: [[f64; 3]; 9] = [
    [60.13467213836785, 71.20834241807229, 74.51070925278631],
    [22.06112408650899, 20.971609874621702, 29.57340941443992],
    [38.07354805185886, 50.236732543450586, 44.9372998383464],
    [26.671414083655264, 33.51343519126996, 29.96486013404819],
    [33.46325805471258, 37.69490722680232, 44.545849118738126],
    [9.195620310652277, 10.620170755574451, 11.554959031989046],
    [12.865503775856714, 10.351439119047251, 18.018450382450872],
    [17.475793773002987, 22.893264435695514, 18.409901102059145],
    [20.59775427885587, 27.34346810775507, 26.527398736287253],
];

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 1, d).unwrap()
}

/// Two stores × two products, values 1..: S1P1, S1P2, S2P1, S2P2 as in the pinned numbers.
fn grid(len: usize) -> Panel {
    let keys = [["S1", "P1"], ["S1", "P2"], ["S2", "P1"], ["S2", "P2"]];
    let series = keys
        .iter()
        .enumerate()
        .map(|(k, key)| {
            let dates = (1..=len as u32).map(day).collect();
            let values = (0..len).map(|t| (k + 1) as f64 * 10.0 + t as f64).collect();
            Series::new(
                key.iter().map(|s| s.to_string()).collect(),
                Frequency::Daily,
                dates,
                values,
            )
        })
        .collect();
    Panel {
        id_columns: vec!["store".into(), "product".into()],
        date_column: "date".into(),
        value_column: "sales".into(),
        exog_columns: vec![],
        freq: Frequency::Daily,
        series,
    }
}

fn cols(a: &[&str]) -> Vec<String> {
    a.iter().map(|s| s.to_string()).collect()
}

#[test]
fn levels_are_the_total_each_column_and_the_series() {
    let p = grid(5);
    let h = Hierarchy::new(&p, &cols(&["store", "product"])).unwrap();
    let names: Vec<&str> = h.levels.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["total", "store", "product", "store/product"]);
    assert_eq!(h.nodes.len(), 9);
    assert_eq!(h.first_bottom(), 5);
    let labels: Vec<String> = (0..9).map(|i| h.label(i, &p.id_columns)).collect();
    assert_eq!(
        labels[..5],
        [
            "Total",
            "S1 (all product)",
            "S2 (all product)",
            "P1 (all store)",
            "P2 (all store)"
        ]
    );
    assert_eq!(labels[5], "S1 / P1");
    // The aggregate panel adds up: the total of day 1 is 10 + 20 + 30 + 40.
    let hp = h.panel(&p);
    assert_eq!(hp.series[0].values[0], 100.0);
    assert_eq!(hp.series[3].values[0], 10.0 + 30.0);
    assert_eq!(hp.series[3].key, ["(all)", "P1"]);
    // Nested: store/product alone has no product level.
    let nested = Hierarchy::new(&p, &cols(&["store"])).unwrap();
    let names: Vec<&str> = nested.levels.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["total", "store", "store/product"]);
}

#[test]
fn a_series_that_starts_later_counts_zero_before_and_misaligned_ends_are_refused() {
    let mut p = grid(5);
    let s = &mut p.series[1];
    *s = s.clone();
    s.dates.remove(0);
    s.values.remove(0);
    let h = Hierarchy::new(&p, &cols(&["store", "product"])).unwrap();
    let hp = h.panel(&p);
    assert_eq!(hp.series[0].values[0], 10.0 + 30.0 + 40.0);
    assert_eq!(hp.series[0].dates[0], day(1));
    p.series[2].dates.pop();
    p.series[2].values.pop();
    let e = Hierarchy::new(&p, &cols(&["store", "product"]))
        .unwrap_err()
        .to_string();
    assert!(e.contains("'S2 / P1' ends on 2024-01-04"), "{e}");
    // Too many series for dense reconciliation: refused with the count.
    let mut big = grid(3);
    big.series = (0..2_600)
        .map(|k| {
            let mut s = big.series[0].clone();
            s.key = vec![format!("S{k}"), "P1".into()];
            s
        })
        .collect();
    let e = Hierarchy::new(&big, &cols(&["store", "product"]))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("the totals would have 5202 series over 4 levels; Horizon reconciles up to 2500"),
        "{e}"
    );
    let e = Hierarchy::new(&grid(3), &cols(&["region"])).unwrap_err().to_string();
    assert!(
        e.contains("'region' is not an id column of the data (id columns: store, product)"),
        "{e}"
    );
}

fn pinned_hierarchy() -> Hierarchy {
    Hierarchy::new(&grid(3), &cols(&["store", "product"])).unwrap()
}

#[test]
fn mint_shrink_equals_hierarchicalforecast() {
    let h = pinned_hierarchy();
    let s = summing(&h);
    let errors = DMatrix::from_fn(12, 9, |t, i| ERRORS[t][i]);
    let (w, lambda) = shrunk_covariance(&errors);
    assert!(lambda > 0.0 && lambda < 1.0, "{lambda}");
    let g = mint(&s, &w).unwrap();
    let base = DMatrix::from_fn(9, 3, |i, t| BASE[i][t]);
    let got = &s * g * base;
    for i in 0..9 {
        for t in 0..3 {
            let want = MINT_SHRINK[i][t];
            assert!(
                (got[(i, t)] - want).abs() < 1e-6,
                "node {i} step {t}: {} vs {want}",
                got[(i, t)]
            );
        }
    }
}

#[test]
fn bottom_up_adds_up_the_bottoms_and_top_down_splits_by_average_shares() {
    let h = pinned_hierarchy();
    let s = summing(&h);
    let base = DMatrix::from_fn(9, 1, |i, _| BASE[i][0]);
    let bu = &s * bottom_up(&h) * &base;
    let bottoms: f64 = (5..9).map(|i| BASE[i][0]).sum();
    assert!((bu[(0, 0)] - bottoms).abs() < 1e-12);
    assert_eq!(bu[(5, 0)], BASE[5][0]);
    // Shares of 10/20/30/40 over 100 on day 1 and 11/21/31/41 over 104 on day 2.
    let hp = h.panel(&grid(2));
    let values: Vec<&[f64]> = hp.series.iter().map(|s| s.values.as_slice()).collect();
    let g = top_down(&h, &values);
    let want = (10.0 / 100.0 + 11.0 / 104.0) / 2.0;
    assert!((g[(0, 0)] - want).abs() < 1e-15);
    let td = &s * g * &base;
    assert!(
        (td[(0, 0)] - BASE[0][0]).abs() < 1e-9,
        "the total keeps its own forecast"
    );
}

#[test]
fn bottom_up_intervals_of_uncorrelated_parts_add_variances() {
    let h = pinned_hierarchy();
    let s = summing(&h);
    let z = crate::stats::z_for_level(95.0);
    let base: Vec<Forecast> = (0..9)
        .map(|i| Forecast {
            point: vec![10.0],
            intervals: vec![Interval {
                level: 95.0,
                lower: vec![10.0 - z * (i + 1) as f64],
                upper: vec![10.0 + z * (i + 1) as f64],
            }],
        })
        .collect();
    let refs: Vec<&Forecast> = base.iter().collect();
    let out = reconcile_forecasts(&s, &bottom_up(&h), None, &refs, &[false; 9]);
    // The total: 40 ± z·sqrt(6² + 7² + 8² + 9²).
    let sd = (36.0f64 + 49.0 + 64.0 + 81.0).sqrt();
    assert!((out[0].point[0] - 40.0).abs() < 1e-12);
    assert!((out[0].intervals[0].upper[0] - (40.0 + z * sd)).abs() < 1e-9);
    // A bottom keeps its own interval.
    assert!((out[8].intervals[0].upper[0] - (10.0 + 9.0 * z)).abs() < 1e-9);
}

/// Every aggregate equals the sum of its bottoms, at every step, for the points.
fn assert_coherent(r: &Reconciled) {
    let first = r.hierarchy.first_bottom();
    for (i, node) in r.hierarchy.nodes.iter().enumerate() {
        for t in 0..r.forecasts[i].forecast.horizon() {
            let sum: f64 = node
                .bottoms
                .iter()
                .map(|&b| r.forecasts[first + b].forecast.point[t])
                .sum();
            let got = r.forecasts[i].forecast.point[t];
            assert!(
                (got - sum).abs() <= 1e-9 * sum.abs().max(1.0),
                "node {i} step {t}: {got} vs {sum}"
            );
        }
    }
}

#[test]
fn every_method_gives_totals_that_add_up_on_generated_sales() {
    let panel = retail(&RetailParams {
        days: 200,
        ..RetailParams::default()
    });
    let spec: crate::ModelSpec = "ets".parse().unwrap();
    let options = ForecastOptions::new(14, &[80.0, 95.0]);
    let columns = panel.id_columns.clone();
    for method in [Method::BottomUp, Method::TopDown, Method::MintShrink] {
        let r = forecast_hierarchy(
            &panel,
            &columns,
            ModelSource::spec(&spec),
            &options,
            Choice::Fixed(method),
        )
        .unwrap();
        assert_eq!(r.method, method);
        assert_coherent(&r);
        for f in &r.forecasts {
            for iv in &f.forecast.intervals {
                for t in 0..14 {
                    assert!(iv.lower[t] <= f.forecast.point[t] && f.forecast.point[t] <= iv.upper[t]);
                }
            }
        }
    }
    let auto = forecast_hierarchy(&panel, &columns, ModelSource::spec(&spec), &options, Choice::Auto).unwrap();
    assert_coherent(&auto);
    assert_eq!(auto.scores.len(), 4);
    let best = auto
        .scores
        .iter()
        .filter(|s| s.method != Method::None)
        .min_by(|a, b| a.mase.total_cmp(&b.mase))
        .unwrap();
    assert_eq!(auto.method, best.method);
    // Not reconciled: the totals are the base forecasts and need not add up.
    let none = forecast_hierarchy(
        &panel,
        &columns,
        ModelSource::spec(&spec),
        &options,
        Choice::Fixed(Method::None),
    )
    .unwrap();
    assert_eq!(none.forecasts[0], none.base[0].forecast);
}
