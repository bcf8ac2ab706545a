//! A forecast report to hand over: one self-contained HTML file (no script, no network: the
//! plot is inline SVG), per series the headline in plain words, the plot of the recent history
//! with the forecast and its bands, how the forecast was made, and the table of the forecast
//! with its bounds. Written by the workbench's *Export report* and `horizon report`.

use crate::data::Series;
use crate::export::SeriesForecast;
use crate::headline::{Headline, people};
use std::fmt::Write;

/// One series' part of the report.
pub struct Section<'a> {
    pub history: &'a Series,
    pub forecast: &'a SeriesForecast,
    /// What was fitted, in the model's own words.
    pub description: &'a str,
    /// The model's mean absolute error per period in its backtest, if one was run.
    pub backtest_mae: Option<f64>,
    /// Sentences after the headline: a what-if plan and its uplift, what a total is made of.
    pub notes: Vec<String>,
}

/// The report: `title`, `made` (when and from what, e.g. "6 Dec 2026 from sales.csv"), and a
/// section per series.
pub fn html(title: &str, made: &str, sections: &[Section<'_>]) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n<p class=\"made\">{}</p>\n",
        escape(title),
        escape(title),
        escape(made)
    );
    for s in sections {
        section(&mut out, s);
    }
    out.push_str("</body>\n</html>\n");
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}\
h1{font-size:1.6rem}h2{font-size:1.3rem;margin-top:2.5rem}.made{color:#666}\
.headline p{font-size:1.1rem;margin:.3rem 0}table{border-collapse:collapse;font-size:.9rem}\
td,th{padding:.2rem .7rem;text-align:right;border-bottom:1px solid #ddd}th:first-child,td:first-child{text-align:left}\
svg{max-width:100%;height:auto}";

fn section(out: &mut String, s: &Section<'_>) {
    let f = &s.forecast.forecast;
    let level = f.widest_level();
    let _ = writeln!(
        out,
        "<section>\n<h2>{} — sales forecast</h2>",
        escape(&s.history.label())
    );
    if let Some(h) = Headline::new(s.history, s.forecast, level, s.backtest_mae) {
        out.push_str("<div class=\"headline\">\n");
        for line in h.lines() {
            let _ = writeln!(out, "<p>{}</p>", escape(&line));
        }
        for line in &s.notes {
            let _ = writeln!(out, "<p>{}</p>", escape(line));
        }
        out.push_str("</div>\n");
    }
    out.push_str(&svg(s.history, s.forecast));
    let _ = writeln!(
        out,
        "<h3>How this forecast was made</h3>\n<p>Model: {}. {}</p>",
        escape(&s.forecast.model),
        escape(s.description)
    );
    out.push_str("<h3>The forecast</h3>\n<table>\n<tr><th>date</th><th>forecast</th>");
    for i in &f.intervals {
        let _ = write!(out, "<th>{} % low</th><th>{} % high</th>", i.level, i.level);
    }
    out.push_str("</tr>\n");
    for (k, d) in s.forecast.dates.iter().enumerate() {
        let _ = write!(out, "<tr><td>{d}</td><td>{}</td>", people(f.point[k]));
        for i in &f.intervals {
            let _ = write!(out, "<td>{}</td><td>{}</td>", people(i.lower[k]), people(i.upper[k]));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n</section>\n");
}

/// Width and height of the plot (SVG user units) and its margins.
const W: f64 = 800.0;
const H: f64 = 300.0;
const LEFT: f64 = 60.0;
const BOTTOM: f64 = 30.0;

/// The recent history (the last max(6·h, 60) periods) and the forecast with its bands.
fn svg(history: &Series, forecast: &SeriesForecast) -> String {
    let f = &forecast.forecast;
    let h = f.point.len();
    let start = history.len().saturating_sub((6 * h).max(60));
    let past = &history.values[start..];
    let n = past.len() + h;
    let values = past
        .iter()
        .chain(&f.point)
        .chain(f.intervals.iter().flat_map(|i| i.lower.iter().chain(&i.upper)))
        .filter(|v| v.is_finite());
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(*v), b.max(*v)));
    // A flat picture (every value equal) is drawn around its value.
    let (lo, hi) = match (lo.is_finite(), hi > lo) {
        (true, true) => (lo, hi),
        (true, false) => (lo - 0.1 * lo.abs().max(1.0), hi + 0.1 * hi.abs().max(1.0)),
        (false, _) => (0.0, 1.0),
    };
    let x = |k: usize| LEFT + (W - LEFT - 10.0) * k as f64 / (n.max(2) - 1) as f64;
    let y = |v: f64| 10.0 + (H - BOTTOM - 10.0) * (1.0 - (v - lo) / (hi - lo));
    let points = |pts: &mut dyn Iterator<Item = (usize, f64)>| {
        pts.filter(|(_, v)| v.is_finite())
            .map(|(k, v)| format!("{:.1},{:.1}", x(k), y(v)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-label=\"history and forecast\">\n"
    );
    let _ = writeln!(
        out,
        "<rect x=\"{LEFT}\" y=\"10\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#ccc\"/>",
        W - LEFT - 10.0,
        H - BOTTOM - 10.0
    );
    for (v, anchor) in [(lo, H - BOTTOM), (hi, 16.0)] {
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{anchor}\" font-size=\"12\" text-anchor=\"end\">{}</text>",
            LEFT - 6.0,
            people(v)
        );
    }
    let first = history.dates.get(start).map(|d| d.to_string()).unwrap_or_default();
    let last = forecast.dates.last().map(|d| d.to_string()).unwrap_or_default();
    let _ = writeln!(
        out,
        "<text x=\"{LEFT}\" y=\"{}\" font-size=\"12\">{first}</text>",
        H - 10.0
    );
    let _ = writeln!(
        out,
        "<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"end\">{last}</text>",
        W - 10.0,
        H - 10.0
    );
    // Bands, widest first, lighter to darker.
    for (j, i) in f.intervals.iter().rev().enumerate() {
        let upper = i.upper.iter().enumerate().map(|(k, v)| (past.len() + k, *v));
        let lower = i.lower.iter().enumerate().rev().map(|(k, v)| (past.len() + k, *v));
        let opacity = 0.25 + 0.2 * j as f64;
        let _ = writeln!(
            out,
            "<polygon points=\"{}\" fill=\"#e8803a\" fill-opacity=\"{opacity:.2}\"><title>{} % band</title></polygon>",
            points(&mut upper.chain(lower)),
            i.level
        );
    }
    let _ = writeln!(
        out,
        "<polyline points=\"{}\" fill=\"none\" stroke=\"#3a6fd8\" stroke-width=\"1.5\"><title>history</title></polyline>",
        points(&mut past.iter().copied().enumerate())
    );
    let _ = writeln!(
        out,
        "<polyline points=\"{}\" fill=\"none\" stroke=\"#d0601a\" stroke-width=\"2\"><title>forecast</title></polyline>",
        points(&mut f.point.iter().enumerate().map(|(k, v)| (past.len() + k, *v)))
    );
    out.push_str("</svg>\n");
    out
}

/// Text for HTML: `&`, `<`, `>`, quotes escaped; control characters dropped.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Frequency;
    use crate::models::{Forecast, Interval};
    use chrono::NaiveDate;

    fn example() -> (Series, SeriesForecast) {
        let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        let history = Series {
            key: vec!["S<1>".into(), "P&1".into()],
            ..Series::starting(
                Frequency::Daily,
                start,
                (0..90).map(|t| 100.0 + (t % 7) as f64).collect(),
            )
        };
        let forecast = SeriesForecast {
            key: history.key.clone(),
            model: "ets".into(),
            dates: history.future_dates(3),
            forecast: Forecast {
                point: vec![1000.0, 1100.0, 1200.0],
                intervals: vec![
                    Interval {
                        level: 80.0,
                        lower: vec![900.0; 3],
                        upper: vec![1300.0; 3],
                    },
                    Interval {
                        level: 95.0,
                        lower: vec![800.0; 3],
                        upper: vec![1400.0; 3],
                    },
                ],
            },
        };
        (history, forecast)
    }

    #[test]
    fn the_report_holds_the_headline_plot_method_and_table_and_nothing_unescaped() {
        let (history, forecast) = example();
        let s = Section {
            history: &history,
            forecast: &forecast,
            description: "ETS(A,N,A) <fitted>",
            backtest_mae: Some(10.3),
            notes: vec!["With the plan: 1,200 expected <plan>.".into()],
        };
        let page = html("Sales forecast", "6 Dec 2026 from sales.csv", &[s]);
        assert!(page.starts_with("<!DOCTYPE html>") && page.ends_with("</html>\n"));
        assert!(page.contains("<p>With the plan: 1,200 expected &lt;plan&gt;.</p>"));
        // Self-contained: no script, no link, no remote resource.
        for banned in ["<script", "<link", "src=", "http://", "https://"] {
            let outside_svg_namespace = page.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
            assert!(!outside_svg_namespace.contains(banned), "{banned}");
        }
        assert!(page.contains("<h2>S&lt;1&gt; / P&amp;1 — sales forecast</h2>"));
        assert!(page.contains("<p>Next 3 days (31 Mar – 2 Apr 2024): 3,300 expected, 95 % range 2,468 to 3,839.</p>"));
        assert!(page.contains("<p>In its backtest this model was typically within ±10 % per day.</p>"));
        assert!(page.contains("Model: ets. ETS(A,N,A) &lt;fitted&gt;"));
        assert!(page.contains("<th>80 % low</th><th>80 % high</th><th>95 % low</th><th>95 % high</th>"));
        assert!(page.contains(
            "<tr><td>2024-04-01</td><td>1,100</td><td>900</td><td>1,300</td><td>800</td><td>1,400</td></tr>"
        ));
        // The plot: two bands, the history and the forecast.
        assert_eq!(page.matches("<polygon ").count(), 2);
        assert_eq!(page.matches("<polyline ").count(), 2);
        assert_eq!(page.matches("<tr>").count(), 4);
    }

    #[test]
    fn the_plot_keeps_its_points_inside_the_frame() {
        let (history, forecast) = example();
        let mut flat = (history.clone(), forecast.clone());
        flat.0.values.iter_mut().for_each(|v| *v = 100.0);
        flat.1.forecast.point = vec![100.0; 3];
        for i in &mut flat.1.forecast.intervals {
            (i.lower, i.upper) = (vec![100.0; 3], vec![100.0; 3]);
        }
        for (history, forecast) in [(history, forecast), flat] {
            points_inside(&svg(&history, &forecast));
        }
    }

    fn points_inside(svg: &str) {
        for pts in svg.split("points=\"").skip(1) {
            for p in pts.split('"').next().unwrap().split(' ') {
                let (x, y) = p.split_once(',').unwrap();
                let (x, y): (f64, f64) = (x.parse().unwrap(), y.parse().unwrap());
                assert!((LEFT..=W).contains(&x) && (0.0..=H).contains(&y), "{x},{y}");
            }
        }
    }
}
